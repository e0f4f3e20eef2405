// The API reference at /docs in Chromium: Swagger UI renders the server's own /openapi.json under the
// web app's Content-Security-Policy (no violation), and every request the page makes goes to the server.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startServer, type WebServer } from './helpers.js';

describe('API reference at /docs', () => {
  let server: WebServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer('sqlite');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('renders every surface from this server alone, with no Content-Security-Policy violation', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { violations: string[] }).violations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const response = await page.goto(`${server.url}/docs`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByRole('heading', { name: /fastpva/ }).first().waitFor();
    for (const tag of ['FASTPVA', 'SMS-Activate protocol', '5SIM API', 'Supplier push API', 'Gateway webhooks', 'Web app']) {
      await expect(page.locator('.opblock-tag', { hasText: tag }).first().isVisible()).resolves.toBe(true);
    }
    // Every tag opens listed: FASTPVA's stock route is there.
    await page.getByText('/pvapublic/sms/stock').first().waitFor();
    expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
    expect(requests.filter((url) => !url.startsWith(server.url) && !url.startsWith('data:'))).toEqual([]);
    await page.close();
  });
});
