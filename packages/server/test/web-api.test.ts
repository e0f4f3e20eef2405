// The web app's JSON API (/api/web) over inject() on SQLite and Postgres: sessions and their cookie,
// CSRF, sign-up, password change and disabling revoking sessions, the second factor, the user
// center's calls, admin-only routes with their audit log, and the app's own files. The browser tests
// (packages/web/test) drive the same calls through the built app.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../src/domain/totp.js';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, type TestPlatform } from './helpers/platform.js';
import { WebClient } from './helpers/web.js';

const PASSWORD = 'correct horse battery';

/** A stand-in for packages/web/dist: these tests are about serving it, not about the app. */
function fakeWebRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fastpva-web-'));
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>fastpva</title><script type="module" src="/assets/app-1a2b.js"></script>');
  fs.writeFileSync(path.join(root, 'assets/app-1a2b.js'), 'console.log("app")');
  fs.writeFileSync(path.join(root, 'assets/app-1a2b.js.gz'), gzipSync('console.log("app")'));
  return root;
}

describe.each(DIALECTS)('web API on %s', (dialect) => {
  let t: TestPlatform;
  let webRoot: string;
  let myPid: number;
  const numbers = ['447700900301', '447700900302', '447700900303'];

  beforeAll(async () => {
    webRoot = fakeWebRoot();
    t = await createTestPlatform(dialect, {}, { webRoot, trustProxy: 'loopback' });
    const p = t.platform;
    await p.users.create({ username: 'root', password: PASSWORD, role: 'admin' });
    const supplier = await p.suppliers.create({ name: 'SIM bank' });
    await p.suppliers.registerNumbers(supplier.id, numbers.map((number) => ({ number, country: 'GB' })));
    await p.suppliers.setOnline(supplier.id, numbers);
    myPid = (await p.catalog.createProject({ enname: 'Telegram', price: 30 })).myPid;
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(webRoot, { recursive: true, force: true });
  });

  it('signs up, keeps the session in an HttpOnly SameSite=Lax cookie (Secure behind TLS), and signs out', async () => {
    const browser = new WebClient(t.app);
    const first = await browser.request('GET', '/session');
    expect(first.json()).toMatchObject({ user: null, signUpOpen: true, releaseAfterSeconds: 10 });
    expect(first.headers['cache-control']).toBe('no-store');

    const signedUp = await browser.request('POST', '/users', { username: 'carol', password: PASSWORD });
    expect(signedUp.statusCode, signedUp.body).toBe(200);
    expect(signedUp.json().user).toEqual({ username: 'carol', role: 'user' });
    const cookie = String(signedUp.headers['set-cookie']);
    expect(cookie).toMatch(/fastpva_session=[\w-]{40,}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    expect((await browser.ok('GET', '/me')).balance).toBe(0);

    // Behind a TLS proxy (TRUST_PROXY), the cookie is Secure.
    const behindTls = new WebClient(t.app, { 'x-forwarded-proto': 'https' });
    const tls = await behindTls.signIn('carol', PASSWORD);
    expect(String(tls.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Lax; Secure/);

    expect((await browser.ok('DELETE', '/session')).user).toBeNull();
    expect((await browser.request('GET', '/me')).statusCode).toBe(401);
    // The other browser's session is its own.
    expect((await behindTls.ok('GET', '/me')).username).toBe('carol');
  });

  it('refuses every state change without the page CSRF token, signed in or not', async () => {
    const browser = new WebClient(t.app);
    await browser.request('GET', '/session');
    const noToken = await browser.request('POST', '/session', { username: 'root', password: PASSWORD }, { csrf: false });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().error.code).toBe('csrf');

    expect((await browser.signIn('root', PASSWORD)).statusCode).toBe(200);
    const signedOutToken = browser.csrfToken;
    const rotate = await browser.request('POST', '/me/api-key', undefined, { csrf: false });
    expect(rotate.statusCode).toBe(403);
    browser.csrfToken = 'x'.repeat(signedOutToken.length);
    expect((await browser.request('POST', '/me/api-key')).statusCode).toBe(403);
    // A GET changes nothing and needs no token.
    expect((await browser.request('GET', '/me')).statusCode).toBe(200);
  });

  it('refuses a wrong password, and keeps sign-up closed when the operator says so', async () => {
    const browser = new WebClient(t.app);
    const wrong = await browser.signIn('root', 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toEqual({ code: 'unauthorized', message: 'Wrong username or password' });
    expect((await browser.signIn('nobody-here', PASSWORD)).statusCode).toBe(401);

    const closed = await createTestPlatform(dialect, { signUpOpen: false }, { webRoot });
    try {
      const visitor = new WebClient(closed.app);
      expect((await visitor.ok('GET', '/session')).signUpOpen).toBe(false);
      const refused = await visitor.request('POST', '/users', { username: 'dave', password: PASSWORD });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.message).toBe('Sign-up is closed: ask the operator for an account');
    } finally {
      await closed.close();
    }
  });

  it('limits sign-ins per IP', async () => {
    const limited = await createTestPlatform(dialect, {}, { webRoot, rateLimits: { enabled: true, perIp: 1000, perUser: 1000, perSupplier: 1000, authFailures: 100, passwordChecks: 2, redisUrl: undefined, redisPrefix: 'x' } });
    try {
      await limited.platform.users.create({ username: 'erin', password: PASSWORD });
      const browser = new WebClient(limited.app);
      expect((await browser.signIn('erin', PASSWORD)).statusCode).toBe(200);
      expect((await browser.signIn('erin', PASSWORD)).statusCode).toBe(200);
      const third = await browser.signIn('erin', PASSWORD);
      expect(third.statusCode).toBe(429);
      expect(third.headers['retry-after']).toBeDefined();
    } finally {
      await limited.close();
    }
  });

  it('ends every session when the password changes (the browser that changed it keeps a new one) or an admin disables the user', async () => {
    await t.platform.users.create({ username: 'frank', password: PASSWORD });
    const laptop = new WebClient(t.app);
    const phone = new WebClient(t.app);
    await laptop.signIn('frank', PASSWORD);
    await phone.signIn('frank', PASSWORD);

    const wrongCurrent = await laptop.request('POST', '/me/password', { current: 'not it at all', next: 'a new long password' });
    expect(wrongCurrent.statusCode).toBe(400);
    expect(wrongCurrent.json().error.message).toBe('The current password is wrong');
    expect((await laptop.ok('POST', '/me/password', { current: PASSWORD, next: 'a new long password' })).user.username).toBe('frank');
    expect((await laptop.request('GET', '/me')).statusCode).toBe(200);
    expect((await phone.request('GET', '/me')).statusCode).toBe(401);
    expect((await phone.signIn('frank', PASSWORD)).statusCode).toBe(401);

    const admin = new WebClient(t.app);
    await admin.signIn('root', PASSWORD);
    expect((await admin.ok('PUT', '/admin/users/frank/disabled', { disabled: true })).disabled).toBe(true);
    expect((await laptop.request('GET', '/me')).statusCode).toBe(401);
    expect((await laptop.signIn('frank', 'a new long password')).statusCode).toBe(401);
  });

  it('keeps admin pages and calls to admins, checked on every call', async () => {
    await t.platform.users.create({ username: 'grace', password: PASSWORD });
    const user = new WebClient(t.app);
    await user.signIn('grace', PASSWORD);
    for (const [method, url] of [
      ['GET', '/admin/overview'],
      ['GET', '/admin/users'],
      ['POST', '/admin/users/grace/balance'],
      ['POST', '/admin/projects'],
      ['GET', '/admin/audit'],
      ['POST', '/admin/suppliers/SIM%20bank/gateways'],
    ] as const) {
      const response = await user.request(method, url, method === 'GET' ? undefined : { amount: 100, name: 'x', price: 1 });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(response.json().error.code).toBe('forbidden');
    }
    expect((await t.platform.users.show('grace')).balance).toBe(0);
    expect((await new WebClient(t.app).request('GET', '/admin/users')).statusCode).toBe(401);
  });

  it('asks admins who turned it on for a TOTP code, once per code', async () => {
    await t.platform.users.create({ username: 'heidi', password: PASSWORD, role: 'admin' });
    const browser = new WebClient(t.app);
    await browser.signIn('heidi', PASSWORD);
    const { secret, uri } = await browser.ok('POST', '/me/second-factor/setup');
    expect(uri).toBe(`otpauth://totp/fastpva%3Aheidi?secret=${secret}&issuer=fastpva&algorithm=SHA1&digits=6&period=30`);
    const code = () => totpCode(secret, totpStep(t.clock.now()));
    expect((await browser.request('POST', '/me/second-factor/enable', { code: '000000' === code() ? '111111' : '000000' })).statusCode).toBe(400);
    expect((await browser.ok('POST', '/me/second-factor/enable', { code: code() })).secondFactor).toBe(true);
    expect((await browser.ok('GET', '/me')).secondFactor).toBe(true);

    const other = new WebClient(t.app);
    const asked = await other.signIn('heidi', PASSWORD);
    expect(asked.statusCode).toBe(401);
    expect(asked.json().error.secondFactor).toBe('required');
    // The code that turned it on was used: the next step's code signs in, once.
    t.clock.advance(30_000);
    expect((await other.signIn('heidi', PASSWORD, code())).statusCode).toBe(200);
    const replay = await new WebClient(t.app).signIn('heidi', PASSWORD, code());
    expect(replay.json().error.secondFactor).toBe('wrong');
  });

  it('serves the user center: buy, live orders with the code, release after the 10-second rule, history and its CSV', async () => {
    const p = t.platform;
    await p.users.create({ username: 'ivan', password: PASSWORD, balance: 500 });
    const browser = new WebClient(t.app);
    await browser.signIn('ivan', PASSWORD);

    const { projects } = await browser.ok('GET', '/projects?keyword=tele');
    expect(projects).toEqual([{ myPid, name: 'Telegram', channel: 6, favourite: false, price: 30, countries: [{ country: 'GB', price: 30, count: expect.any(Number) }] }]);
    await browser.ok('PUT', `/favourites/${myPid}`);
    expect((await browser.ok('GET', '/projects?favourites=true')).projects.map((x: { myPid: number }) => x.myPid)).toEqual([myPid]);

    const order = await browser.ok('POST', '/orders', { myPid, country: 'GB' });
    expect(order).toMatchObject({ myPid, price: 30, balance: 470, country: 'GB' });
    const early = await browser.request('POST', `/orders/${order.orderId}/release`);
    expect(early.statusCode).toBe(422);
    expect(early.json().error).toMatchObject({ code: 'release_too_early', retryAfterMs: 10_000 });

    const sms = await t.app.inject({
      method: 'POST',
      url: '/supplier/v1/sms',
      headers: { authorization: `Bearer ${(await p.suppliers.rotateKey('SIM bank'))}` },
      payload: { id: 'web-1', to: order.number, from: 'Telegram', text: 'Telegram code: 51234, do not share it' },
    });
    expect(sms.json()).toEqual({ accepted: true, orderId: order.orderId });
    const live = await browser.ok('GET', '/orders/live');
    expect(live.serverTime).toBe(t.clock.now());
    expect(live.orders).toEqual([
      expect.objectContaining({ orderId: order.orderId, enname: 'Telegram', code: '51234', content: 'Telegram code: 51234, do not share it', releasableAt: order.releasableAt }),
    ]);
    t.clock.advance(10_000);
    expect(await browser.ok('POST', `/orders/${order.orderId}/release`)).toEqual({ refunded: false });

    const second = await browser.ok('POST', '/orders', { myPid });
    t.clock.advance(10_000);
    expect(await browser.ok('POST', `/orders/${second.orderId}/shield`)).toEqual({ refunded: true });
    expect((await browser.ok('GET', '/me')).balance).toBe(470);

    const received = await browser.ok('GET', `/orders?status=received&myPid=${myPid}`);
    expect(received.count).toBe(1);
    expect(received.orders[0]).toMatchObject({ orderId: order.orderId, code: '51234' });
    expect((await browser.ok('GET', `/orders?number=${second.number}`)).orders.map((o: { orderId: string }) => o.orderId)).toEqual([second.orderId]);
    expect((await browser.ok('GET', `/orders?from=${t.clock.now() + 1}`)).count).toBe(0);

    const csv = await browser.request('GET', '/orders.csv?status=received');
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="fastpva-orders-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(csv.body.split('\r\n')).toEqual([
      'order_id,created_at,project,my_pid,number,price_usd,number_status,sms_status,code,sms',
      `${order.orderId},${new Date(order.expiresAt - 900_000).toISOString()},Telegram,${myPid},${order.number},0.30,released,received,51234,"Telegram code: 51234, do not share it"`,
      '',
    ]);
    await expectLedgerConsistent(p);
  });

  it('lets a user open recharge orders and an admin pay them, adjust balances and create projects, each written to the audit log', async () => {
    const p = t.platform;
    await p.users.create({ username: 'judy', password: PASSWORD });
    const user = new WebClient(t.app);
    await user.signIn('judy', PASSWORD);
    const admin = new WebClient(t.app);
    await admin.signIn('root', PASSWORD);

    const recharge = await user.ok('POST', '/recharges', { amount: 2500, payment: 'manual' });
    expect(recharge).toMatchObject({ status: 'unpaid', amount: 2500, username: 'judy' });
    const unpaid = (await admin.ok('GET', '/admin/recharges?status=unpaid')).recharges;
    expect(unpaid.map((r: { rechargeId: string }) => r.rechargeId)).toContain(recharge.rechargeId);
    expect((await admin.ok('POST', `/admin/recharges/${recharge.rechargeId}/pay`, {})).status).toBe('paid');
    expect((await user.ok('GET', '/recharges')).recharges[0]).toMatchObject({ rechargeId: recharge.rechargeId, status: 'paid' });

    expect((await admin.ok('POST', '/admin/users/judy/balance', { amount: -500, note: 'refund by bank' })).balance).toBe(2000);
    expect((await user.ok('GET', '/me')).balance).toBe(2000);

    const project = await admin.ok('POST', '/admin/projects', { name: 'WhatsApp-9', channel: 9, countryPrices: { GB: 45, de: 50 } });
    expect(project).toMatchObject({ enname: 'WhatsApp-9', channel: 9, countryPrices: { DE: 50, GB: 45 }, enabled: true });
    await admin.ok('PUT', `/admin/users/judy/prices/${project.myPid}`, { price: 40 });
    const bad = await admin.request('POST', '/admin/projects', { name: 'X', countryPrices: { XX: 1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe('XX is not an ISO 3166 country code');

    const { entries } = await admin.ok('GET', '/admin/audit?limit=10');
    expect(entries.slice(0, 4).map((e: { action: string; target: string; actor: string }) => [e.actor, e.action, e.target])).toEqual([
      ['root', 'user.price', 'user:judy'],
      ['root', 'project.create', `project:${project.myPid}`],
      ['root', 'user.adjust_balance', 'user:judy'],
      ['root', 'recharge.pay', `recharge:${recharge.rechargeId}`],
    ]);
    expect(entries[2]).toMatchObject({ before: { balance: 2500, held: 0 }, after: { balance: 2000, held: 0, amount: -500, note: 'refund by bank' } });
    expect(entries[3]).toMatchObject({ before: { status: 'unpaid' }, after: { status: 'paid' } });
    expect(entries[0]).toMatchObject({ before: { myPid: project.myPid, price: null }, after: { myPid: project.myPid, price: 40 } });

    // A supplier's key is shown once and never written to the audit log.
    const created = await admin.ok('POST', '/admin/suppliers', { name: 'Modem pool', channels: [9] });
    expect(created.key).toMatch(/^[0-9a-f]{32}$/);
    const log = JSON.stringify((await admin.ok('GET', '/admin/audit?search=supplier')).entries);
    expect(log).toContain('Modem pool');
    expect(log).not.toContain(created.key);
  });

  it("keeps the user's webhook: a private address refused in the page's error format, a call without the CSRF token refused, clearing idempotent", async () => {
    await t.platform.users.create({ username: 'ivy', password: PASSWORD });
    const browser = new WebClient(t.app);
    await browser.signIn('ivy', PASSWORD);
    expect(await browser.ok('GET', '/webhook')).toEqual({ webhook: null });
    const refused = await browser.request('PUT', '/webhook', { url: 'http://127.0.0.1:9/hook' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('127.0.0.1') });
    expect((await browser.request('PUT', '/webhook', { url: 'https://example.com/hook' }, { csrf: false })).statusCode).toBe(403);
    expect(await browser.ok('GET', '/webhook')).toEqual({ webhook: null });
    expect(await browser.ok('GET', '/webhook/deliveries')).toEqual({ count: 0, deliveries: [] });
    expect(await browser.ok('DELETE', '/webhook')).toEqual({ webhook: null });
  });

  it('gives admins the overview, users, numbers, SMS no order took, the blacklist and the ledger audit', async () => {
    const admin = new WebClient(t.app);
    await admin.signIn('root', PASSWORD);
    await t.platform.reports.sampleOnline();
    const overview = await admin.ok('GET', '/admin/overview');
    expect(overview.ordersPerHour).toHaveLength(24);
    expect(overview.ordersPerHour.reduce((n: number, h: { received: number; failed: number }) => n + h.received + h.failed, 0)).toBeGreaterThanOrEqual(2);
    expect(overview.successRates.project).toContainEqual({ label: 'Telegram', orders: 2, received: 1, rate: 0.5 });
    expect(overview.successRates.supplier[0]).toMatchObject({ label: 'SIM bank' });
    expect(overview.moneyPerDay).toHaveLength(30);
    expect(overview.moneyPerDay.at(-1)).toMatchObject({ charged: 30, supplierShares: 21 });
    expect(overview.numbersOnline).toEqual([{ at: expect.any(Number), online: 3 }]);

    expect((await admin.ok('GET', '/admin/users?search=ivan')).users.map((u: { username: string }) => u.username)).toEqual(['ivan']);
    expect((await admin.ok('GET', '/admin/numbers?supplier=SIM%20bank&online=true')).count).toBe(3);
    expect((await admin.ok('GET', `/admin/orders?user=ivan&status=received`)).count).toBe(1);

    await t.app.inject({ method: 'POST', url: '/supplier/v1/sms', headers: { authorization: `Bearer ${await t.platform.suppliers.rotateKey('SIM bank')}` }, payload: { id: 'late-1', to: numbers[2], from: 'Bank', text: 'hello' } });
    expect((await admin.ok('GET', '/admin/sms/unmatched')).sms[0]).toMatchObject({ receiver: numbers[2], reason: 'no_live_order', text: 'hello' });

    expect(await admin.ok('POST', '/admin/blacklist', { number: numbers[2], myPid, note: 'reported' })).toEqual({ added: true });
    expect((await admin.ok('GET', `/admin/blacklist?myPid=${myPid}`)).entries).toEqual([expect.objectContaining({ number: numbers[2], reason: 'admin', note: 'reported' })]);
    expect(await admin.ok('DELETE', `/admin/blacklist/${myPid}/${numbers[2]}`)).toEqual({ removed: true });
    expect(await admin.ok('GET', '/admin/ledger')).toMatchObject({ ok: true, total: 0, mismatched: [] });
  });

  it('serves the app: its pages with a content security policy, its precompressed assets, and JSON 404s elsewhere', async () => {
    for (const url of ['/', '/buy', '/admin/users/ivan']) {
      const page = await t.app.inject(url);
      expect(page.statusCode, url).toBe(200);
      expect(page.body).toContain('<title>fastpva</title>');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['cache-control']).toBe('no-cache');
    }
    const asset = await t.app.inject({ url: '/assets/app-1a2b.js', headers: { 'accept-encoding': 'gzip' } });
    expect(asset.headers['content-encoding']).toBe('gzip');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await t.app.inject('/assets/missing.js')).statusCode).toBe(404);
    const unknown = await t.app.inject('/nope');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: { code: 'not_found', message: 'Route not found' } });
    expect((await t.app.inject('/api/web/nope')).json().error.code).toBe('not_found');

    const unbuilt = await createTestPlatform(dialect, {}, { webRoot: path.join(webRoot, 'missing') });
    try {
      const page = await unbuilt.app.inject('/');
      expect(page.statusCode).toBe(503);
      expect(page.body).toBe('The web app is not built: run npm run build, then restart the server.\n');
    } finally {
      await unbuilt.close();
    }
  });
});
