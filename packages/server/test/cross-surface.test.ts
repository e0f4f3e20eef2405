// One order lifecycle behind three protocols (issue 5): an order bought on any of FASTPVA,
// SMS-Activate and 5SIM is the same order on the other two. Its SMS, a second SMS after "request
// another SMS", its end and its money look the same from every side, on SQLite and Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, seedUserAndSupplier, type Seeded, type TestPlatform } from './helpers/platform.js';

const PRICE = 25;
const BALANCE = 10_000;

describe.each(DIALECTS)('one order on three surfaces on %s', (dialect) => {
  let t: TestPlatform;
  let s: Seeded;
  let telegram: number;
  let smsId = 0;

  const body = async (url: string, headers: Record<string, string> = {}) => {
    const res = await t.app.inject({ method: 'GET', url, headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.body;
  };
  const fastpva = async (path: string) => JSON.parse(await body(`/pvapublic${path}${path.includes('?') ? '&' : '?'}apikey=${s.apiKey}`)) as { code: number; data: any };
  const smsActivate = (query: string) => body(`/stubs/handler_api.php?api_key=${s.apiKey}&${query}`);
  const fivesim = async (path: string) => JSON.parse(await body(`/v1/user${path}`, { authorization: `Bearer ${s.apiKey}` }));
  const push = async (to: string, text: string) => {
    const res = await t.app.inject({ method: 'POST', url: '/supplier/v1/sms', headers: { authorization: `Bearer ${s.supplierKey}` }, payload: { id: `sms-${++smsId}`, to, from: 'Telegram', text } });
    expect(JSON.parse(res.body)).toMatchObject({ accepted: true });
  };
  /** FASTPVA names an order by its own id: find it in the user's order list by its number. */
  const fastpvaId = async (number: string) =>
    ((await fastpva('/sms/orders?page=1&limit=10')).data.orders as { _id: string; number: string; numberStatus: string }[]).find((o) => o.number === number && o.numberStatus !== 'released')!._id;
  /** The user's balance as each surface tells it, in cents. */
  const balances = async () => [
    (await fastpva('/user/info')).data.balance as number,
    Math.round(Number((await smsActivate('action=getBalance')).replace('ACCESS_BALANCE:', '')) * 100),
    Math.round((await fivesim('/profile')).balance * 100),
  ];

  beforeAll(async () => {
    t = await createTestPlatform(dialect, { releaseAfterMs: 10_000 });
    s = await seedUserAndSupplier(t.platform, { balance: BALANCE, count: 3, country: 'GB', prefix: '4477009' });
    telegram = (await t.platform.catalog.createProject({ enname: 'Telegram-C6', price: PRICE, channel: 6 })).myPid;
  });
  afterAll(async () => t?.close());

  it('bought on SMS-Activate: codes seen on FASTPVA and 5SIM, another SMS on request, finished on 5SIM', async () => {
    const [, id, number] = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(await smsActivate('action=getNumber&service=tg&country=16'))!;
    expect(await balances()).toEqual([BALANCE - PRICE, BALANCE - PRICE, BALANCE - PRICE]);
    const orderId = await fastpvaId(number!);
    expect((await fastpva(`/sms/getCode?orderId=${orderId}`)).code).toBe(-1);
    expect(await fivesim(`/check/${id}`)).toMatchObject({ id: Number(id), phone: `+${number}`, status: 'PENDING', sms: [] });

    await push(number!, 'Telegram code: 12345. Do not give this code to anyone');
    expect(await smsActivate(`action=getStatus&id=${id}`)).toBe('STATUS_OK:12345');
    expect((await fastpva(`/sms/getCode?orderId=${orderId}`)).data).toMatchObject({ code: '12345', number });
    expect(await fivesim(`/check/${id}`)).toMatchObject({ status: 'RECEIVED', sms: [{ code: '12345' }] });

    expect(await smsActivate(`action=setStatus&id=${id}&status=3`)).toBe('ACCESS_RETRY_GET');
    expect(await smsActivate(`action=getStatus&id=${id}`)).toBe('STATUS_WAIT_RETRY:12345');
    t.clock.advance(1000);
    await push(number!, 'Telegram code: 67890. Do not give this code to anyone');
    expect(await smsActivate(`action=getStatus&id=${id}`)).toBe('STATUS_OK:67890');
    expect((await fastpva(`/sms/getCode?orderId=${orderId}`)).data).toMatchObject({ code: '67890' });
    expect((await fivesim(`/check/${id}`)).sms.map((m: { code: string }) => m.code)).toEqual(['12345', '67890']);

    expect(await fivesim(`/finish/${id}`)).toMatchObject({ id: Number(id), status: 'FINISHED' });
    // Finished on 5SIM is finished on SMS-Activate: the code stays readable, a cancel is refused.
    expect(await smsActivate(`action=getStatus&id=${id}`)).toBe('STATUS_OK:67890');
    expect(await smsActivate(`action=setStatus&id=${id}&status=8`)).toBe('BAD_STATUS');
    // One charge for the order, whatever number of SMS it got.
    expect(await balances()).toEqual([BALANCE - PRICE, BALANCE - PRICE, BALANCE - PRICE]);
  });

  it('bought on 5SIM, released on FASTPVA: cancelled everywhere and refunded', async () => {
    const order = await fivesim('/buy/activation/england/any/telegram');
    expect(await balances()).toEqual([BALANCE - 2 * PRICE, BALANCE - 2 * PRICE, BALANCE - 2 * PRICE]);
    t.clock.advance(10_000);
    expect((await fastpva(`/sms/releaseNumber?orderId=${await fastpvaId(order.phone.slice(1))}`)).data).toBe('Number released');
    expect(await smsActivate(`action=getStatus&id=${order.id}`)).toBe('STATUS_CANCEL');
    expect(await fivesim(`/check/${order.id}`)).toMatchObject({ status: 'CANCELED' });
    expect(await balances()).toEqual([BALANCE - PRICE, BALANCE - PRICE, BALANCE - PRICE]);
  });

  it('bought on FASTPVA: listed and answered on SMS-Activate and 5SIM by the same numeric id', async () => {
    const { number } = (await fastpva(`/sms/getNumber?myPid=${telegram}`)).data as { number: string };
    const active = JSON.parse(await smsActivate('action=getActiveActivations')).activeActivations as { activationId: string; phoneNumber: string }[];
    const id = active.find((a) => a.phoneNumber === number)!.activationId;
    expect((await fivesim('/orders?category=activation&limit=10')).Data.map((o: { id: number }) => o.id)).toContain(Number(id));

    await push(number, 'Telegram code: 24680');
    expect(await smsActivate(`action=getStatus&id=${id}`)).toBe('STATUS_OK:24680');
    expect(await fivesim(`/check/${id}`)).toMatchObject({ status: 'RECEIVED', sms: [{ code: '24680' }] });
    expect(await smsActivate(`action=setStatus&id=${id}&status=6`)).toBe('ACCESS_ACTIVATION');
    expect(await balances()).toEqual([BALANCE - 2 * PRICE, BALANCE - 2 * PRICE, BALANCE - 2 * PRICE]);
    await expectLedgerConsistent(t.platform);
  });
});
