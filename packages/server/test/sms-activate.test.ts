// The SMS-Activate surface (/stubs/handler_api.php) on SQLite and Postgres: every reply shape byte for
// byte, every refusal token, GET and POST forms, and the whole order lifecycle through it, with SMS
// pushed through the supplier API and the same order seen on FASTPVA. Ids are the server's own, so
// each expectation substitutes them.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../src/api/limits.js';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, seedUserAndSupplier, type Seeded, type TestPlatform } from './helpers/platform.js';

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const TTL_MS = 15 * 60_000;

/** "YYYY-MM-DD HH:MM:SS" in UTC, as the surface writes times. */
const saTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

describe.each(DIALECTS)('SMS-Activate surface on %s', (dialect) => {
  let t: TestPlatform;
  let s: Seeded;
  let telegram: number;
  let smsSeq = 0;

  /** One call, GET with the parameters in the query; checks HTTP 200 and the content type. */
  const call = async (params: Record<string, string | number>, options: { key?: string | null; path?: string; remoteAddress?: string } = {}) => {
    const key = options.key === undefined ? s.apiKey : options.key;
    const query = new URLSearchParams({ ...(key === null ? {} : { api_key: key }), ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
    const res = await t.app.inject({ method: 'GET', url: `${options.path ?? '/stubs/handler_api.php'}?${query}`, remoteAddress: options.remoteAddress ?? '127.0.0.1' });
    expect(res.statusCode).toBe(200);
    return { type: res.headers['content-type'], body: res.body };
  };
  /** A call whose reply is a plain-text token. */
  const tokenOf = async (params: Record<string, string | number>, options?: { key?: string | null; path?: string; remoteAddress?: string }) => {
    const { type, body } = await call(params, options);
    expect(type).toBe(TEXT);
    return body;
  };
  /** A call whose reply is JSON; returns the exact bytes. */
  const jsonOf = async (params: Record<string, string | number>) => {
    const { type, body } = await call(params);
    expect(type, body).toBe(JSON_TYPE);
    return body;
  };
  /** The SIM received an SMS: pushed through the supplier API, as a supplier would. */
  const pushSms = async (to: string, text: string, from = 'Telegram', supplierKey = s.supplierKey) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/supplier/v1/sms',
      headers: { authorization: `Bearer ${supplierKey}` },
      payload: { id: `sa-${++smsSeq}`, to, from, text, receivedAt: new Date(t.clock.now()).toISOString() },
    });
    expect(res.statusCode).toBe(200);
    return JSON.parse(res.body) as { accepted: boolean; orderId: string | null; reason?: string };
  };
  const buy = async (params: Record<string, string | number> = {}) => {
    const body = await tokenOf({ action: 'getNumber', service: 'tg', country: 16, ...params });
    const match = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(body);
    expect(match, body).not.toBeNull();
    return { id: Number(match![1]), number: match![2]! };
  };
  const balanceCents = async (userId = s.userId) => (await t.platform.users.info(userId)).balance;

  beforeAll(async () => {
    t = await createTestPlatform(dialect, { releaseAfterMs: 10_000, orderTtlMs: TTL_MS });
    s = await seedUserAndSupplier(t.platform, { balance: 1234, count: 30, prefix: '4477009' });
    telegram = (await t.platform.catalog.createProject({ enname: 'Telegram', price: 30 })).myPid;
  });
  afterAll(async () => t?.close());

  describe('transport', () => {
    it('answers NO_KEY, BAD_KEY and BAD_ACTION as bare tokens with HTTP 200', async () => {
      expect(await tokenOf({ action: 'getBalance' }, { key: null })).toBe('NO_KEY');
      expect(await tokenOf({ action: 'getBalance' }, { key: '' })).toBe('NO_KEY');
      expect(await tokenOf({ action: 'getBalance' }, { key: 'cb1b2fasdfs00ad23asd17a19ff4d6d1', remoteAddress: '10.9.0.1' })).toBe('BAD_KEY');
      // The key is checked first; a JSON action refuses with a token too.
      expect(await tokenOf({ action: 'getPrices' }, { key: 'wrong', remoteAddress: '10.9.0.1' })).toBe('BAD_KEY');
      expect(await tokenOf({})).toBe('BAD_ACTION');
      expect(await tokenOf({ action: 'getbalance' })).toBe('BAD_ACTION'); // actions are case-sensitive
      expect(await tokenOf({ action: 'getRentNumber' })).toBe('BAD_ACTION');
      expect(await tokenOf({ action: 'toString' })).toBe('BAD_ACTION');
      // A disabled user's key is a wrong key.
      const bob = await t.platform.users.create({ username: 'sa-bob', balance: 100 });
      expect(await tokenOf({ action: 'getBalance' }, { key: bob.apiKey })).toBe('ACCESS_BALANCE:1.00');
      await t.platform.users.setDisabled('sa-bob', true);
      expect(await tokenOf({ action: 'getBalance' }, { key: bob.apiKey, remoteAddress: '10.9.0.2' })).toBe('BAD_KEY');
    });

    it('takes parameters from a GET query or a POST form body, the query winning; /stubs/handler_api too', async () => {
      const post = (url: string, payload: string, contentType = 'application/x-www-form-urlencoded') =>
        t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });
      const inBody = await post('/stubs/handler_api.php', `api_key=${s.apiKey}&action=getBalance`);
      expect([inBody.statusCode, inBody.headers['content-type'], inBody.body]).toEqual([200, TEXT, 'ACCESS_BALANCE:12.34']);
      // [NPM-SA]: everything in the query, an empty form body.
      expect((await post(`/stubs/handler_api.php?api_key=${s.apiKey}&action=getBalance`, '')).body).toBe('ACCESS_BALANCE:12.34');
      // The query wins over the body, parameter by parameter.
      expect((await post(`/stubs/handler_api.php?action=getBalance`, `api_key=${s.apiKey}&action=getNumbersStatusX`)).body).toBe('ACCESS_BALANCE:12.34');
      expect((await post(`/stubs/handler_api.php?api_key=wrong`, `api_key=${s.apiKey}&action=getBalance`)).body).toBe('BAD_KEY');
      expect((await post('/stubs/handler_api.php', `api_key=${s.apiKey}&action=getBalance`, 'application/x-www-form-urlencoded; charset=UTF-8')).body).toBe('ACCESS_BALANCE:12.34');
      // A JSON body works as a form does; another kind of body is ignored.
      expect((await post('/stubs/handler_api', JSON.stringify({ api_key: s.apiKey, action: 'getBalance' }), 'application/json')).body).toBe('ACCESS_BALANCE:12.34');
      expect((await post(`/stubs/handler_api?api_key=${s.apiKey}&action=getBalance`, 'whatever', 'text/plain')).body).toBe('ACCESS_BALANCE:12.34');
      expect((await post(`/stubs/handler_api.php?api_key=${s.apiKey}&action=getBalance`, '{not json', 'application/json')).body).toBe('ACCESS_BALANCE:12.34');
      // The alias without .php, GET.
      expect(await tokenOf({ action: 'getBalance' }, { path: '/stubs/handler_api' })).toBe('ACCESS_BALANCE:12.34');
      // A repeated parameter keeps its last value (as PHP reads it); unknown parameters are ignored.
      const repeated = await t.app.inject(`/stubs/handler_api.php?api_key=${s.apiKey}&action=getStatus&action=getBalance&forwards=0&ref=abc&wait=30`);
      expect(repeated.body).toBe('ACCESS_BALANCE:12.34');
      // A NUL character reaches no query: it makes a value match nothing.
      expect(await tokenOf({ action: 'getBalance' }, { key: `${s.apiKey}\0`, remoteAddress: '10.9.0.3' })).toBe('BAD_KEY');
      expect(await tokenOf({ action: 'getNumber', service: 't\0g', country: 16 })).toBe('BAD_SERVICE');
      expect(await tokenOf({ action: 'getStatus', id: '1\0' })).toBe('NO_ACTIVATION');
      expect(JSON.parse(await jsonOf({ action: 'getNumbersStatus', country: 16, operator: 'ee\0' })).tg_0).toBeGreaterThan(0);
    });

    it('answers a wrong method or path with BAD_ACTION, a rate limit and a fault of ours with ERROR_SQL', async () => {
      const put = await t.app.inject({ method: 'PUT', url: `/stubs/handler_api.php?api_key=${s.apiKey}&action=getBalance` });
      expect([put.statusCode, put.headers['content-type'], put.headers.allow, put.body]).toEqual([405, TEXT, 'GET, POST', 'BAD_ACTION']);
      const missing = await t.app.inject(`/stubs/handler.php?api_key=${s.apiKey}&action=getBalance`);
      expect([missing.statusCode, missing.body]).toEqual([404, 'BAD_ACTION']);

      const spy = vi.spyOn(t.platform.users, 'info').mockRejectedValueOnce(new Error('disk on fire'));
      expect(await tokenOf({ action: 'getBalance' })).toBe('ERROR_SQL');
      spy.mockRestore();
      expect(await tokenOf({ action: 'getBalance' })).toBe('ACCESS_BALANCE:12.34');

      // A rate-limited caller gets ERROR_SQL (every client treats it as "try again later"), HTTP 200, Retry-After.
      const limited = await createTestPlatform(dialect, {}, { rateLimits: { ...DEFAULT_RATE_LIMITS, perUser: 2 } });
      try {
        const u = await limited.platform.users.create({ username: 'busy', balance: 5 });
        const get = () => limited.app.inject(`/stubs/handler_api.php?api_key=${u.apiKey}&action=getBalance`);
        expect((await get()).body).toBe('ACCESS_BALANCE:0.05');
        expect((await get()).body).toBe('ACCESS_BALANCE:0.05');
        const refused = await get();
        expect([refused.statusCode, refused.headers['content-type'], refused.body]).toEqual([200, TEXT, 'ERROR_SQL']);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      } finally {
        await limited.close();
      }
    });
  });

  describe('money and buying', () => {
    it('shows the balance in dollars with two decimals from whole cents', async () => {
      expect(await tokenOf({ action: 'getBalance' })).toBe('ACCESS_BALANCE:12.34');
      expect(await tokenOf({ action: 'getBalanceAndCashBack' })).toBe('ACCESS_BALANCE:12.34');
      const poor = await t.platform.users.create({ username: 'sa-poor', balance: 5 });
      expect(await tokenOf({ action: 'getBalance' }, { key: poor.apiKey })).toBe('ACCESS_BALANCE:0.05');
      const none = await t.platform.users.create({ username: 'sa-none' });
      expect(await tokenOf({ action: 'getBalance' }, { key: none.apiKey })).toBe('ACCESS_BALANCE:0.00');
      const rich = await t.platform.users.create({ username: 'sa-rich', balance: 100_000_000 });
      expect(await tokenOf({ action: 'getBalance' }, { key: rich.apiKey })).toBe('ACCESS_BALANCE:1000000.00');
    });

    it('refuses to buy with the protocol tokens', async () => {
      expect(await tokenOf({ action: 'getNumber', country: 16 })).toBe('BAD_SERVICE');
      expect(await tokenOf({ action: 'getNumber', service: 'zz9', country: 16 })).toBe('BAD_SERVICE');
      expect(await tokenOf({ action: 'getNumberV2', service: 'nope', country: 16 })).toBe('BAD_SERVICE');
      expect(await tokenOf({ action: 'getNumber', service: 'tg', country: 999 })).toBe('BAD_COUNTRY');
      expect(await tokenOf({ action: 'getNumber', service: 'tg', country: 'uk' })).toBe('BAD_COUNTRY');
      // A service we know that no project sells; one sold, but not in that country.
      expect(await tokenOf({ action: 'getNumber', service: 'ig', country: 16 })).toBe('NO_NUMBERS');
      expect(await tokenOf({ action: 'getNumber', service: 'tg', country: 43 })).toBe('NO_NUMBERS');
      // maxPrice in dollars: below the cheapest offer, the cheapest price; a value that is no price is below all.
      expect(await tokenOf({ action: 'getNumber', service: 'tg', country: 16, maxPrice: '0.29' })).toBe('WRONG_MAX_PRICE:0.30');
      expect(await tokenOf({ action: 'getNumberV2', service: 'tg', country: 16, maxPrice: '0.299' })).toBe('WRONG_MAX_PRICE:0.30');
      expect(await tokenOf({ action: 'getNumber', service: 'tg', country: 16, maxPrice: '-1' })).toBe('WRONG_MAX_PRICE:0.30');
      expect(await tokenOf({ action: 'getNumber', service: 'tg', country: 16, phoneException: '44,7x9' })).toBe('WRONG_EXCEPTION_PHONE');
      // An operator nobody has.
      expect(await tokenOf({ action: 'getNumber', service: 'tg', country: 16, operator: 'vodafone' })).toBe('NO_NUMBERS');

      const poor = await t.platform.users.create({ username: 'sa-cheap', balance: 29 });
      expect(await tokenOf({ action: 'getNumber', service: 'tg', country: 16 }, { key: poor.apiKey })).toBe('NO_BALANCE');
      const capped = await t.platform.users.create({ username: 'sa-capped', balance: 1000 });
      await t.platform.users.setLimits('sa-capped', { maxActiveOrders: 1 });
      expect(await tokenOf({ action: 'getNumber', service: 'tg', country: 16 }, { key: capped.apiKey })).toMatch(/^ACCESS_NUMBER:\d+:\d+$/);
      expect(await tokenOf({ action: 'getNumber', service: 'tg', country: 16 }, { key: capped.apiKey })).toBe('CHANNELS_LIMIT');
      expect(await tokenOf({ action: 'getNumberV2', service: 'tg', country: 16 }, { key: capped.apiKey })).toBe('CHANNELS_LIMIT');
      // Nothing was charged by any refusal.
      expect(await balanceCents()).toBe(1234);
      await expectLedgerConsistent(t.platform);
    });

    it('buys the cheapest offer of the service in the country, within maxPrice, avoiding phoneException prefixes, by operator', async () => {
      const p = t.platform;
      const bank = await p.suppliers.create({ name: 'NL bank', channels: [41] });
      await p.suppliers.registerNumbers(bank.id, [
        { number: '31612000001', country: 'NL', operator: 'kpn' },
        { number: '31699000002', country: 'NL', operator: 'vodafone' },
        { number: '31612000003', country: 'NL', operator: 'kpn' },
      ]);
      await p.suppliers.setOnline(bank.id, ['31612000001', '31699000002', '31612000003']);
      const other = await p.suppliers.create({ name: 'NL bank 2', channels: [42] });
      await p.suppliers.registerNumbers(other.id, [{ number: '31655000004', country: 'NL', operator: 'kpn' }]);
      await p.suppliers.setOnline(other.id, ['31655000004']);
      await p.catalog.createProject({ enname: 'WhatsApp-41', channel: 41, countryPrices: { NL: 25 } });
      await p.catalog.createProject({ enname: 'WhatsApp Business-42', channel: 42, countryPrices: { NL: 45 } });
      const buyer = await p.users.create({ username: 'sa-buyer', balance: 500 });
      const key = { key: buyer.apiKey };

      const v2 = await call({ action: 'getNumberV2', service: 'wa', country: 48, operator: 'vodafone' }, key);
      expect(v2.type).toBe(JSON_TYPE);
      const id = (JSON.parse(v2.body) as { activationId: number }).activationId;
      expect(v2.body).toBe(
        `{"activationId":${id},"phoneNumber":"31699000002","activationCost":0.25,"currency":840,"countryCode":"48","canGetAnotherSms":"1",` +
          `"activationTime":"${saTime(t.clock.now())}","activationEndTime":"${saTime(t.clock.now() + TTL_MS)}","activationOperator":"vodafone"}`,
      );
      expect(await tokenOf({ action: 'getNumber', service: 'wa', country: 48, phoneException: '31612000001,+3169' }, key)).toMatch(/^ACCESS_NUMBER:\d+:31612000003$/);
      expect(await tokenOf({ action: 'getNumber', service: 'wa', country: 48 }, key)).toMatch(/^ACCESS_NUMBER:\d+:31612000001$/);
      // The cheap project has no number left; maxPrice 0.44 stops before the dear one, 0.45 reaches it.
      expect(await tokenOf({ action: 'getNumber', service: 'wa', country: 48, maxPrice: '0.44' }, key)).toBe('NO_NUMBERS');
      expect(await tokenOf({ action: 'getNumber', service: 'wa', country: 48, maxPrice: '0.45' }, key)).toMatch(/^ACCESS_NUMBER:\d+:31655000004$/);
      // 3 x 25 + 45 cents held.
      expect(await tokenOf({ action: 'getBalance' }, key)).toBe('ACCESS_BALANCE:3.80');
      expect(await balanceCents(buyer.id)).toBe(380);
      // Any country when none is named.
      expect(await tokenOf({ action: 'getNumber', service: 'wa' }, key)).toBe('NO_NUMBERS');
    });
  });

  describe('the lifecycle', () => {
    it('waits, delivers only the SMS of the order, retries, finishes, and shows the same order on FASTPVA', async () => {
      const before = await balanceCents();
      const { id, number } = await buy();
      expect(id).toBeLessThan(2 ** 31);
      expect(await balanceCents()).toBe(before - 30);
      expect(await tokenOf({ action: 'getBalance' })).toBe(`ACCESS_BALANCE:${((before - 30) / 100).toFixed(2)}`);
      expect(await tokenOf({ action: 'getStatus', id })).toBe('STATUS_WAIT_CODE');
      expect(await jsonOf({ action: 'getStatusV2', id, wait: 1 })).toBe('{"verificationType":0,"sms":null,"call":null}');
      expect(await tokenOf({ action: 'getFullSms', id })).toBe('STATUS_WAIT_CODE');
      expect(await tokenOf({ action: 'setStatus', id, status: 1 })).toBe('ACCESS_READY');
      // No code yet: nothing to ask again for; too early to cancel.
      expect(await tokenOf({ action: 'setStatus', id, status: 3 })).toBe('BAD_STATUS');
      expect(await tokenOf({ action: 'setStatus', id, status: 8 })).toBe('EARLY_CANCEL_DENIED');
      expect(await tokenOf({ action: 'setStatus', id, status: 6 })).toBe('EARLY_CANCEL_DENIED');
      expect(await tokenOf({ action: 'setStatus', id, status: 5 })).toBe('BAD_STATUS');
      expect(await tokenOf({ action: 'setStatus', id })).toBe('BAD_STATUS');

      // Another service's SMS is not this order's: kept from it, never charged, the wait goes on.
      expect(await pushSms(number, 'WhatsApp code 123-456. Do not share it', 'WhatsApp')).toMatchObject({ orderId: null, reason: 'other_service' });
      expect(await tokenOf({ action: 'getStatus', id })).toBe('STATUS_WAIT_CODE');

      t.clock.advance(3000);
      const firstAt = t.clock.now();
      const delivered = await pushSms(number, 'Telegram code: 56032\nDo not give this code to anyone');
      expect(delivered.orderId).toMatch(/^[0-9a-f]{24}$/);
      expect(await tokenOf({ action: 'getStatus', id })).toBe('STATUS_OK:56032');
      expect(await jsonOf({ action: 'getStatusV2', id })).toBe(
        `{"verificationType":0,"sms":{"dateTime":"${saTime(firstAt)}","code":"56032","text":"Telegram code: 56032\\nDo not give this code to anyone"},"call":null}`,
      );
      expect(await tokenOf({ action: 'getFullSms', id })).toBe('FULL_SMS:Telegram code: 56032 Do not give this code to anyone');
      // The charge stands once a code came: no cancel.
      expect(await tokenOf({ action: 'setStatus', id, status: 8 })).toBe('BAD_STATUS');
      expect(await tokenOf({ action: 'setStatus', id, status: -1 })).toBe('BAD_STATUS');

      // Another SMS: the last code while waiting, then the new one.
      expect(await tokenOf({ action: 'setStatus', id, status: 3 })).toBe('ACCESS_RETRY_GET');
      expect(await tokenOf({ action: 'getStatus', id })).toBe('STATUS_WAIT_RETRY:56032');
      expect(JSON.parse(await jsonOf({ action: 'getStatusV2', id })).sms.dateTime).toBe(saTime(firstAt));
      expect(await tokenOf({ action: 'setStatus', id, status: 3 })).toBe('ACCESS_RETRY_GET');
      t.clock.advance(5000);
      const secondAt = t.clock.now();
      expect((await pushSms(number, 'Telegram code 71925')).orderId).toBe(delivered.orderId);
      expect(await tokenOf({ action: 'getStatus', id })).toBe('STATUS_OK:71925');
      expect(await jsonOf({ action: 'getStatusV2', id })).toBe(
        `{"verificationType":0,"sms":{"dateTime":"${saTime(secondAt)}","code":"71925","text":"Telegram code 71925"},"call":null}`,
      );

      // One lifecycle: FASTPVA sees the same order, by its public id.
      const { orderId } = await t.platform.orders.activation(s.userId, id);
      expect(orderId).toBe(delivered.orderId);
      const fastpva = await t.app.inject(`/pvapublic/sms/getCode?orderId=${orderId}&apikey=${s.apiKey}`);
      expect(fastpva.body).toBe(`{"code":1,"data":{"code":"71925","content":"Telegram code 71925","number":"${number}","balance":${before - 30}}}`);

      // Finished: the charge stands, and the last code is still there to read.
      expect(await tokenOf({ action: 'setStatus', id, status: 6 })).toBe('ACCESS_ACTIVATION');
      expect(await tokenOf({ action: 'getStatus', id })).toBe('STATUS_OK:71925');
      expect(await tokenOf({ action: 'getFullSms', id })).toBe('FULL_SMS:Telegram code 71925');
      for (const status of [1, 3, 6, 8]) expect(await tokenOf({ action: 'setStatus', id, status })).toBe('BAD_STATUS');
      const ended = await t.app.inject(`/pvapublic/sms/orders?page=1&limit=1&apikey=${s.apiKey}&orderId=${orderId}`);
      expect(JSON.parse(ended.body).data.orders[0]).toMatchObject({ numberStatus: 'released', smsStatus: 'received', code: '71925' });

      expect(await balanceCents()).toBe(before - 30);
      expect(await tokenOf({ action: 'getBalance' })).toBe(`ACCESS_BALANCE:${((before - 30) / 100).toFixed(2)}`);
      await expectLedgerConsistent(t.platform);
    });

    it('cancels with a refund (8, -1, and 6 before a code), and an expired order without a code is STATUS_CANCEL', async () => {
      const before = await balanceCents();
      const a = await buy();
      const b = await buy();
      const c = await buy();
      expect(await balanceCents()).toBe(before - 90);
      expect(await tokenOf({ action: 'setStatus', id: a.id, status: 8 })).toBe('EARLY_CANCEL_DENIED');
      t.clock.advance(10_000);
      expect(await tokenOf({ action: 'setStatus', id: a.id, status: 8 })).toBe('ACCESS_CANCEL');
      expect(await tokenOf({ action: 'setStatus', id: b.id, status: -1 })).toBe('ACCESS_CANCEL');
      // 6 before any code: "deletes and marks an error" ([SA-AE]), i.e. a cancel with the refund.
      expect(await tokenOf({ action: 'setStatus', id: c.id, status: 6 })).toBe('ACCESS_CANCEL');
      expect(await balanceCents()).toBe(before);
      for (const { id } of [a, b, c]) {
        expect(await tokenOf({ action: 'getStatus', id })).toBe('STATUS_CANCEL');
        expect(await tokenOf({ action: 'getStatusV2', id })).toBe('STATUS_CANCEL');
        expect(await tokenOf({ action: 'getFullSms', id })).toBe('STATUS_CANCEL');
        expect(await tokenOf({ action: 'setStatus', id, status: 8 })).toBe('BAD_STATUS');
      }
      // A late SMS changes nothing and charges nothing.
      expect((await pushSms(a.number, 'Telegram code 11111')).orderId).toBeNull();
      expect(await tokenOf({ action: 'getStatus', id: a.id })).toBe('STATUS_CANCEL');

      const d = await buy();
      t.clock.advance(TTL_MS);
      expect(await t.platform.orders.expireDue()).toBeGreaterThanOrEqual(1);
      expect(await tokenOf({ action: 'getStatus', id: d.id })).toBe('STATUS_CANCEL');
      expect(await tokenOf({ action: 'setStatus', id: d.id, status: 8 })).toBe('BAD_STATUS');
      expect(await balanceCents()).toBe(before);
      expect(await tokenOf({ action: 'getBalance' })).toBe(`ACCESS_BALANCE:${(before / 100).toFixed(2)}`);
      await expectLedgerConsistent(t.platform);
    });

    it('refuses unknown, foreign and malformed activation ids', async () => {
      const { id } = await buy();
      const stranger = await t.platform.users.create({ username: 'sa-stranger', balance: 100 });
      for (const action of ['getStatus', 'getStatusV2', 'getFullSms']) {
        expect(await tokenOf({ action, id }, { key: stranger.apiKey })).toBe('NO_ACTIVATION');
        expect(await tokenOf({ action, id: 987654321 })).toBe('NO_ACTIVATION');
        expect(await tokenOf({ action, id: 'abc' })).toBe('NO_ACTIVATION');
        expect(await tokenOf({ action })).toBe('NO_ACTIVATION');
      }
      expect(await tokenOf({ action: 'setStatus', id, status: 8 }, { key: stranger.apiKey })).toBe('NO_ACTIVATION');
      expect(await tokenOf({ action: 'setStatus', id: 987654321, status: 8 })).toBe('NO_ACTIVATION');
      expect(await tokenOf({ action: 'setStatus', id: '12ab', status: 8 })).toBe('WRONG_ACTIVATION_ID');
      expect(await tokenOf({ action: 'setStatus', status: 8 })).toBe('WRONG_ACTIVATION_ID');
      expect(await tokenOf({ action: 'getStatus', id })).toBe('STATUS_WAIT_CODE');
    });

    it('keeps text replies splittable: no colon, line break or error word from an SMS', async () => {
      const { id, number } = await buy();
      // Delivered (it names Telegram) with no code we can find: the text stands in for the code.
      await pushSms(number, 'Telegram: log in at https://t.me/login/BAD_KEY\r\nNO_NUMBERS here, ERROR_SQL there');
      const status = await tokenOf({ action: 'getStatus', id });
      expect(status).toBe('STATUS_OK:Telegram log in at https //t.me/login/bad_key no_numbers here, error_sql there');
      expect(status.split(':')).toHaveLength(2);
      const full = await tokenOf({ action: 'getFullSms', id });
      expect(full).toBe('FULL_SMS:Telegram: log in at https://t.me/login/bad_key no_numbers here, error_sql there');
      // JSON carries the text as it came.
      expect(JSON.parse(await jsonOf({ action: 'getStatusV2', id })).sms).toMatchObject({ code: '', text: 'Telegram: log in at https://t.me/login/BAD_KEY\r\nNO_NUMBERS here, ERROR_SQL there' });
      expect(await tokenOf({ action: 'setStatus', id, status: 6 })).toBe('ACCESS_ACTIVATION');
    });
  });

  describe('lists', () => {
    it('lists live activations and the history in the documented shapes', async () => {
      const p = t.platform;
      const lister = await seedUserAndSupplier(p, { username: 'sa-lister', supplier: 'lister bank', count: 3, prefix: '4477444', channel: 44 });
      await p.catalog.createProject({ enname: 'Discord-44', price: 125, channel: 44 });
      const key = { key: lister.apiKey };
      expect(await call({ action: 'getActiveActivations' }, key).then((r) => r.body)).toBe('{"status":"success","activeActivations":[]}');
      expect(await call({ action: 'getHistory' }, key).then((r) => r.body)).toBe('[]');

      const created = t.clock.now();
      const first = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(await tokenOf({ action: 'getNumber', service: 'ds', country: 16 }, key))!;
      t.clock.advance(1000);
      const second = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(await tokenOf({ action: 'getNumber', service: 'ds', country: 16 }, key))!;
      await pushSms(first[2]!, 'Your Discord verification code is 123456', 'Discord', lister.supplierKey);
      const row = (id: string, phone: string, status: string, code: string | null, at: number) =>
        `{"activationId":"${id}","serviceCode":"ds","phoneNumber":"${phone}","activationCost":1.25,"activationStatus":"${status}",` +
        `"smsCode":${code === null ? 'null' : `["${code}"]`},"smsText":${code === null ? 'null' : '"[Your Discord verification code is 123456]"'},` +
        `"activationTime":"${saTime(at)}","discount":"0.00","repeated":"0","countryCode":"16","countryName":"United Kingdom","canGetAnotherSms":"1","currency":840}`;
      expect((await call({ action: 'getActiveActivations' }, key)).body).toBe(
        `{"status":"success","activeActivations":[${row(second[1]!, second[2]!, '4', null, created + 1000)},${row(first[1]!, first[2]!, '2', '123456', created)}]}`,
      );
      expect(await tokenOf({ action: 'setStatus', id: first[1]!, status: 3 }, key)).toBe('ACCESS_RETRY_GET');
      expect(JSON.parse((await call({ action: 'getActiveActivations' }, key)).body).activeActivations[1]).toMatchObject({ activationStatus: '3', repeated: '1' });
      expect(await tokenOf({ action: 'setStatus', id: first[1]!, status: 6 }, key)).toBe('ACCESS_ACTIVATION');
      t.clock.advance(10_000);
      expect(await tokenOf({ action: 'setStatus', id: second[1]!, status: 8 }, key)).toBe('ACCESS_CANCEL');
      expect((await call({ action: 'getActiveActivations' }, key)).body).toBe('{"status":"success","activeActivations":[]}');

      const history = (await call({ action: 'getHistory' }, key)).body;
      expect(history).toBe(
        `[{"id":${second[1]},"date":"${saTime(created + 1000)}","phone":"${second[2]}","sms":null,"cost":0,"status":"8","currency":840},` +
          `{"id":${first[1]},"date":"${saTime(created)}","phone":"${first[2]}","sms":"[\\"Your Discord verification code is 123456\\"]","cost":1.25,"status":"6","currency":840}]`,
      );
      const start = Math.floor(created / 1000);
      expect(JSON.parse((await call({ action: 'getHistory', start, end: start }, key)).body).map((h: { id: number }) => h.id)).toEqual([Number(first[1])]);
      expect(JSON.parse((await call({ action: 'getHistory', start: start + 1 }, key)).body).map((h: { id: number }) => h.id)).toEqual([Number(second[1])]);
      expect(JSON.parse((await call({ action: 'getHistory', offset: 1, limit: 1 }, key)).body).map((h: { id: number }) => h.id)).toEqual([Number(first[1])]);
      expect(JSON.parse((await call({ action: 'getHistory', size: 1 }, key)).body)).toHaveLength(1);
      expect(await tokenOf({ action: 'getHistory', start: 'yesterday' }, key)).toBe('WRONG_DATE');
      expect(await tokenOf({ action: 'getHistory', start, end: start - 1 }, key)).toBe('WRONG_DATE');
      expect(await tokenOf({ action: 'getHistory', start, end: start + 31 * 86_400 }, key)).toBe('WRONG_DATE');
      expect((await balanceCents(lister.userId)) + 125).toBe(10_000);
      await expectLedgerConsistent(p);
    });

    it('tells what is for sale: stock per service, prices, top countries, countries, services, operators', async () => {
      // A world of its own: a fresh platform where only these projects and numbers exist.
      const w = await createTestPlatform(dialect);
      try {
        const p = w.platform;
        const u = await p.users.create({ username: 'shopper', balance: 100 });
        const sim = await p.suppliers.create({ name: 'shop bank', channels: [6, 7] });
        const numbers = [
          { number: '447700900001', country: 'GB', operator: 'ee' },
          { number: '447700900002', country: 'GB', operator: 'ee' },
          { number: '447700900003', country: 'GB', operator: 'o2' },
          { number: '31612000001', country: 'NL', operator: 'kpn' },
          { number: '4915112345678', country: 'DE' },
        ];
        await p.suppliers.registerNumbers(sim.id, numbers);
        await p.suppliers.setOnline(sim.id, numbers.map((n) => n.number));
        // Two Telegram projects on channel 6 share its numbers; a third on channel 7 has the same numbers again.
        await p.catalog.createProject({ enname: 'Telegram-6', price: 30, channel: 6 });
        await p.catalog.createProject({ enname: 'Telegram-6 premium', price: 50, channel: 6, service: 'telegram' });
        await p.catalog.createProject({ enname: 'Telegram-7', channel: 7, countryPrices: { NL: 12, FR: 40 } });
        await p.catalog.createProject({ enname: 'WhatsApp-6', channel: 6, countryPrices: { GB: 45 } });
        await p.catalog.createProject({ enname: 'Depop-6', price: 10, channel: 6 }); // no SMS-Activate code
        const get = async (params: Record<string, string | number>) => {
          const res = await w.app.inject(`/stubs/handler_api.php?${new URLSearchParams({ api_key: u.apiKey, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) })}`);
          expect(res.statusCode).toBe(200);
          return res.body;
        };
        const legacyZeros = (over: Record<string, number>) => {
          const keys = 'vk_0 ok_0 wa_0 vi_0 tg_0 wb_0 go_0 av_0 av_1 fb_0 tw_0 ot_0 ot_1 ub_0 qw_0 gt_0 sn_0 ig_0 ss_0 ym_0 ym_1 ma_0 mm_0 uk_0 me_0 mb_0 we_0 bd_0 kp_0 dt_0 ya_0 ya_1 mt_0 oi_0 fd_0 zz_0 kt_0 pm_0 tn_0'.split(' ');
          const all: Record<string, number> = Object.fromEntries(keys.map((k) => [k, 0]));
          Object.assign(all, over);
          return JSON.stringify(Object.fromEntries(Object.keys(all).sort().map((k) => [k, all[k]])));
        };
        // UK: 3 numbers on channel 6 for telegram (two projects, counted once), 3 for WhatsApp.
        expect(await get({ action: 'getNumbersStatus', country: 16 })).toBe(legacyZeros({ tg_0: 3, wa_0: 3 }));
        expect(await get({ action: 'getNumbersStatus', country: 16, operator: 'o2' })).toBe(legacyZeros({ tg_0: 1, wa_0: 1 }));
        expect(await get({ action: 'getNumbersStatus', country: 48 })).toBe(legacyZeros({ tg_0: 2 }));
        // Every country: channel 6 sells telegram in GB, NL, DE (5); channel 7 in NL (1 more); WhatsApp only GB.
        expect(await get({ action: 'getNumbersStatus' })).toBe(legacyZeros({ tg_0: 6, wa_0: 3 }));
        expect(await get({ action: 'getNumbersStatus', country: 777 })).toBe('BAD_COUNTRY');

        expect(await get({ action: 'getPrices', service: 'tg', country: 16 })).toBe('{"16":{"tg":{"cost":0.3,"count":3,"physicalCount":3}}}');
        expect(await get({ action: 'getPrices', country: 16 })).toBe('{"16":{"tg":{"cost":0.3,"count":3,"physicalCount":3},"wa":{"cost":0.45,"count":3,"physicalCount":3}}}');
        expect(await get({ action: 'getPrices', service: 'tg' })).toBe(
          '{"16":{"tg":{"cost":0.3,"count":3,"physicalCount":3}},"43":{"tg":{"cost":0.3,"count":1,"physicalCount":1}},"48":{"tg":{"cost":0.12,"count":2,"physicalCount":2}}}',
        );
        expect(await get({ action: 'getPrices', service: 'ig' })).toBe('{}');
        expect(await get({ action: 'getPrices', service: 'qqq' })).toBe('BAD_SERVICE');
        expect(await get({ action: 'getPrices', country: 'x' })).toBe('BAD_COUNTRY');

        expect(await get({ action: 'getTopCountriesByService', service: 'tg' })).toBe(
          '{"0":{"country":16,"count":3,"price":0.3,"retail_price":0.3},"1":{"country":48,"count":2,"price":0.12,"retail_price":0.12},"2":{"country":43,"count":1,"price":0.3,"retail_price":0.3}}',
        );
        expect(await get({ action: 'getTopCountriesByService', service: 'tg', freePrice: 'true' })).toBe(
          '{"0":{"country":16,"count":3,"price":0.3,"retail_price":0.3,"freePriceMap":{"0.30":3,"0.50":3}},' +
            '"1":{"country":48,"count":2,"price":0.12,"retail_price":0.12,"freePriceMap":{"0.12":1,"0.30":1,"0.50":1}},' +
            '"2":{"country":43,"count":1,"price":0.3,"retail_price":0.3,"freePriceMap":{"0.30":1,"0.50":1}}}',
        );
        expect(await get({ action: 'getTopCountriesByService', service: 'ig' })).toBe('{}');
        expect(await get({ action: 'getTopCountriesByService' })).toBe('BAD_SERVICE');

        const countries = JSON.parse(await get({ action: 'getCountries' })) as Record<string, Record<string, unknown>>;
        expect(JSON.stringify(countries['16'])).toBe('{"id":16,"rus":"United Kingdom","eng":"United Kingdom","chn":"United Kingdom","visible":1,"retry":1,"rent":0,"multiService":0}');
        expect(countries['187']).toMatchObject({ id: 187, eng: 'United States', visible: 0 });
        expect(countries['0']).toMatchObject({ id: 0, visible: 0 });
        expect(Object.keys(countries).every((k) => /^\d+$/.test(k))).toBe(true);
        expect(Object.keys(countries).length).toBeGreaterThan(190);

        const services = JSON.parse(await get({ action: 'getServicesList' })) as { status: string; services: { code: string; name: string }[] };
        expect(services.status).toBe('success');
        expect(services.services).toContainEqual({ code: 'tg', name: 'Telegram' });
        expect(services.services.length).toBeGreaterThan(50);
        expect(await get({ action: 'getServicesList', country: 16, lang: 'ru' })).toBe('{"status":"success","services":[{"code":"tg","name":"Telegram"},{"code":"wa","name":"WhatsApp"}]}');

        expect(await get({ action: 'getOperators' })).toBe('{"status":"success","countryOperators":{"16":["any","ee","o2"],"43":["any"],"48":["any","kpn"],"78":["any"]}}');
        expect(await get({ action: 'getOperators', country: 48 })).toBe('{"status":"success","countryOperators":{"48":["any","kpn"]}}');
        expect(await get({ action: 'getOperators', country: 187 })).toBe('OPERATORS_NOT_FOUND');
        expect(await get({ action: 'getOperators', country: 9999 })).toBe('OPERATORS_NOT_FOUND');
      } finally {
        await w.close();
      }
    });
  });

  it('answers in forms the clients quoted in the reference can parse', async () => {
    const balance = await tokenOf({ action: 'getBalance' });
    // [PY-OFF] response[15:]; [TEZ] float(split(':')[1]); [JAVA] \d+(?:[\.,]\d+)? then BigDecimal; [NPM-SA] parseInt.
    expect(balance.slice(15)).toMatch(/^\d+\.\d{2}$/);
    expect(Number(balance.split(':')[1])).toBe(Number(balance.slice(15)));
    expect(/ACCESS_BALANCE:(\d+(?:[.,]\d+)?)/.exec(balance)![1]).not.toContain(',');
    // [PY-OFF] response[14:].split(':') then int(); [JAVA] Integer.parseInt (< 2^31), Long.parseLong; exactly two colons.
    const number = await tokenOf({ action: 'getNumber', service: 'tg', country: 16 });
    const [id, phone] = number.slice(14).split(':');
    expect(number.split(':')).toHaveLength(3);
    expect(id).toMatch(/^[1-9]\d*$/);
    expect(Number(id)).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(phone).toMatch(/^[1-9]\d{6,14}$/);
    // [JAVA] getNumbersStatus: every key splits on '_' into a service and a 0/1; [TEZ] int(value).
    const counts = JSON.parse(await jsonOf({ action: 'getNumbersStatus', country: 16 })) as Record<string, unknown>;
    for (const [key, value] of Object.entries(counts)) {
      expect(key.split('_')[1]).toMatch(/^[01]$/);
      expect(Number.isInteger(value)).toBe(true);
    }
    // [JAVA] getPrices: integer country keys, two-letter services, numeric cost and count.
    const prices = JSON.parse(await jsonOf({ action: 'getPrices' })) as Record<string, Record<string, { cost: unknown; count: unknown }>>;
    for (const [country, byService] of Object.entries(prices)) {
      expect(country).toMatch(/^\d+$/);
      for (const [service, price] of Object.entries(byService)) {
        expect(service).toMatch(/^[a-z]{2}$/);
        expect(typeof price.cost).toBe('number');
        expect(Number.isInteger(price.count)).toBe(true);
      }
    }
    // [PY-OFF] json.loads on getActiveActivations even when there are none: never the NO_ACTIVATIONS token.
    const nobody = await t.platform.users.create({ username: 'sa-nobody' });
    expect((await call({ action: 'getActiveActivations' }, { key: nobody.apiKey })).body).toBe('{"status":"success","activeActivations":[]}');
    expect(telegram).toBeGreaterThan(0);
  });
});
