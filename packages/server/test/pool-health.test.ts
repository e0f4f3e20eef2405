// A pool that looks after itself, on SQLite and Postgres with a manual clock: number health read from
// the orders, resting after orders in a row without an SMS, the supplier's own view (stats, numbers,
// balance) over the push API, and payouts as ledger transfers from the CLI and the admin panel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { isDomainError, type DomainErrorCode } from '../src/domain/errors.js';
import { hereJson, runHere } from './helpers/cli.js';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, seedUserAndSupplier, type TestPlatform } from './helpers/platform.js';
import { WebClient } from './helpers/web.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const REST_MINUTES = 30;

async function rejectsWith(promise: Promise<unknown>, code: DomainErrorCode): Promise<void> {
  await expect(promise).rejects.toSatisfy((e: unknown) => isDomainError(e, code));
}

it('reads REST_AFTER_FAILURES and REST_MINUTES, 5 and 60 unless set', () => {
  expect(loadConfig({}).domain).toMatchObject({ restAfterFailures: 5, restMs: 60 * MINUTE });
  expect(loadConfig({ REST_AFTER_FAILURES: '0', REST_MINUTES: '15' }).domain).toMatchObject({ restAfterFailures: 0, restMs: 15 * MINUTE });
  expect(() => loadConfig({ REST_MINUTES: '0' })).toThrow(/REST_MINUTES/);
});

