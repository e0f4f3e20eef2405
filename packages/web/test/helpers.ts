// A real fastpva server on a real database, Debian's Chromium driven by playwright-core, axe-core
// injected into each page, and screenshots kept in test-artifacts/ (ignored by git).
import type { FastifyBaseLogger } from 'fastify';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildApp } from '../../server/src/api/app.js';
import type { DomainConfig } from '../../server/src/domain/config.js';
import { createPlatform, type Platform } from '../../server/src/domain/platform.js';
import { Store } from '../../server/src/store/store.js';
import { createTestDatabase, type DialectName } from '../../server/test/helpers/databases.js';

/** DEVELOPERS.md says why each flag. */
export const CHROMIUM = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

export const ARTIFACTS = path.join(import.meta.dirname, '..', 'test-artifacts');
export const WIDTHS = { phone: 390, desktop: 1440 } as const;

export interface WebServer {
  url: string;
  platform: Platform;
  /** For background jobs a test starts itself. */
  log: FastifyBaseLogger;
  /** For `fastpva admin` commands on the same database. */
  databaseUrl: string;
  close(): Promise<void>;
}

/** The built app (packages/web/dist, from `npm run build`) served by a real server on 127.0.0.1. */
export async function startServer(dialect: DialectName, config: Partial<DomainConfig> = {}): Promise<WebServer> {
  const database = await createTestDatabase(dialect);
  const store = await Store.open(database.url);
  const platform = await createPlatform(store, { config });
  const app = await buildApp(platform);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    platform,
    log: app.log,
    databaseUrl: database.url,
    async close() {
      await app.close();
      await store.close();
      await database.drop();
    },
  };
}

export function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM.executablePath)) {
    throw new Error(`No Chromium at ${CHROMIUM.executablePath}: apt-get install chromium (DEVELOPERS.md), or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: CHROMIUM.executablePath, args: CHROMIUM.args });
}

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core on the page as it is now: no serious or critical violation. Evaluated, so the page's CSP does not apply. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  expect(serious, `axe on ${name}`).toEqual([]);
}

/**
 * Tabs through the page: every element that takes the focus shows it (an outline), and the keyboard
 * reaches at least the controls named. Returns the accessible names reached.
 */
export async function expectKeyboardReachable(page: Page, mustReach: string[] = [], maxTabs = 80): Promise<string[]> {
  // Start from the top of the page, wherever the last click left the focus.
  await page.evaluate(() => {
    document.body.tabIndex = -1;
    document.body.focus();
    document.body.removeAttribute('tabindex');
  });
  const reached: string[] = [];
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate((count) => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return 'past the end';
      // Tab moves between the day, month and year of a date field: the same element again.
      if (el.dataset.tabbed === String(count - 1)) return 'same';
      if (el.dataset.tabbed) return 'round to the start';
      el.dataset.tabbed = String(count);
      const style = getComputedStyle(el);
      return {
        name: `${el.tagName.toLowerCase()}: ${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 60) ?? ''}`,
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
      };
    }, reached.length);
    if (focused === 'same') continue;
    if (typeof focused === 'string') break;
    expect(focused.outline, `focus visible on ${focused.name}`).toBe(true);
    reached.push(focused.name);
  }
  await page.evaluate(() => document.querySelectorAll<HTMLElement>('[data-tabbed]').forEach((el) => delete el.dataset.tabbed));
  for (const name of mustReach) expect(reached.some((r) => r.includes(name)), `keyboard reaches "${name}" in ${JSON.stringify(reached)}`).toBe(true);
  return reached;
}

/** Screenshots at a phone's and a desktop's width, and the page fits the phone's width (no sideways scrolling). */
export async function screenshots(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const desktop = page.viewportSize() ?? { width: WIDTHS.desktop, height: 900 };
  for (const [label, width] of Object.entries(WIDTHS)) {
    await page.setViewportSize({ width, height: 900 });
    // Let the page lay itself out again (charts redraw on a resize observer).
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    if (width === WIDTHS.phone) {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${name} fits ${width} px`).toBeLessThanOrEqual(0);
    }
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(desktop);
}

/** axe, the keyboard and both widths: what every page must pass. */
export async function checkPage(page: Page, name: string, mustReach: string[] = []): Promise<void> {
  await expectAccessible(page, name);
  await expectKeyboardReachable(page, mustReach);
  await screenshots(page, name);
}
