// Fair use through the domain on SQLite and Postgres: the active-order cap (also under concurrency),
// shields per user with a quorum, the admin blacklist, recharge limits and expiry, and SMS that
// arrive with NUL characters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError, type DomainErrorCode } from '../src/domain/errors.js';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, seedUserAndSupplier, type TestPlatform } from './helpers/platform.js';

async function rejectsWith(promise: Promise<unknown>, code: DomainErrorCode): Promise<void> {
  await expect(promise).rejects.toSatisfy((e: unknown) => isDomainError(e, code));
}

describe.each(DIALECTS)('fair use on %s', (dialect) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await createTestPlatform(dialect, { maxActiveOrders: 3, shieldQuorum: 2, maxOpenRecharges: 2, rechargeTtlMs: 60_000, releaseAfterMs: 0 });
  });
  afterAll(async () => t?.close());

  it('caps live orders per user, also for concurrent callers, and frees a slot when an order ends', async () => {
    const p = t.platform;
    const s = await seedUserAndSupplier(p, { username: 'capped', supplier: 'cap bank', count: 12, prefix: '4477101', channel: 31 });
    const { myPid } = await p.catalog.createProject({ enname: 'Telegram-31', price: 5, channel: 31 });
    const results = await Promise.allSettled([...Array(8)].map(() => p.orders.acquire({ userId: s.userId, myPid })));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(3);
    for (const r of results) if (r.status === 'rejected') expect(isDomainError(r.reason, 'TOO_MANY_ACTIVE_ORDERS')).toBe(true);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason.message).toBe('Too many active orders: release or finish some first');
    expect((await p.users.info(s.userId)).balance).toBe(10_000 - 3 * 5); // the refusals wrote nothing

    // An order that ends gives its slot back; a user's own cap overrides the default (0: none).
    const first = (won[0] as PromiseFulfilledResult<{ orderId: string }>).value;
    await p.orders.release(s.userId, first.orderId);
    await p.orders.acquire({ userId: s.userId, myPid });
    await rejectsWith(p.orders.acquire({ userId: s.userId, myPid }), 'TOO_MANY_ACTIVE_ORDERS');
    await t.store.kysely.updateTable('users').set({ max_active_orders: 0 }).where('id', '=', s.userId).execute();
    await p.orders.acquire({ userId: s.userId, myPid });
    await expectLedgerConsistent(p);
  });

  it('keeps a shielded number away from its shielder only, until a quorum of users shielded it', async () => {
    const p = t.platform;
    const a = await seedUserAndSupplier(p, { username: 'shielder-a', supplier: 'shield bank', count: 1, prefix: '4477102', channel: 32 });
    const b = await p.users.create({ username: 'shielder-b', balance: 100 });
    const c = await p.users.create({ username: 'shielder-c', balance: 100 });
    const { myPid } = await p.catalog.createProject({ enname: 'Tinder-32', price: 5, channel: 32 });
    const number = a.numbers[0]!;

    const taken = await p.orders.acquire({ userId: a.userId, myPid });
    expect(await p.orders.shield(a.userId, taken.orderId)).toEqual({ refunded: true });
    await rejectsWith(p.orders.acquire({ userId: a.userId, myPid }), 'NO_NUMBERS'); // away from a
    const byB = await p.orders.acquire({ userId: b.id, myPid }); // everyone else still gets it
    expect(byB.number).toBe(number);
    expect((await p.blacklist.list({ page: 1, limit: 10 })).count).toBe(0);

    await p.orders.shield(b.id, byB.orderId); // the second distinct user: the quorum of 2
    await rejectsWith(p.orders.acquire({ userId: c.id, myPid }), 'NO_NUMBERS');
    expect((await p.blacklist.list({ page: 1, limit: 10, myPid })).entries).toMatchObject([{ number, myPid, reason: 'quorum', shields: 2 }]);

    // An admin gives it back: c gets it, the two who shielded it still do not.
    await p.blacklist.remove({ number: `+${number}`, myPid });
    await rejectsWith(p.blacklist.remove({ number, myPid }), 'NOT_FOUND');
    await rejectsWith(p.orders.acquire({ userId: a.userId, myPid }), 'NO_NUMBERS');
    const byC = await p.orders.acquire({ userId: c.id, myPid });
    expect(byC.number).toBe(number);
    await p.orders.release(c.id, byC.orderId);

    // And takes it out for everyone by hand.
    expect(await p.blacklist.add({ number, myPid, note: 'reported stolen' })).toBe(true);
    expect(await p.blacklist.add({ number, myPid })).toBe(false);
    await rejectsWith(p.orders.acquire({ userId: c.id, myPid }), 'NO_NUMBERS');
    expect((await p.blacklist.list({ page: 1, limit: 10, number })).entries).toMatchObject([{ reason: 'admin', note: 'reported stolen' }]);
    await rejectsWith(p.blacklist.add({ number: '447999999999', myPid }), 'NOT_FOUND');
    await rejectsWith(p.blacklist.add({ number, myPid: 999_999 }), 'PROJECT_NOT_FOUND');
    await expectLedgerConsistent(p);
  });

  it('limits open recharge orders per user; unpaid ones expire and stop counting', async () => {
    const p = t.platform;
    const user = await p.users.create({ username: 'topper' });
    const first = await p.recharges.open(user.id, 100, 'manual');
    await p.recharges.open(user.id, 200, 'manual');
    await rejectsWith(p.recharges.open(user.id, 300, 'manual'), 'TOO_MANY_OPEN_RECHARGES');
    t.clock.advance(60_000);
    expect((await p.recharges.list(user.id, { page: 1, limit: 10, status: 'expired' })).map((r) => r.amount).sort()).toEqual([100, 200]);
    expect(await p.recharges.list(user.id, { page: 1, limit: 10, status: 'unpaid' })).toEqual([]);
    await p.recharges.open(user.id, 300, 'manual');
    // The payment of an expired order arrived late: the admin may still credit it.
    expect(await p.recharges.markPaid(first.rechargeId)).toMatchObject({ status: 'paid', amount: 100 });
    expect((await p.users.info(user.id)).balance).toBe(100);
    await expectLedgerConsistent(p);
  });

  it('strips NUL from an SMS instead of failing on it forever', async () => {
    const p = t.platform;
    const s = await seedUserAndSupplier(p, { username: 'nul', supplier: 'nul bank', count: 1, prefix: '4477103', channel: 33 });
    const { myPid } = await p.catalog.createProject({ enname: 'Telegram-33', price: 5, channel: 33 });
    const order = await p.orders.acquire({ userId: s.userId, myPid });
    const text = 'Telegram code: 51\u0000234';
    const received = await p.inboundSms.receive({ source: 'test', sourceKey: 'n1', supplierId: s.supplierId, receiver: s.numbers[0]!, sender: 'Tele\u0000gram', text, receivedAt: t.clock.now() });
    expect(received.orderId).toBe(order.orderId);
    expect((await p.orders.getCode(s.userId, order.orderId)).sms).toEqual({ code: '51234', content: 'Telegram code: 51234' });
  });
});

