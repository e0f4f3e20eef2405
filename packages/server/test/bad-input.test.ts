// Bad input on every FASTPVA route: a clear {"code":-1,"data":"<message>"} and nothing written.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, seedUserAndSupplier, type Seeded, type TestPlatform } from './helpers/platform.js';

describe.each(DIALECTS)('FASTPVA bad input on %s', (dialect) => {
  let t: TestPlatform;
  let s: Seeded;
  let other: Seeded;
  let myPid: number;
  let othersOrder: string;

  /** Rows in every table that a request could write to. */
  const footprint = async () => {
    const db = t.store.kysely;
    const counts: Record<string, number> = {};
    for (const table of ['orders', 'transfers', 'recharge_orders', 'collects', 'number_blacklist', 'number_usages', 'inbound_sms', 'users'] as const) {
      const row = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db);
      counts[table] = Number(row.rows[0]!.n);
    }
    const accounts = await db.selectFrom('accounts').select(['id', 'balance', 'held']).orderBy('id').execute();
    return { counts, accounts };
  };

  const get = async (path: string) => (await t.app.inject({ method: 'GET', url: `/pvapublic${path}` })).body;

  beforeAll(async () => {
    t = await createTestPlatform(dialect);
    s = await seedUserAndSupplier(t.platform, { balance: 20, count: 3, prefix: '4477001' });
    other = await seedUserAndSupplier(t.platform, { username: 'mallory', supplier: 'other bank', count: 1, prefix: '4477002' });
    myPid = (await t.platform.catalog.createProject({ enname: 'Telegram-C6', price: 10 })).myPid;
    othersOrder = (await t.platform.orders.acquire({ userId: other.userId, myPid, number: other.numbers[0] })).orderId;
  });
  afterAll(async () => t?.close());

  it('answers every malformed request with a clear message and writes nothing', async () => {
    const before = await footprint();
    const key = `apikey=${s.apiKey}`;
    const cases: [string, string][] = [
      // authentication
      ['/sms/getNumber?myPid=1', 'No user found.'],
      [`/sms/getNumber?myPid=1&apikey=${'0'.repeat(32)}`, 'No user found.'],
      [`/user/info?apikey=${s.apiKey}x`, 'No user found.'],
      [`/user/info?apikey=${s.apiKey}&apikey=${s.apiKey}`, 'No user found.'],
      // paging
      [`/projects?${key}`, 'Missing parameter: page'],
      [`/projects?page=1&${key}`, 'Missing parameter: limit'],
      [`/projects?page=0&limit=10&${key}`, 'Invalid parameter: page'],
      [`/projects?page=one&limit=10&${key}`, 'Invalid parameter: page'],
      [`/projects?page=1&limit=-5&${key}`, 'Invalid parameter: limit'],
      [`/projects?page=1&page=2&limit=5&${key}`, 'Invalid parameter: page'],
      [`/projects?page=1&limit=5&channel=6x&${key}`, 'Invalid channel ID'],
      [`/collects?page=1&limit=x&${key}`, 'Invalid parameter: limit'],
      [`/project/list?limit=10&${key}`, 'Missing parameter: page'],
      // getNumber
      [`/sms/getNumber?${key}`, 'Invalid Service ID'],
      [`/sms/getNumber?myPid=abc&${key}`, 'Invalid Service ID'],
      [`/sms/getNumber?myPid=-1&${key}`, 'Invalid Service ID'],
      [`/sms/getNumber?myPid=1.5&${key}`, 'Invalid Service ID'],
      [`/sms/getNumber?myPid=424242&${key}`, 'Invalid Service ID'],
      [`/sms/getNumber?myPid=${myPid}&locale=GBR&${key}`, 'Invalid country ID'],
      [`/sms/getNumber?myPid=${myPid}&locale=1&${key}`, 'Invalid country ID'],
      [`/sms/getNumber?myPid=${myPid}&number=abc&${key}`, 'Invalid number'],
      [`/sms/getNumber?myPid=${myPid}&number=${other.numbers[0]}&${key}`, 'The phone number is not available. Please try again later. Suggestion: Try another country or another channel'],
      // getCode / codes
      [`/sms/getCode?${key}`, 'Missing parameter: orderId'],
      [`/sms/getCode?orderId=xyz&${key}`, 'Invalid order ID'],
      [`/sms/getCode?orderId=${'a'.repeat(24)}&${key}`, 'Invalid order ID'],
      [`/sms/getCode?orderId=${othersOrder}&${key}`, 'Invalid order ID'],
      [`/sms/codes?${key}`, 'Missing parameter: ordersId'],
      // release / shield
      [`/sms/releaseNumber?${key}`, 'Number release failed: Missing parameter: orderId'],
      [`/sms/releaseNumber?orderId=${othersOrder}&${key}`, 'Number release failed: Invalid order ID'],
      [`/sms/releaseNumber?orderId=${othersOrder}&apikey=${'0'.repeat(32)}`, 'No user found.'],
      [`/sms/shieldNumber?orderId=${othersOrder}`, 'No user found.'],
      [`/sms/shieldNumber?orderId=${othersOrder}&${key}`, 'Number is blacklisted failed: Invalid order ID'],
      // history
      [`/sms/orders?page=1&limit=10&startTime=yesterday&${key}`, 'Invalid parameter: startTime'],
      [`/sms/orders?page=1&limit=10&numberStatus=gone&${key}`, 'Invalid parameter: numberStatus'],
      [`/sms/orders?page=1&limit=10&smsStatus=late&${key}`, 'Invalid parameter: smsStatus'],
      [`/recharge/orders?page=1&limit=10&status=refunded&${key}`, 'Invalid parameter: status'],
      [`/recharge/orders?page=1&${key}`, 'Missing parameter: limit'],
      // extensions
      [`/recharge/create?amount=0&payment=USDT-TRC20&${key}`, 'Invalid parameter: amount'],
      [`/recharge/create?amount=100&${key}`, 'Missing parameter: payment'],
      [`/recharge/create?amount=100&payment=gold&${key}`, 'Unknown payment method; use one of USDT-TRC20, USDT-ERC20, BTC, manual'],
      [`/collects/add?myPid=x&${key}`, 'Invalid Service ID'],
      [`/collects/add?myPid=424242&${key}`, 'Invalid Service ID'],
      // a NUL character, which no text column takes (Postgres refuses it outright)
      [`/sms/getCode?orderId=ab%00cd&${key}`, 'Invalid parameter: orderId'],
      [`/sms/getNumber?myPid=${myPid}&number=4477%00&${key}`, 'Invalid parameter: number'],
      [`/sms/releaseNumber?orderId=%00&${key}`, 'Number release failed: Invalid parameter: orderId'],
      [`/projects?page=1&limit=10&keyword=gm%00ail&${key}`, 'Invalid parameter: keyword'],
      [`/sms/orders?page=1&limit=10&number=%00&${key}`, 'Invalid parameter: number'],
      [`/recharge/create?amount=100&payment=USDT%00&${key}`, 'Invalid parameter: payment'],
      [`/user/info?apikey=${s.apiKey}%00`, 'Invalid parameter: apikey'],
    ];
    for (const [path, message] of cases) {
      expect(await get(path), path).toBe(JSON.stringify({ code: -1, data: message }));
    }
    expect(await footprint()).toEqual(before);
  });

  it('refuses a getNumber the balance cannot cover, and leaves no trace', async () => {
    const key = `apikey=${s.apiKey}`;
    const first = JSON.parse(await get(`/sms/getNumber?myPid=${myPid}&${key}`));
    expect(first.code).toBe(1);
    const second = JSON.parse(await get(`/sms/getNumber?myPid=${myPid}&${key}`));
    expect(second.code).toBe(1);
    const before = await footprint();
    // 20 cents, two orders of 10 held: nothing left, though a number is free.
    expect(await get(`/sms/getNumber?myPid=${myPid}&${key}`)).toBe('{"code":-1,"data":"Insufficient balance"}');
    expect(await footprint()).toEqual(before);
    await expectLedgerConsistent(t.platform);
  });

  it('answers unknown routes in the surface format', async () => {
    const res = await t.app.inject('/pvapublic/sms/nothing?apikey=x');
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe('{"code":-1,"data":"Route not found"}');
  });

  it('caps limit rather than refusing it, and accepts epoch seconds, milliseconds and ISO times', async () => {
    const key = `apikey=${s.apiKey}`;
    expect(JSON.parse(await get(`/projects?page=1&limit=100000&channel=all&${key}`)).code).toBe(1);
    const now = t.clock.now();
    for (const [from, to] of [
      [Math.floor(now / 1000) - 60, Math.floor(now / 1000) + 60],
      [now - 60_000, now + 60_000],
      [new Date(now - 60_000).toISOString(), new Date(now + 60_000).toISOString()],
    ]) {
      const body = JSON.parse(await get(`/sms/orders?page=1&limit=10&startTime=${from}&endTime=${to}&${key}`));
      expect(body.data.count).toBe(2);
    }
    const none = JSON.parse(await get(`/sms/orders?page=1&limit=10&endTime=${Math.floor(now / 1000) - 3600}&${key}`));
    expect(none).toEqual({ code: 1, data: { count: 0, orders: [] } });
  });
});
