// The whole lifecycle through HTTP, as an operator, a supplier and a customer live it: entities made
// with the `fastpva` CLI, numbers and SMS through the supplier push API, everything else through the
// FASTPVA API. Time is a manual clock moved by the test; the real expiry sweeper job does the expiring.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { ManualClock } from '../src/domain/clock.js';
import { createPlatform, type Platform } from '../src/domain/platform.js';
import { startExpirySweeper, type Job } from '../src/jobs/expiry.js';
import { Store } from '../src/store/store.js';
import { cliJson } from './helpers/cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './helpers/databases.js';

describe.each(DIALECTS)('lifecycle over HTTP on %s', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  let platform: Platform;
  let app: FastifyInstance;
  let sweeper: Job;
  // Starts at the real time: the admin CLI runs on the real clock and must see the same recharge as open.
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  let apikey: string;
  let supplierKey: string;
  let myPid: number;

  const api = async (path: string) => {
    const res = await app.inject(`/pvapublic${path}${path.includes('?') ? '&' : '?'}apikey=${apikey}`);
    return JSON.parse(res.body) as { code: number; data: any };
  };
  const supplier = async (method: 'PUT' | 'POST', path: string, body: unknown) => {
    const res = await app.inject({ method, url: `/supplier/v1${path}`, headers: { authorization: `Bearer ${supplierKey}` }, payload: body as object });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Record<string, unknown>;
  };

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const db = ['--db', database.url];
    await cliJson(['migrate', ...db]);
    apikey = (await cliJson<{ apikey: string }>(['admin', 'user', 'create', '--username', 'alice', '--password', 'a long password', '--balance', '500', ...db])).apikey;
    myPid = (await cliJson<{ myPid: number }>(['admin', 'project', 'create', '--name', 'Telegram', '--price', '30', ...db])).myPid;
    supplierKey = (await cliJson<{ key: string }>(['admin', 'supplier', 'create', '--name', 'GoIP rack', ...db])).key;
    store = await Store.open(database.url);
    platform = await createPlatform(store, { clock });
    app = await buildApp(platform);
    sweeper = startExpirySweeper(platform.orders, 10, app.log);
  });
  afterAll(async () => {
    await sweeper?.stop();
    await app?.close();
    await store?.close();
    await database?.drop();
  });

  it('serves a customer from getNumber to code, release, shield and expiry, with exact balances', async () => {
    expect(await supplier('PUT', '/numbers', { numbers: ['447700900001', '447700900002', '447700900003'].map((number) => ({ number, country: 'GB' })) })).toEqual({ registered: 3 });
    expect(await supplier('POST', '/numbers/online', { numbers: ['447700900001', '447700900002', '447700900003'] })).toEqual({ online: 3 });

    // getNumber -> getCode waiting -> SMS pushed -> getCode with the code
    const first = await api(`/sms/getNumber?myPid=${myPid}&locale=GB`);
    expect(first.code).toBe(1);
    const { number, orderId } = first.data;
    expect(await api(`/sms/getCode?orderId=${orderId}`)).toEqual({ code: -1, data: { number, balance: 470 } });
    expect(await supplier('POST', '/sms', { id: 'a1', to: `+${number}`, from: 'Telegram', text: 'Telegram code: 48213\n\nDo not give this code to anyone.' })).toEqual({ accepted: true, orderId });
    expect(await api(`/sms/getCode?orderId=${orderId}`)).toEqual({
      code: 1,
      data: { code: '48213', content: 'Telegram code: 48213\n\nDo not give this code to anyone.', number, balance: 470 },
    });
    expect(await api(`/sms/codes?ordersId=${orderId}_${'0'.repeat(24)}`)).toEqual({
      code: 1,
      data: { orders: { [orderId]: { code: '48213', content: 'Telegram code: 48213\n\nDo not give this code to anyone.', number } }, balance: 470 },
    });

    // release: refused in the first 10 seconds, then the charge stands
    expect((await api(`/sms/releaseNumber?orderId=${orderId}`)).code).toBe(-1);
    clock.advance(10_000);
    expect(await api(`/sms/releaseNumber?orderId=${orderId}`)).toEqual({ code: 1, data: 'Number released' });

    // shield: refunded (no SMS), and that number is never offered for this project again
    const second = (await api(`/sms/getNumber?myPid=${myPid}`)).data;
    expect(second.number).not.toBe(number); // number already served this project
    expect((await api('/user/info')).data.balance).toBe(440);
    clock.advance(10_000);
    expect(await api(`/sms/shieldNumber?orderId=${second.orderId}`)).toEqual({ code: 1, data: 'Number is blacklisted' });
    expect((await api('/user/info')).data.balance).toBe(470);

    // expiry: 15 minutes without an SMS, the sweeper refunds
    const third = (await api(`/sms/getNumber?myPid=${myPid}`)).data;
    expect(third.number).not.toBe(second.number);
    expect((await api('/user/info')).data.balance).toBe(440);
    expect(await api(`/sms/getNumber?myPid=${myPid}`)).toEqual({
      code: -1,
      data: 'The phone number is not available. Please try again later. Suggestion: Try another country or another channel',
    });
    clock.advance(15 * 60_000);
    await vi.waitFor(async () => expect((await api('/user/info')).data.balance).toBe(470), { timeout: 5000, interval: 20 });

    const history = (await api('/sms/orders?page=1&limit=10')).data;
    expect(history.count).toBe(3);
    expect(history.orders.map((o: any) => [o._id, o.numberStatus, o.smsStatus, o.userInfo.balance])).toEqual([
      [third.orderId, 'released', 'failed', 470],
      [second.orderId, 'released', 'failed', 470],
      [orderId, 'released', 'received', 470],
    ]);
    expect((await api('/sms/orders?page=1&limit=10&smsStatus=received&numberStatus=RELEASED')).data.count).toBe(1);

    // A late SMS on the expired order is kept for admins and charges nothing.
    expect(await supplier('POST', '/sms', { id: 'late', to: third.number, text: 'Telegram code: 99999' })).toEqual({ accepted: true, orderId: null, reason: 'no_live_order' });
    expect((await api('/user/info')).data.balance).toBe(470);
    const unmatched = await cliJson<{ receiver: string; text: string }[]>(['admin', 'sms', 'unmatched', '--db', database.url]);
    expect(unmatched).toMatchObject([{ receiver: third.number, text: 'Telegram code: 99999', reason: 'no_live_order' }]);
  });

  it('credits a recharge once an admin marks it paid with the CLI', async () => {
    const opened = await api('/recharge/create?amount=1000&payment=USDT-TRC20');
    expect(opened).toMatchObject({ code: 1, data: { status: 'unpaid', amount: 1000, payment: 'USDT-TRC20', orderAmt: 1000 } });
    const db = ['--db', database.url];
    const unpaid = await cliJson<{ rechargeId: string }[]>(['admin', 'recharge', 'list', ...db]);
    expect(unpaid.map((r) => r.rechargeId)).toEqual([opened.data._id]);
    await cliJson(['admin', 'recharge', 'pay', '--id', opened.data._id, '--paid', '930', ...db]);
    expect((await api('/user/info')).data.balance).toBe(1470);
    expect((await api('/recharge/orders?page=1&limit=10&status=paid')).data).toMatchObject([{ _id: opened.data._id, status: 'paid', amount: 1000, orderAmt: 930 }]);
    expect(await cliJson(['admin', 'ledger', 'audit', ...db])).toMatchObject({ ok: true, total: 0 });
  });
});