describe.each(DIALECTS)('pool health on %s', (dialect) => {
  let t: TestPlatform;
  let sms = 0;
  const push = (supplierId: number, to: string, text = 'Telegram code 56032') =>
    t.platform.inboundSms.receive({ source: 'supplier-push', sourceKey: `m${++sms}`, supplierId, receiver: to, sender: 'Telegram', text, receivedAt: t.clock.now() });
  const supplierGet = async (path: string, key: string | null) => {
    const res = await t.app.inject({ method: 'GET', url: `/supplier/v1${path}`, headers: key === null ? {} : { authorization: `Bearer ${key}` } });
    return { status: res.statusCode, body: res.json() as any, raw: res.body };
  };
  const iso = (ms: number) => new Date(ms).toISOString();

  beforeAll(async () => {
    t = await createTestPlatform(dialect, { restAfterFailures: 3, restMs: REST_MINUTES * MINUTE });
  });
  afterAll(async () => t?.close());

  it('rests a number after orders in a row without SMS, hands it out again when the rest ends, and clears the count on an SMS', async () => {
    const p = t.platform;
    const s = await seedUserAndSupplier(p, { username: 'resty', supplier: 'rest-rack', count: 1, prefix: '4477031', channel: 31 });
    const [number] = s.numbers as [string];
    const [a, b] = [
      await p.catalog.createProject({ enname: 'Telegram-31', price: 10, channel: 31, service: 'Telegram' }),
      await p.catalog.createProject({ enname: 'Telegram Shop-31', price: 20, channel: 31, service: 'Telegram' }),
    ];
    const take = (myPid = a.myPid) => p.orders.acquire({ userId: s.userId, myPid });
    const releaseSoon = async (orderId: string) => {
      t.clock.advance(10_000);
      await p.orders.release(s.userId, orderId);
    };

    // Two released without an SMS: counted, not yet rested.
    await releaseSoon((await take()).orderId);
    await releaseSoon((await take()).orderId);
    expect((await p.numbers.show(number)).health).toMatchObject({ orders: 2, delivered: 0, failuresInRow: 2, rest: null });
    // An SMS after its order ended is kept, never delivered: it does not clear the count.
    expect((await push(s.supplierId, number)).reason).toBe('no_live_order');

    // The third ends by expiry: the number rests, and nobody gets it.
    const third = await take();
    t.clock.advance(p.config.orderTtlMs);
    expect(await p.orders.expireDue()).toBe(1);
    const restedAt = t.clock.now();
    const until = restedAt + REST_MINUTES * MINUTE;
    const rested = await p.numbers.show(number);
    expect(rested.health).toMatchObject({ orders: 3, failuresInRow: 3 });
    expect(rested.health.rest).toEqual({ until, failures: 3, reason: `rested: 3 orders in a row without SMS until ${iso(until)}` });
    expect(rested.online).toBe(true);
    await rejectsWith(take(), 'NO_NUMBERS');
    await rejectsWith(p.orders.acquire({ userId: s.userId, myPid: a.myPid, number }), 'NO_NUMBERS');
    expect(third.number).toBe(number);

    // Admins see why (the command runs on the system clock, so only the count is checked there).
    expect((await p.numbers.list({ supplier: 'rest-rack', page: 1, limit: 10 })).numbers[0]!.health.rest).toEqual(rested.health.rest);
    const listed = await hereJson<any>(['admin', 'number', 'list', '--supplier', 'rest-rack', '--db', t.database.url]);
    expect(listed.numbers[0].health).toMatchObject({ orders: 3, failuresInRow: 3 });
    const text = await runHere(['admin', 'number', 'show', '--number', number, '--db', t.database.url]);
    expect(text.stdout).toMatch(/^health: +3 orders, 0 with SMS, last SMS never, 3 in a row without SMS$/m);

    t.clock.advance(REST_MINUTES * MINUTE - 1);
    await rejectsWith(take(), 'NO_NUMBERS');
    t.clock.advance(1);
    expect((await p.numbers.show(number)).health.rest).toBeNull();

    // After the rest, one more order without an SMS rests it again at once: the count went on.
    await releaseSoon((await take()).orderId);
    expect((await p.numbers.show(number)).health.rest).toMatchObject({ failures: 4, until: t.clock.now() + REST_MINUTES * MINUTE });
    t.clock.advance(REST_MINUTES * MINUTE);

    // An SMS delivered clears the count; health is per project, with the last SMS.
    const served = await take(b.myPid);
    t.clock.advance(5000);
    expect((await push(s.supplierId, number)).orderId).toBe(served.orderId);
    const smsAt = t.clock.now();
    await releaseSoon(served.orderId);
    expect((await p.numbers.show(number)).health).toEqual({
      orders: 5,
      delivered: 1,
      lastSmsAt: smsAt,
      failuresInRow: 0,
      rest: null,
      projects: [
        { myPid: a.myPid, enname: 'Telegram-31', orders: 4, delivered: 0, lastSmsAt: null },
        { myPid: b.myPid, enname: 'Telegram Shop-31', orders: 1, delivered: 1, lastSmsAt: smsAt },
      ],
    });
    await expectLedgerConsistent(p);
  });

  it('never rests a number when REST_AFTER_FAILURES is 0, but still counts', async () => {
    const never = await createTestPlatform(dialect, { restAfterFailures: 0 });
    try {
      const p = never.platform;
      const s = await seedUserAndSupplier(p, { count: 1, channel: 33 });
      const project = await p.catalog.createProject({ enname: 'Telegram-33', price: 10, channel: 33, service: 'Telegram' });
      for (let i = 0; i < 6; i++) {
        const order = await p.orders.acquire({ userId: s.userId, myPid: project.myPid });
        never.clock.advance(10_000);
        await p.orders.release(s.userId, order.orderId);
      }
      expect((await p.numbers.show(s.numbers[0]!)).health).toMatchObject({ orders: 6, failuresInRow: 6, rest: null });
    } finally {
      await never.close();
    }
  });

  describe('the supplier view', () => {
    let key: string;
    let otherKey: string;
    let numbers: string[];
    let today: number;

    beforeAll(async () => {
      const p = t.platform;
      const s = await seedUserAndSupplier(p, { username: 'viewer', supplier: 'view-rack', count: 3, prefix: '4477032', channel: 32, balance: 100_000 });
      [key, numbers] = [s.supplierKey, s.numbers];
      otherKey = (await p.suppliers.create({ name: 'view-other', channels: [32] })).key;
      const project = await p.catalog.createProject({ enname: 'Telegram-32', price: 100, channel: 32, service: 'Telegram' });
      // Yesterday: two orders, one with an SMS. Today: one with an SMS, one without, one still live.
      const order = async (withSms: boolean, end = true) => {
        const o = await p.orders.acquire({ userId: s.userId, myPid: project.myPid });
        if (withSms) await push(s.supplierId, o.number);
        if (end) {
          t.clock.advance(10_000);
          await p.orders.release(s.userId, o.orderId);
        }
      };
      today = (Math.floor(t.clock.now() / DAY) + 1) * DAY;
      await order(true);
      await order(false);
      t.clock.advance(today + 9 * 3_600_000 - t.clock.now());
      await order(true);
      await order(false);
      await order(false, false);
    });

    it('refuses calls without a valid supplier key', async () => {
      for (const path of ['/stats', '/numbers', '/balance']) {
        expect(await supplierGet(path, null)).toMatchObject({ status: 401, raw: '{"error":{"code":"unauthorized","message":"Unknown supplier key"}}' });
        expect((await supplierGet(path, 'f'.repeat(32))).status).toBe(401);
      }
    });

    it('shows orders, SMS delivered, success rate and earnings by day', async () => {
      const day = (ms: number) => iso(ms).slice(0, 10);
      const { status, body } = await supplierGet('/stats', key);
      expect(status).toBe(200);
      // Thirty days up to today, every day present.
      expect(body.days).toHaveLength(30);
      expect(body).toMatchObject({ from: day(today - 29 * DAY), to: day(today) });
      // 70% of a 100-cent charge is 70 cents.
      expect(body.days.slice(-2)).toEqual([
        { date: day(today - DAY), orders: 2, delivered: 1, successRate: 0.5, earnings: 70 },
        { date: day(today), orders: 3, delivered: 1, successRate: 0.5, earnings: 70 },
      ]);
      expect(body.days[0]).toEqual({ date: day(today - 29 * DAY), orders: 0, delivered: 0, successRate: null, earnings: 0 });
      expect(body.total).toEqual({ orders: 5, delivered: 2, successRate: 0.5, earnings: 140 });

      const one = await supplierGet(`/stats?from=${day(today - DAY)}&to=${day(today - DAY)}`, key);
      expect(one.body).toEqual({
        from: day(today - DAY),
        to: day(today - DAY),
        days: [{ date: day(today - DAY), orders: 2, delivered: 1, successRate: 0.5, earnings: 70 }],
        total: { orders: 2, delivered: 1, successRate: 0.5, earnings: 70 },
      });
      // Another supplier sees only its own (nothing).
      expect((await supplierGet('/stats', otherKey)).body.total).toEqual({ orders: 0, delivered: 0, successRate: null, earnings: 0 });
    });

    it('refuses bad ranges and parameters with a clear error', async () => {
      const bad = async (query: string, message: RegExp) => {
        const { status, body } = await supplierGet(`/stats?${query}`, key);
        expect(status).toBe(400);
        expect(body.error.code).toBe('invalid_input');
        expect(body.error.message).toMatch(message);
      };
      await bad('from=2026-01-10&to=2026-01-09', /from is after to/);
      await bad('from=2024-01-01&to=2026-01-01', /At most 366 days/);
      await bad('from=yesterday', /^from: /);
      await bad('to=2026-02-30', /^to: /);
      await bad('form=2026-01-01', /form/);
      const numbersBad = await supplierGet('/numbers?page=0', key);
      expect(numbersBad).toMatchObject({ status: 400, body: { error: { code: 'invalid_input' } } });
      expect(numbersBad.body.error.message).toMatch(/^page: /);
      expect((await supplierGet('/numbers?online=maybe', key)).status).toBe(400);
    });

    it("lists the supplier's own numbers with status and health, a page at a time", async () => {
      const first = await supplierGet('/numbers?limit=2', key);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ count: 3, page: 1 });
      expect(first.body.numbers.map((n: any) => n.number)).toEqual(numbers.slice(0, 2));
      const second = await supplierGet('/numbers?limit=2&page=2', key);
      expect(second.body.numbers.map((n: any) => n.number)).toEqual(numbers.slice(2));
      const all = (await supplierGet('/numbers', key)).body.numbers as any[];
      expect(all.reduce((n, x) => n + x.health.orders, 0)).toBe(5);
      expect(all.reduce((n, x) => n + x.health.delivered, 0)).toBe(2);
      expect(all.filter((x) => x.busy)).toHaveLength(1);
      const used = all.find((x) => x.health.delivered > 0);
      expect(used).toMatchObject({ country: 'GB', operator: 'any', online: true, health: { rest: null } });
      expect(Object.keys(used).sort()).toEqual(['busy', 'country', 'createdAt', 'health', 'lastSeenAt', 'number', 'online', 'operator']);
      expect(used.health.projects[0]).toMatchObject({ project: 'Telegram-32', lastSmsAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
      expect((await supplierGet('/numbers?online=false', key)).body).toEqual({ count: 0, page: 1, numbers: [] });
      expect((await supplierGet('/numbers', otherKey)).body).toEqual({ count: 0, page: 1, numbers: [] });
    });

    it('pays out from the CLI as a ledger transfer, at most the balance, audited', async () => {
      expect((await supplierGet('/balance', key)).body).toEqual({ balance: 140, earned: 140, paidOut: 0 });
      const cli = (...args: string[]) => runHere(['admin', 'supplier', 'payout', '--supplier', 'view-rack', ...args, '--db', t.database.url, '--json']);

      const over = await cli('--amount', '141');
      expect(over.code).not.toBe(0);
      expect(over.stdout + over.stderr).toContain('A payout of 141 cents exceeds the balance of view-rack, 140 cents');
      expect((await cli('--amount', '0')).code).not.toBe(0);

      const paid = await cli('--amount', '100', '--note', 'bank transfer 42');
      expect(paid.code, paid.stderr).toBe(0);
      expect(JSON.parse(paid.stdout)).toEqual({ supplier: 'view-rack', amount: 100, note: 'bank transfer 42', balance: 40 });
      expect((await supplierGet('/balance', key)).body).toEqual({ balance: 40, earned: 140, paidOut: 100 });
      expect((await t.platform.suppliers.show('view-rack')).balance).toBe(40);
      await expectLedgerConsistent(t.platform);

      // Only the accepted payout is in the audit log.
      const { entries } = await t.platform.audit.list({ page: 1, limit: 10, target: 'supplier:view-rack' });
      expect(entries.map((e) => e.action)).toEqual(['supplier.payout']);
      expect(entries[0]).toMatchObject({
        actor: expect.stringMatching(/^cli:/),
        before: { balance: 140 },
        after: { supplier: 'view-rack', amount: 100, note: 'bank transfer 42', balance: 40 },
      });
    });

    it('pays out from the admin panel, audited with the admin, and shows health on its numbers', async () => {
      await t.platform.users.create({ username: 'boss', password: 'correct horse battery', role: 'admin' });
      const web = new WebClient(t.app);
      expect((await web.signIn('boss', 'correct horse battery')).statusCode).toBe(200);

      const refused = await web.request('POST', '/admin/suppliers/view-rack/payouts', { amount: 41 });
      expect(refused.statusCode).toBe(422);
      expect(refused.json()).toMatchObject({ error: { message: 'A payout of 41 cents exceeds the balance of view-rack, 40 cents' } });
      expect((await web.request('POST', '/admin/suppliers/view-rack/payouts', { amount: -5 })).statusCode).toBe(400);
      expect((await web.request('POST', '/admin/suppliers/nobody/payouts', { amount: 5 })).statusCode).toBe(404);

      expect(await web.ok('POST', '/admin/suppliers/view-rack/payouts', { amount: 40 })).toEqual({ supplier: 'view-rack', amount: 40, note: '', balance: 0 });
      expect((await supplierGet('/balance', key)).body).toEqual({ balance: 0, earned: 140, paidOut: 140 });
      await expectLedgerConsistent(t.platform);
      const { entries } = await t.platform.audit.list({ page: 1, limit: 10, target: 'supplier:view-rack' });
      expect(entries[0]).toMatchObject({ actor: 'boss', action: 'supplier.payout', before: { balance: 40 }, after: { balance: 0 } });

      const listed = await web.ok('GET', '/admin/numbers?supplier=view-rack');
      expect(listed.numbers.reduce((n: number, x: any) => n + x.health.orders, 0)).toBe(5);
    });
  });
});