describe.each(DIALECTS)('an SMS must belong to its order on %s', (dialect) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await createTestPlatform(dialect);
  });
  afterAll(async () => t?.close());

  it("charges only for the order's own service: other services' codes and carrier notices are kept for admins", async () => {
    const p = t.platform;
    const s = await seedUserAndSupplier(p, { username: 'judged', supplier: 'judge bank', balance: 100, count: 1, prefix: '4477201', channel: 41 });
    const { myPid } = await p.catalog.createProject({ enname: 'Telegram-41', price: 30, channel: 41 });
    const order = await p.orders.acquire({ userId: s.userId, myPid });
    let id = 0;
    const push = (sender: string, text: string) =>
      t.app.inject({
        method: 'POST',
        url: '/supplier/v1/sms',
        headers: { authorization: `Bearer ${s.supplierKey}` },
        payload: { id: `j${++id}`, to: s.numbers[0], from: sender, text },
      });

    // A cheap Telegram order must not receive WhatsApp's code; a carrier's notice costs nothing.
    const foreign = await push('WhatsApp', 'Your WhatsApp code: 123-456\n\nDon\'t share this code with others');
    expect(foreign.body).toBe('{"accepted":true,"orderId":null,"reason":"other_service"}');
    const notice = await push('Vodafone', 'Your balance is low: top up now and get 10% extra data.');
    expect(notice.body).toBe('{"accepted":true,"orderId":null,"reason":"no_code"}');
    expect(await p.orders.getCode(s.userId, order.orderId)).toEqual({ number: s.numbers[0], balance: 70, sms: null });

    // Its own service's code is delivered and charged, as before.
    const own = await push('Telegram', 'Telegram code: 48213');
    expect(own.json()).toEqual({ accepted: true, orderId: order.orderId });
    expect((await p.orders.getCode(s.userId, order.orderId)).sms).toEqual({ code: '48213', content: 'Telegram code: 48213' });
    expect((await p.users.info(s.userId)).balance).toBe(70);

    const kept = await p.inboundSms.unmatched(10);
    expect(kept.map((k) => [k.reason, k.candidateOrderId, k.sender])).toEqual([
      ['no_code', order.orderId, 'Vodafone'],
      ['other_service', order.orderId, 'WhatsApp'],
    ]);
    await expectLedgerConsistent(p);
  });
});
