// The built web app in Chromium against a real server: the whole story on SQLite (sign-up to admin
// panel, every page checked with axe, the keyboard and at 390 and 1440 px), and the core of it on
// Postgres. Screenshots land in packages/web/test-artifacts/.
import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import { userInfo } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform } from '../../server/src/domain/platform.js';
import { startWebhookDelivery } from '../../server/src/jobs/webhooks.js';
import { Store } from '../../server/src/store/store.js';
import { runHere, startCli } from '../../server/test/helpers/cli.js';
import { createTestDatabase, DIALECTS, type DialectName, type TestDatabase } from '../../server/test/helpers/databases.js';
import { checkPage, launchChromium, startServer, type WebServer } from './helpers.js';

const PASSWORD = 'correct horse battery';
const GB = ['447700900401', '447700900402', '447700900403', '447700900404'];
const DE = ['4915112345601', '4915112345602'];

/** The platform a test starts from: an admin, a Telegram project at $0.30, a supplier with six numbers online. */
async function seed(server: WebServer): Promise<{ supplierKey: string }> {
  const p = server.platform;
  await p.users.create({ username: 'root', password: PASSWORD, role: 'admin' });
  await p.catalog.createProject({ enname: 'Telegram', price: 30 });
  const supplier = await p.suppliers.create({ name: 'SIM bank' });
  await p.suppliers.registerNumbers(supplier.id, [...GB.map((number) => ({ number, country: 'GB' })), ...DE.map((number) => ({ number, country: 'DE' }))]);
  await p.suppliers.setOnline(supplier.id, [...GB, ...DE]);
  return { supplierKey: supplier.key };
}

