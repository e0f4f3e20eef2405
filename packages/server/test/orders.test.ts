// The order lifecycle and the ledger behind it, through the domain, on SQLite and on Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError, type DomainErrorCode } from '../src/domain/errors.js';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, seedUserAndSupplier, type TestPlatform } from './helpers/platform.js';

async function rejectsWith(promise: Promise<unknown>, code: DomainErrorCode): Promise<void> {
  await expect(promise).rejects.toSatisfy((e: unknown) => isDomainError(e, code));
}

describe.each(DIALECTS)('orders on %s', (dialect) => {
  let t: TestPlatform;
  let sms = 0;
  const push = (supplierId: number, to: string, text: string, id = `m${++sms}`) =>
    t.platform.inboundSms.receive({ source: 'supplier-push', sourceKey: id, supplierId, receiver: to, sender: 'Telegram', text, receivedAt: t.clock.now() });

  beforeAll(async () => {
    t = await createTestPlatform(dialect);
  });
  afterAll(async () => t?.close());

  it('holds on getNumber, charges on the first SMS, keeps the charge on release', async () => {
    const p = t.platform;
    const s = await seedUserAndSupplier(p, { username: 'user1', supplier: 's1', balance: 1000, count: 1, prefix: '4477001', channel: 21 });
    const project = await p.catalog.createProject({ enname: 'Telegram-21', price: 30, channel: 21 });

    const order = await p.orders.acquire({ userId: s.userId, myPid: project.myPid });
    expect(order).toMatchObject({ number: s.numbers[0], price: 30, balance: 970 });
    expect(order.orderId).toMatch(/^[0-9a-f]{24}$/);
    expect(await p.orders.getCode(s.userId, order.orderId)).toEqual({ number: s.numbers[0], balance: 970, sms: null });
    expect((await p.stats.live()).holds.count).toBe(1);

    const received = await push(s.supplierId, `+${s.numbers[0]}`, 'Telegram code 56032');
    expect(received).toEqual({ orderId: order.orderId, reason: null, duplicate: false });
    // Available balance stays put when the hold becomes a charge (spec: 2806 before and after).
    expect(await p.orders.getCode(s.userId, order.orderId)).toEqual({
      number: s.numbers[0],
      balance: 970,
      sms: { code: '56032', content: 'Telegram code 56032' },
    });
    expect((await p.stats.live()).holds.count).toBe(0);

    // A second SMS is kept as the latest; it is never charged again.
    await push(s.supplierId, s.numbers[0]!, 'Telegram code 11223');
    expect((await p.orders.getCode(s.userId, order.orderId)).sms).toEqual({ code: '11223', content: 'Telegram code 11223' });

    await rejectsWith(p.orders.release(s.userId, order.orderId), 'RELEASE_TOO_EARLY');
    t.clock.advance(10_000);
    expect(await p.orders.release(s.userId, order.orderId)).toEqual({ refunded: false });
    expect(await p.orders.release(s.userId, order.orderId)).toEqual({ refunded: false }); // idempotent
    expect(await p.users.info(s.userId)).toMatchObject({ balance: 970 });

    // The supplier got its 70% share of the charge.
    const audit = await p.ledger.audit(p.store);
    const supplierAccount = audit.accounts.find((a) => a.kind === 'supplier' && a.balance > 0);
    expect(supplierAccount?.balance).toBe(21);
    await expectLedgerConsistent(p);
  });

  it('refunds on release without SMS, on expiry, and never reuses a number for a project it served', async () => {
    const p = t.platform;
    const s = await seedUserAndSupplier(p, { username: 'user2', supplier: 's2', balance: 100, count: 1, prefix: '4477002', channel: 22 });
    const [a, b] = await Promise.all([
      p.catalog.createProject({ enname: 'Tinder-22', price: 25, channel: 22 }),
      p.catalog.createProject({ enname: 'Discord-22', price: 10, channel: 22 }),
    ]);

    const first = await p.orders.acquire({ userId: s.userId, myPid: a.myPid });
    expect(first.balance).toBe(75);
    t.clock.advance(10_000);
    expect(await p.orders.release(s.userId, first.orderId)).toEqual({ refunded: true });
    expect((await p.users.info(s.userId)).balance).toBe(100);

    const second = await p.orders.acquire({ userId: s.userId, myPid: a.myPid });
    t.clock.advance(15 * 60_000);
    expect(await p.orders.expireDue()).toBeGreaterThanOrEqual(1);
    const [expired] = (await p.orders.list(s.userId, { page: 1, limit: 10, orderId: second.orderId })).orders;
    expect(expired).toMatchObject({ numberStatus: 'released', smsStatus: 'failed', balanceAfter: 100 });
    expect((await p.users.info(s.userId)).balance).toBe(100);

    // A late SMS is stored for admins, never charged.
    expect(await push(s.supplierId, s.numbers[0]!, 'Your Tinder code is 123456')).toEqual({ orderId: null, reason: 'no_live_order', duplicate: false });
    expect((await p.users.info(s.userId)).balance).toBe(100);

    // Used for project a (it received an SMS there): never again for a, still fine for b.
    const third = await p.orders.acquire({ userId: s.userId, myPid: a.myPid });
    await push(s.supplierId, s.numbers[0]!, 'Your Tinder code is 654321');
    t.clock.advance(10_000);
    await p.orders.release(s.userId, third.orderId);
    await rejectsWith(p.orders.acquire({ userId: s.userId, myPid: a.myPid }), 'NO_NUMBERS');
    const other = await seedUserAndSupplier(p, { username: 'user2b', supplier: 's2b', count: 0, channel: 22 });
    await rejectsWith(p.orders.acquire({ userId: other.userId, myPid: a.myPid, number: s.numbers[0] }), 'NO_NUMBERS');
    // ...except for the same user asking for it by number (DESIGN §3).
    const again = await p.orders.acquire({ userId: s.userId, myPid: a.myPid, number: s.numbers[0] });
    t.clock.advance(10_000);
    await p.orders.release(s.userId, again.orderId);
    const onB = await p.orders.acquire({ userId: s.userId, myPid: b.myPid });
    expect(onB.number).toBe(s.numbers[0]);
    t.clock.advance(10_000);
    await p.orders.release(s.userId, onB.orderId);
    await expectLedgerConsistent(p);
  });

  it('shield blacklists the number for the project only', async () => {
    const p = t.platform;
    const s = await seedUserAndSupplier(p, { username: 'user3', supplier: 's3', count: 1, prefix: '4477003', channel: 23 });
    const [a, b] = await Promise.all([
      p.catalog.createProject({ enname: 'Uber-23', price: 5, channel: 23 }),
      p.catalog.createProject({ enname: 'Lyft-23', price: 5, channel: 23 }),
    ]);
    const order = await p.orders.acquire({ userId: s.userId, myPid: a.myPid });
    await rejectsWith(p.orders.shield(s.userId, order.orderId), 'RELEASE_TOO_EARLY');
    t.clock.advance(10_000);
    expect(await p.orders.shield(s.userId, order.orderId)).toEqual({ refunded: true });
    await rejectsWith(p.orders.acquire({ userId: s.userId, myPid: a.myPid }), 'NO_NUMBERS');
    await rejectsWith(p.orders.acquire({ userId: s.userId, myPid: a.myPid, number: s.numbers[0] }), 'NO_NUMBERS');
    const onB = await p.orders.acquire({ userId: s.userId, myPid: b.myPid });
    expect(onB.number).toBe(s.numbers[0]);
    await expectLedgerConsistent(p);
  });

  it('prices by country and by user, and refuses what it cannot serve', async () => {
    const p = t.platform;
    const s = await seedUserAndSupplier(p, { username: 'user4', supplier: 's4', balance: 50, count: 2, country: 'NL', prefix: '316000', channel: 24 });
    const depop = await p.catalog.createProject({ enname: 'Depop-24', countryPrices: { GB: 30, NL: 12, FR: 38 }, channel: 24 });
    expect(depop).toMatchObject({ supportCountry: true, countryPrices: { FR: 38, GB: 30, NL: 12 } });

    await rejectsWith(p.orders.acquire({ userId: s.userId, myPid: depop.myPid, locale: 'US' }), 'COUNTRY_NOT_SUPPORTED');
    await rejectsWith(p.orders.acquire({ userId: s.userId, myPid: depop.myPid, locale: 'GB' }), 'NO_NUMBERS');
    await rejectsWith(p.orders.acquire({ userId: s.userId, myPid: 999_999 }), 'PROJECT_NOT_FOUND');
    const nl = await p.orders.acquire({ userId: s.userId, myPid: depop.myPid, locale: 'nl' });
    expect(nl).toMatchObject({ country: 'NL', price: 12, balance: 38 });

    const expensive = await p.catalog.createProject({ enname: 'Costly-24', price: 5000, channel: 24 });
    await rejectsWith(p.orders.acquire({ userId: s.userId, myPid: expensive.myPid }), 'INSUFFICIENT_BALANCE');

    await p.catalog.setUserPrice('user4', depop.myPid, 7);
    const mine = await p.orders.acquire({ userId: s.userId, myPid: depop.myPid });
    expect(mine).toMatchObject({ country: 'NL', price: 7, balance: 31 });

    const lonely = await p.catalog.createProject({ enname: 'Nowhere-9', price: 1, channel: 9 });
    await rejectsWith(p.orders.acquire({ userId: s.userId, myPid: lonely.myPid }), 'CHANNEL_UNAVAILABLE');
    await expectLedgerConsistent(p);
  });

  it('takes each supplier message once, and only on its own numbers', async () => {
    const p = t.platform;
    const s = await seedUserAndSupplier(p, { username: 'user5', supplier: 's5', count: 1, prefix: '4477005', channel: 25 });
    const intruder = await p.suppliers.create({ name: 'intruder' });
    const project = await p.catalog.createProject({ enname: 'Viber-25', price: 20, channel: 25 });
    const order = await p.orders.acquire({ userId: s.userId, myPid: project.myPid });

    await rejectsWith(push(intruder.id, s.numbers[0]!, 'Viber code 111111', 'x1'), 'UNKNOWN_NUMBER');
    const once = await push(s.supplierId, s.numbers[0]!, 'Viber code 222222', 'dup-1');
    const twice = await push(s.supplierId, s.numbers[0]!, 'Viber code 222222', 'dup-1');
    expect(once).toEqual({ orderId: order.orderId, reason: null, duplicate: false });
    expect(twice).toEqual({ orderId: order.orderId, reason: null, duplicate: true });
    // The same message id from another supplier is another message.
    expect((await p.orders.list(s.userId, { page: 1, limit: 1, orderId: order.orderId })).orders[0]?.smsStatus).toBe('received');
    await expectLedgerConsistent(p);
  });

  it('opens recharge orders and credits them once when paid', async () => {
    const p = t.platform;
    const user = await p.users.create({ username: 'payer' });
    const recharge = await p.recharges.open(user.id, 100, 'usdt-trc20');
    expect(recharge).toMatchObject({ status: 'unpaid', amount: 100, orderAmt: 100, payment: 'USDT-TRC20' });
    await rejectsWith(p.recharges.open(user.id, 100, 'paypal'), 'PAYMENT_METHOD_UNKNOWN');
    const paid = await p.recharges.markPaid(recharge.rechargeId, 93);
    expect(paid).toMatchObject({ status: 'paid', amount: 100, orderAmt: 93 });
    await rejectsWith(p.recharges.markPaid(recharge.rechargeId), 'RECHARGE_ALREADY_PAID');
    expect((await p.users.info(user.id)).balance).toBe(100);
    expect(await p.recharges.list(user.id, { page: 1, limit: 10, status: 'unpaid' })).toEqual([]);
    expect(await p.users.adjustBalance('payer', -40, 'correction')).toBe(60);
    await rejectsWith(p.users.adjustBalance('payer', -61, 'too much'), 'INSUFFICIENT_BALANCE');
    await expectLedgerConsistent(p);
  });

  it('audits the ledger: a tampered balance or money out of nowhere is caught', async () => {
    const p = t.platform;
    const user = await p.users.create({ username: 'audited', balance: 500 });
    await expectLedgerConsistent(p);
    const db = t.store.kysely;
    await db.updateTable('accounts').set((eb) => ({ balance: eb('balance', '+', 1) })).where('user_id', '=', user.id).execute();
    const tampered = await p.ledger.audit(p.store);
    expect(tampered.ok).toBe(false);
    expect(tampered.mismatched).toMatchObject([{ kind: 'user', balance: 501, derivedBalance: 500 }]);
    expect(tampered.total).toBe(1); // a cent appeared from nowhere
    await db.updateTable('accounts').set((eb) => ({ balance: eb('balance', '-', 1) })).where('user_id', '=', user.id).execute();
    await expectLedgerConsistent(p);
  });

  it('rotates API keys: the old key stops working at once', async () => {
    const p = t.platform;
    const user = await p.users.create({ username: 'rotor', password: 'correct horse battery' });
    expect((await p.users.authenticate(user.apiKey)).id).toBe(user.id);
    const next = await p.users.rotateApiKey('rotor');
    await rejectsWith(p.users.authenticate(user.apiKey), 'UNAUTHORIZED');
    expect((await p.users.authenticate(next)).id).toBe(user.id);
    expect((await p.users.login('rotor', 'correct horse battery')).id).toBe(user.id);
    await rejectsWith(p.users.login('rotor', 'wrong horse battery'), 'UNAUTHORIZED');
  });
});