/** What a SIM bank does when the SMS lands: push it to the supplier API. */
async function pushSms(server: { url: string }, supplierKey: string, to: string, text: string): Promise<void> {
  const response = await fetch(`${server.url}/supplier/v1/sms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${supplierKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: `sms-${Date.now()}-${Math.random()}`, to, from: 'Telegram', text }),
  });
  expect(response.status).toBe(200);
}

/**
 * What an authenticator app shows for a base32 secret at a 30-second step (RFC 6238: HMAC-SHA1, 6
 * digits), written here from the RFC rather than taken from the server, so that the two must agree.
 */
function authenticatorCode(secret: string, step: number): string {
  const bits = [...secret.replace(/=+$/, '')].map((c) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(c).toString(2).padStart(5, '0')).join('');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[19]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** A browser of its own (cookies, storage), at desktop width, that fails the test on any script error. */
async function openBrowser(browser: Browser, contexts: BrowserContext[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  contexts.push(context);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  return page;
}

async function signIn(page: Page, url: string, username: string): Promise<void> {
  await page.goto(`${url}/sign-in`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Takes a Telegram number in the country picked (ISO code); returns the number shown on its card. */
async function takeNumber(page: Page, url: string, country: string): Promise<string> {
  await page.goto(`${url}/buy`);
  await page.getByLabel('Search services').fill('Telegram');
  const offer = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Telegram', exact: true }) });
  await offer.getByLabel('Country').selectOption(country);
  const before = await page.locator('.order').count();
  await offer.getByRole('button', { name: 'Take a number' }).click();
  await expect.poll(() => page.locator('.order').count()).toBe(before + 1);
  return (await page.locator('.order .number .mono').first().textContent())!.replace('+', '');
}

describe.each(DIALECTS.map((d): [DialectName, boolean] => [d, d === 'sqlite']))('web app in Chromium on %s', (dialect, everything) => {
  let server: WebServer;
  let browser: Browser;
  let supplierKey: string;
  const contexts: BrowserContext[] = [];
  let user: Page;
  let admin: Page;

  beforeAll(async () => {
    // Private addresses allowed: the webhook test's receiver listens on 127.0.0.1.
    server = await startServer(dialect, { releaseAfterMs: 2000, webhookAllowPrivate: true });
    ({ supplierKey } = await seed(server));
    browser = await launchChromium();
    user = await openBrowser(browser, contexts);
    admin = await openBrowser(browser, contexts);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs up with the right autocomplete, keeps the session in an HttpOnly SameSite=Lax cookie, shows the balance and rotates the key', async () => {
    await user.goto(server.url);
    await expect.poll(() => user.url()).toBe(`${server.url}/sign-in`);
    expect(await user.getByLabel('Username').getAttribute('autocomplete')).toBe('username');
    expect(await user.getByLabel('Password').getAttribute('autocomplete')).toBe('current-password');
    if (everything) await checkPage(user, 'sign-in', ['Sign in', 'Create an account']);

    await user.getByRole('link', { name: 'Create an account' }).click();
    await user.getByLabel('Username').waitFor();
    if (everything) await checkPage(user, 'sign-up', ['Create an account']);
    await user.getByLabel('Username').fill('carol');
    await user.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await user.getByLabel('Repeat the password').fill(PASSWORD);
    await user.getByRole('button', { name: 'Create an account' }).click();
    await expect.poll(() => user.getByTestId('balance').textContent()).toBe('$0.00');

    const [session] = (await user.context().cookies()).filter((c) => c.name === 'fastpva_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });

    const masked = (await user.getByTestId('masked-key').textContent())!;
    expect(masked).toMatch(/^[0-9a-f]{6}•+$/);
    await user.getByRole('button', { name: 'Rotate key' }).click();
    await user.getByRole('button', { name: 'Rotate now' }).click();
    const key = await user.getByLabel('Your new API key').inputValue();
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    const info = await (await fetch(`${server.url}/pvapublic/user/info?apikey=${key}`)).json();
    expect(info).toMatchObject({ code: 1, data: { username: 'carol', balance: 0 } });
    // The quick start fills the new key into its examples.
    await expect.poll(() => user.locator('pre').first().textContent()).toContain(`apikey=${key}`);
  });

  it('lets an admin adjust a balance, which the user then sees', async () => {
    await signIn(admin, server.url, 'root');
    await admin.getByRole('link', { name: 'Admin' }).click();
    await admin.getByRole('link', { name: 'Users', exact: true }).click();
    await admin.getByRole('link', { name: 'carol' }).click();
    await admin.getByLabel('Amount (US dollars)').fill('50');
    await admin.getByRole('button', { name: 'Adjust', exact: true }).click();
    await expect.poll(() => admin.getByTestId('user-balance').textContent()).toBe('$50.00');

    await user.reload();
    await expect.poll(() => user.getByTestId('balance').textContent()).toBe('$50.00');
  });

  it('takes a number, shows its code by itself the moment the SMS is pushed, and releases after the 10-second rule', async () => {
    const number = await takeNumber(user, server.url, 'GB');
    const card = user.locator('.order').first();
    await expect.poll(() => card.getByRole('timer').textContent()).toMatch(/^1[45]:\d\d$/);
    expect(await card.getByRole('button', { name: /^Release in \d s$/ }).isDisabled()).toBe(true);

    const pushed = Date.now();
    await pushSms(server, supplierKey, number, 'Telegram code: 51234\nDo not give this code to anyone.');
    await card.getByText('51234', { exact: true }).waitFor({ timeout: 5000 });
    const shownAfterMs = Date.now() - pushed;
    console.log(`code shown ${shownAfterMs} ms after the SMS was pushed (${dialect})`);
    expect(shownAfterMs).toBeLessThan(3000);
    await expect.poll(() => card.locator('.message').textContent()).toContain('Do not give this code to anyone.');
    await card.getByRole('button', { name: 'Copy code' }).click();
    await expect.poll(() => user.evaluate(() => navigator.clipboard.readText())).toBe('51234');

    // Enabled once the release rule (2 s in this test) has passed, by the server's clock.
    const release = card.getByRole('button', { name: 'Release', exact: true });
    await release.waitFor({ timeout: 5000 });
    await release.click();
    await expect.poll(() => user.locator('.order').count()).toBe(0);
  });

  it('shields a number: released, refunded, and never offered to this user for the project again', async () => {
    const number = await takeNumber(user, server.url, 'DE');
    await user.locator('.order').first().getByRole('button', { name: 'Release and never show again' }).click({ timeout: 5000 });
    await expect.poll(() => user.locator('.order').count()).toBe(0);
    await user.goto(server.url);
    await expect.poll(() => user.getByTestId('balance').textContent()).toBe('$49.70');
    const again = await takeNumber(user, server.url, 'DE');
    expect(again).not.toBe(number);
    await user.locator('.order').first().getByRole('button', { name: 'Release', exact: true }).click({ timeout: 5000 });
    await expect.poll(() => user.locator('.order').count()).toBe(0);
  });

  it('filters the order history and exports it as CSV', async () => {
    await user.goto(`${server.url}/orders`);
    await expect.poll(() => user.getByText('3 orders').count()).toBe(1);
    await user.getByLabel('Status').selectOption('received');
    await user.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => user.getByText('1 order', { exact: true }).count()).toBe(1);
    expect(await user.getByRole('cell', { name: '51234' }).count()).toBe(1);

    const [download] = await Promise.all([user.waitForEvent('download'), user.getByRole('link', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^fastpva-orders-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = fs.readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe('order_id,created_at,project,my_pid,number,price_usd,number_status,sms_status,code,sms');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^[0-9a-f]{24},[^,]+,Telegram,1000,447700900\d{3},0.30,released,received,51234,"Telegram code: 51234\nDo not give this code to anyone."$/);
  });

  it('keeps users out of admin pages and admin calls, and refuses a state change without the CSRF token', async () => {
    await user.goto(`${server.url}/admin/users`);
    await user.getByText('Only admins may open this.').waitFor();
    expect(await user.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    const call = await user.request.get(`${server.url}/api/web/admin/users`);
    expect(call.status()).toBe(403);
    const adjust = await user.request.post(`${server.url}/api/web/admin/users/carol/balance`, { data: { amount: 100000 }, headers: { 'x-csrf-token': 'forged' } });
    expect(adjust.status()).toBe(403);
    const noToken = await user.request.post(`${server.url}/api/web/me/api-key`);
    expect(noToken.status()).toBe(403);
    expect((await noToken.json()).error.code).toBe('csrf');
    expect((await server.platform.users.show('carol')).balance).toBe(4970);
  });

  it.runIf(everything)('lets an admin create a project with prices per country, which the user finds in the buy list', async () => {
    await admin.goto(`${server.url}/admin/projects`);
    const form = admin.getByRole('form', { name: 'New project' });
    await form.getByLabel('Name').fill('Signal-7');
    await form.getByLabel('A price per country').check();
    await form.getByLabel('Country code').fill('GB');
    await form.getByLabel('Price', { exact: true }).fill('0.45');
    await form.getByRole('button', { name: 'Add a country' }).click();
    await form.getByLabel('Country code').nth(1).fill('de');
    await form.getByLabel('Price', { exact: true }).nth(1).fill('0.50');
    await form.getByRole('button', { name: 'Create' }).click();
    await admin.getByRole('cell', { name: 'DE $0.50, GB $0.45' }).waitFor();

    await user.goto(`${server.url}/buy`);
    await user.getByLabel('Search services').fill('signal');
    const offer = user.getByRole('listitem').filter({ has: user.getByRole('heading', { name: 'Signal-7' }) });
    const options = await offer.getByLabel('Country').locator('option').allTextContents();
    expect(options).toEqual(['Any country, from $0.45 (6 free)', 'United Kingdom: $0.45 (4 free)', 'Germany: $0.50 (2 free)']);
  });

  it.runIf(everything)('opens a recharge order that an admin marks paid', async () => {
    await user.goto(`${server.url}/recharges`);
    await user.getByLabel('Amount (US dollars)').fill('25');
    await user.getByRole('button', { name: 'Open the order' }).click();
    await user.getByRole('cell', { name: 'Waiting for payment' }).waitFor();

    await admin.goto(`${server.url}/admin/recharges`);
    await admin.getByRole('button', { name: 'Mark $25.00 of carol paid' }).click();
    await admin.getByText('$25.00 credited to carol.').waitFor();

    await user.reload();
    await user.getByRole('cell', { name: 'Paid', exact: true }).waitFor();
    await user.goto(server.url);
    await expect.poll(() => user.getByTestId('balance').textContent()).toBe('$74.70');
  });

  it.runIf(everything)('draws the admin overview charts with the data', async () => {
    await server.platform.reports.sampleOnline();
    await admin.goto(`${server.url}/admin`);
    for (const chart of ['orders', 'rates-project', 'rates-country', 'rates-supplier', 'money', 'online']) {
      const figure = admin.getByTestId(`chart-${chart}`);
      await figure.locator('svg path').first().waitFor({ state: 'attached' });
      expect(await figure.locator('svg path').count(), chart).toBeGreaterThan(3);
    }
    expect(await admin.getByTestId('chart-orders').locator('.chart').getAttribute('aria-label')).toBe('Last 24 hours: 1 received, 2 without SMS, 0 waiting');
    expect(await admin.getByTestId('chart-rates-project').locator('.chart').getAttribute('aria-label')).toBe('Telegram 33% (1/3)');
    expect(await admin.getByTestId('chart-money').locator('.chart').getAttribute('aria-label')).toBe('Last 30 days: $0.30 charged to customers, $0.21 credited to suppliers');
    expect(await admin.getByTestId('chart-online').locator('.chart').getAttribute('aria-label')).toMatch(/^6 numbers online now; at most 6 since /);
  });

  it.runIf(everything)("shows a supplier's numbers with their health, and pays the supplier out", async () => {
    await admin.goto(`${server.url}/admin/suppliers`);
    await admin.getByRole('button', { name: 'Numbers of SIM bank' }).click();
    // The story's three orders: one got its SMS, two ended without one.
    const counts = await admin.getByRole('table', { name: 'Numbers of SIM bank' }).locator('tbody tr td:nth-child(5)').allTextContents();
    expect(counts.map((c) => Number(c.split(' / ')[1])).reduce((a, b) => a + b)).toBe(1);
    expect(counts.map((c) => Number(c.split(' / ')[0])).reduce((a, b) => a + b)).toBe(3);

    const form = admin.getByRole('form', { name: 'Pay out to SIM bank' });
    await form.getByLabel('Amount').fill('0.30');
    await form.getByRole('button', { name: 'Pay out' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toBe('That is more than SIM bank is owed ($0.21).');
    await form.getByLabel('Amount').fill('0.20');
    await form.getByLabel('Note').fill('bank transfer 7');
    await form.getByRole('button', { name: 'Pay out' }).click();
    await form.getByText('$0.20 paid out to SIM bank; $0.01 still owed.').waitFor();
    await admin.getByRole('cell', { name: '$0.01' }).waitFor();
    await checkPage(admin, 'admin-supplier-numbers', ['Pay out']);
  });

  it.runIf(everything)('speaks English, Russian and Chinese, and remembers the choice', async () => {
    await user.goto(server.url);
    await user.getByLabel('Language').selectOption('ru');
    await user.getByRole('link', { name: 'Купить номер' }).first().waitFor();
    await user.reload();
    await user.getByRole('heading', { name: 'Панель' }).waitFor();
    expect(await user.locator('html').getAttribute('lang')).toBe('ru');
    await user.getByLabel('Язык').selectOption('zh');
    await user.getByRole('heading', { name: '概览' }).waitFor();
    expect(await user.getByTestId('balance').textContent()).toBe('$74.70');
    await user.getByLabel('语言').selectOption('en');
    await user.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });

  it('words API errors for the reader', async () => {
    await server.platform.users.create({ username: 'dave', password: PASSWORD });
    const page = await openBrowser(browser, contexts);
    await signIn(page, server.url, 'dave');
    await page.goto(`${server.url}/buy`);
    await page.getByRole('button', { name: 'Take a number' }).first().click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Your balance is too low for this number: recharge first.');
    await page.goto(`${server.url}/sign-in`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username').fill('dave');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong username or password.');
  });

  it.runIf(everything)('turns on an admin\'s second factor, then asks for its code at sign-in and refuses a wrong one', async () => {
    await server.platform.users.create({ username: 'warden', password: PASSWORD, role: 'admin' });
    const page = await openBrowser(browser, contexts);
    await signIn(page, server.url, 'warden');
    await page.goto(`${server.url}/account`);
    await page.getByRole('button', { name: 'Set up' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())!;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const step = Math.floor(Date.now() / 30_000);
    // A code accepted is never accepted again: enrol with this step's, sign in with the next one's
    // (the server takes one step of drift either way).
    await page.getByLabel('Code from your authenticator app').fill(authenticatorCode(secret, step));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('On: signing in asks for a code from your authenticator app.');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username').fill('warden');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Your account asks for a second factor: enter the code from your authenticator app.');
    const near = [step - 1, step, step + 1, step + 2].map((s) => authenticatorCode(secret, s));
    const wrong = ['000000', '111111', '222222'].find((c) => !near.includes(c))!;
    await page.getByLabel('Code from your authenticator app').fill(wrong);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong code: enter the current code from your authenticator app.');
    expect(page.url()).toBe(`${server.url}/sign-in`);
    await page.getByLabel('Code from your authenticator app').fill(authenticatorCode(secret, step + 1));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('link', { name: 'Admin' }).waitFor();
  });

  it.runIf(everything)('shows changes made with the fastpva admin command on the audit page, by cli:<os user>', async () => {
    const limits = await runHere(['admin', 'user', 'limits', '--username', 'dave', '--max-active-orders', '5', '--db', server.databaseUrl]);
    expect(limits.code, limits.stderr).toBe(0);
    await admin.goto(`${server.url}/admin/audit`);
    const row = admin.getByRole('row').filter({ hasText: 'user:dave' }).first();
    await row.waitFor();
    expect(await row.textContent()).toContain(`cli:${userInfo().username}`);
    expect(await row.textContent()).toContain('user.limits');
  });

  it.runIf(everything)("adds a supplier's gateway, whose URL is shown once and takes SMS in, renews its URL and removes it", async () => {
    await admin.goto(`${server.url}/admin/suppliers`);
    await admin.getByRole('button', { name: 'Gateways of SIM bank' }).click();
    await admin.getByText('No gateways: this supplier pushes through the supplier API or SMPP.').waitFor();
    await admin.getByLabel('Kind').selectOption('generic');
    await admin.getByRole('button', { name: 'Add a gateway' }).click();
    const url = (await admin.getByTestId('gateway-url').textContent())!;
    expect(url).toMatch(new RegExp(`^${server.url}/ingest/generic/[0-9a-f]{32}$`));
    const post = (to: string) =>
      fetch(to, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: `gw-${to}`, to: DE[1], from: 'Telegram', text: 'Telegram code: 11111' }) });
    expect((await post(url)).status).toBe(200);
    const row = admin.getByRole('row').filter({ hasText: 'generic' });
    expect(await row.textContent()).not.toContain(url.split('/').at(-1));
    await checkPage(admin, 'admin-gateways', ['Add a gateway']);

    await row.getByRole('button', { name: 'New URL' }).click();
    await expect.poll(() => admin.getByTestId('gateway-url').textContent()).not.toBe(url);
    const renewed = (await admin.getByTestId('gateway-url').textContent())!;
    expect((await post(url)).status).toBeGreaterThanOrEqual(400);
    expect((await post(renewed)).status).toBe(200);
    await row.getByRole('button', { name: 'Remove' }).click();
    await admin.getByText('No gateways: this supplier pushes through the supplier API or SMPP.').waitFor();
    expect((await post(renewed)).status).toBeGreaterThanOrEqual(400);
  });

  it.runIf(everything)('sets a webhook, shows its signing secret once, and lists how each delivery went', async () => {
    const received: string[] = [];
    const receiver = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk));
      request.on('end', () => {
        received.push(body);
        response.writeHead(204).end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const delivery = startWebhookDelivery(server.platform, server.log);
    try {
      await user.goto(`${server.url}/account`);
      await user.getByText('No webhook: events are not sent.').waitFor();
      await user.getByLabel('Webhook URL').fill('ftp://example.com/hook');
      await user.getByRole('button', { name: 'Save the URL' }).click();
      await expect.poll(() => user.getByRole('alert').textContent()).toBe('A webhook URL starts with http:// or https://');
      await user.getByLabel('Webhook URL').fill(hook);
      await user.getByRole('button', { name: 'Save the URL' }).click();
      expect(await user.getByTestId('webhook-secret').textContent()).toMatch(/^whsec_[0-9a-f]{32}$/);
      await user.getByText(`Events go to ${hook}`).waitFor();

      const number = await takeNumber(user, server.url, 'GB');
      await pushSms(server, supplierKey, number, 'Telegram code: 60606');
      await expect.poll(() => received.length, { timeout: 10_000 }).toBeGreaterThan(0);
      expect(JSON.parse(received[0]!)).toMatchObject({ type: 'sms.received', data: { number, code: '60606' } });
      await user.goto(`${server.url}/account`);
      const log = user.getByRole('region', { name: 'Deliveries' });
      await expect.poll(() => log.textContent()).toContain('HTTP 204');
      expect(await log.textContent()).toContain('sms.received');
      // Shown once: a new visit has the URL, never the secret.
      expect(await user.getByTestId('webhook-secret').count()).toBe(0);
    } finally {
      await delivery.stop();
      receiver.close();
    }
  });

  it.runIf(everything)('passes axe-core, shows the focus on every control the keyboard reaches, and fits 390 and 1440 px on every page', async () => {
    const pages: [Page, string, string, string[]][] = [
      [user, '/', 'dashboard', ['Rotate key', 'Copy API base URL']],
      [user, '/buy', 'buy', ['Take a number', 'Favourite Telegram']],
      [user, '/orders', 'orders', ['Apply', 'Export CSV']],
      [user, '/recharges', 'recharges', ['Open the order']],
      [user, '/account', 'account', ['Change password', 'Save the URL', 'Remove the webhook']],
      [admin, '/account', 'admin-account', ['Set up']],
      [admin, '/admin/users', 'admin-users', ['carol']],
      [admin, '/admin/users/carol', 'admin-user', ['Adjust', 'Disable']],
      [admin, '/admin/projects', 'admin-projects', ['Edit Signal-7', 'Create']],
      [admin, '/admin/suppliers', 'admin-suppliers', ['Numbers of SIM bank', 'New key: SIM bank']],
      [admin, '/admin/recharges', 'admin-recharges', []],
      [admin, '/admin/sms', 'admin-sms', []],
      [admin, '/admin/blacklist', 'admin-blacklist', ['Blacklist']],
      [admin, '/admin/ledger', 'admin-ledger', ['Run the audit']],
      [admin, '/admin/audit', 'admin-audit', []],
      [admin, '/admin', 'admin-overview', []],
    ];
    for (const [page, path, name, mustReach] of pages) {
      await page.goto(`${server.url}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.locator('.loading').waitFor({ state: 'detached' });
      if (name === 'admin-ledger') await page.getByRole('button', { name: 'Run the audit' }).click(), await page.getByText(/The ledger is consistent/).waitFor();
      if (name === 'admin-overview') await page.locator('.chart svg').first().waitFor({ state: 'attached' });
      await checkPage(page, name, mustReach);
    }
  });
});

describe.runIf(DIALECTS.includes('postgres'))('web app on two server processes sharing one Postgres', () => {
  const children: ChildProcess[] = [];
  let database: TestDatabase;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  afterAll(async () => {
    await browser?.close();
    for (const child of children) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
    await database?.drop();
  });

  it('shows the code on a page served by one process when the SMS was pushed to the other (LISTEN/NOTIFY)', async () => {
    database = await createTestDatabase('postgres');
    const store = await Store.open(database.url);
    let supplierKey: string;
    try {
      const p = await createPlatform(store);
      await p.users.create({ username: 'erin', password: PASSWORD, balance: 1000 });
      await p.catalog.createProject({ enname: 'Telegram', price: 30 });
      const supplier = await p.suppliers.create({ name: 'SIM bank' });
      await p.suppliers.registerNumbers(supplier.id, GB.map((number) => ({ number, country: 'GB' })));
      await p.suppliers.setOnline(supplier.id, GB);
      supplierKey = supplier.key;
    } finally {
      await store.close();
    }
    const serve = async () => {
      const { child, line } = await startCli(['serve', '--port', '0', '--host', '127.0.0.1', '--db', database.url, '--json'], /^\{"url"/, { env: { RATE_LIMITS: 'off' } });
      children.push(child);
      return JSON.parse(line) as { url: string };
    };
    const [a, b] = await Promise.all([serve(), serve()]);
    browser = await launchChromium();
    const page = await openBrowser(browser, contexts);
    await signIn(page, b.url, 'erin');
    const number = await takeNumber(page, b.url, 'GB');

    // The page's own refresh comes every 60 s: a code within seconds came through B's event stream.
    await pushSms(a, supplierKey, number, 'Telegram code: 70721');
    await page.locator('.order').first().getByText('70721', { exact: true }).waitFor({ timeout: 10_000 });
  });
});
