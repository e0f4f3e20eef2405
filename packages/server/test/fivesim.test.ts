// The 5SIM API v1 at /v1 (reference fivesim-v1.md), on SQLite and Postgres: golden bytes of every JSON
// shape and every refusal (status, plain-text body, content type), the whole order lifecycle through
// /v1 with SMS pushed through the supplier API, money to the cent with a clean ledger audit, the same
// orders seen on FASTPVA, and rate limits. The third-party clients run in fivesim-clients.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { DEFAULT_RATE_LIMITS } from '../src/api/limits.js';
import { loadConfig } from '../src/config.js';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, type TestPlatform } from './helpers/platform.js';

/** 5SIM's times: RFC 3339 with microseconds; an SMS's `date` to the second. */
const at = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const second = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Reply {
  status: number;
  type: string | undefined;
  body: string;
  headers: Record<string, unknown>;
}

describe.each(DIALECTS)('5SIM API on %s', (dialect) => {
  let t: TestPlatform;
  let supplierKey: string;
  let telegram: number;
  let sms = 0;

  const get = async (url: string, key?: string): Promise<Reply> => {
    const res = await t.app.inject({ method: 'GET', url, headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });
    return { status: res.statusCode, type: res.headers['content-type'] as string | undefined, body: res.body, headers: res.headers };
  };
  /** A JSON answer: HTTP 200, `application/json` exactly. */
  const ok = async (url: string, key?: string): Promise<string> => {
    const res = await get(url, key);
    expect({ status: res.status, type: res.type }, res.body).toEqual({ status: 200, type: 'application/json' });
    return res.body;
  };
  /** A refusal: its status and plain-text body. */
  const refused = async (url: string, key?: string): Promise<[number, string]> => {
    const res = await get(url, key);
    expect(res.type, res.body).toBe('text/plain; charset=utf-8');
    return [res.status, res.body];
  };
  /** The SIM got an SMS; its supplier pushes it. */
  const push = async (to: string, from: string, text: string) => {
    const res = await t.app.inject({ method: 'POST', url: '/supplier/v1/sms', headers: { authorization: `Bearer ${supplierKey}` }, payload: { id: `m${++sms}`, to, from, text } });
    expect(res.statusCode).toBe(200);
    return JSON.parse(res.body) as { accepted: boolean; orderId: string | null; reason?: string };
  };
  const customer = async (username: string, balance: number) => (await t.platform.users.create({ username, balance, email: `${username}@example.com` })).apiKey;
  const balanceOf = async (username: string) => (await t.platform.users.show(username)).balance;

  beforeAll(async () => {
    t = await createTestPlatform(dialect, { releaseAfterMs: 10_000, orderTtlMs: 15 * 60_000 });
    const p = t.platform;
    const supplier = await p.suppliers.create({ name: 'SIM bank', channels: [6] });
    supplierKey = supplier.key;
    await p.suppliers.registerNumbers(supplier.id, [
      { number: '447700900001', country: 'GB', operator: 'vodafone' },
      { number: '447700900002', country: 'GB', operator: 'vodafone' },
      { number: '447700900003', country: 'GB', operator: 'vodafone' },
      { number: '447700900004', country: 'GB', operator: 'EE' },
      { number: '31612345001', country: 'NL' },
    ]);
    await p.suppliers.setOnline(supplier.id, ['447700900001', '447700900002', '447700900003', '447700900004', '31612345001']);
    telegram = (await p.catalog.createProject({ enname: 'Telegram-C6', price: 25, channel: 6 })).myPid;
    await p.catalog.createProject({ enname: 'WhatsApp-C6', channel: 6, countryPrices: { GB: 40, NL: 12, FR: 30 } });
  });
  afterAll(async () => t?.close());

  it('answers the guest routes byte for byte, with no key and whatever key', async () => {
    expect(await ok('/v1/guest/products/england/any')).toBe(
      '{"telegram":{"Category":"activation","Qty":4,"Price":0.25},"whatsapp":{"Category":"activation","Qty":4,"Price":0.4}}',
    );
    expect(await ok('/v1/guest/products/any/any', 'not-a-key')).toBe(
      '{"telegram":{"Category":"activation","Qty":5,"Price":0.25},"whatsapp":{"Category":"activation","Qty":5,"Price":0.12}}',
    );
    expect(await ok('/v1/guest/products/England/ee')).toBe(
      '{"telegram":{"Category":"activation","Qty":1,"Price":0.25},"whatsapp":{"Category":"activation","Qty":1,"Price":0.4}}',
    );
    expect(await ok('/v1/guest/products/england/three')).toBe('{}');

    const england = '"england":{"telegram":{"ee":{"cost":0.25,"count":1},"vodafone":{"cost":0.25,"count":3}},"whatsapp":{"ee":{"cost":0.4,"count":1},"vodafone":{"cost":0.4,"count":3}}}';
    const netherlands = '"netherlands":{"telegram":{"any":{"cost":0.25,"count":1}},"whatsapp":{"any":{"cost":0.12,"count":1}}}';
    // France: priced, nothing free: listed at count 0 under `any`, which buys from any operator.
    expect(await ok('/v1/guest/prices')).toBe(`{${england},"france":{"whatsapp":{"any":{"cost":0.3,"count":0}}},${netherlands}}`);
    expect(await ok('/v1/guest/prices?country=england')).toBe(`{${england}}`);
    expect(await ok('/v1/guest/prices?country=netherlands&product=')).toBe(`{${netherlands}}`);
    // Both filters keep country -> product -> operator (fivesim-api's `best` reads prices[country][product]).
    expect(await ok('/v1/guest/prices?country=england&product=telegram')).toBe('{"england":{"telegram":{"ee":{"cost":0.25,"count":1},"vodafone":{"cost":0.25,"count":3}}}}');
    // The product alone nests product -> country -> operator.
    expect(await ok('/v1/guest/prices?product=whatsapp')).toBe(
      '{"whatsapp":{"england":{"ee":{"cost":0.4,"count":1},"vodafone":{"cost":0.4,"count":3}},"france":{"any":{"cost":0.3,"count":0}},"netherlands":{"any":{"cost":0.12,"count":1}}}}',
    );

    const countries = await ok('/v1/guest/countries');
    expect(countries).toContain(
      '"england":{"iso":{"gb":1},"prefix":{"+44":1},"text_en":"United Kingdom","text_ru":"Великобритания","ee":{"activation":1},"vodafone":{"activation":1}}',
    );
    expect(countries).toContain('"afghanistan":{"iso":{"af":1},"prefix":{"+93":1},"text_en":"Afghanistan","text_ru":"Афганистан"}');
    expect(countries).toContain('"netherlands":{"iso":{"nl":1},"prefix":{"+31":1},"text_en":"Netherlands","text_ru":"Нидерланды","any":{"activation":1}}');
    const parsed = JSON.parse(countries) as Record<string, { iso: Record<string, number>; prefix: Record<string, number> }>;
    const slugs = Object.keys(parsed);
    expect(slugs).toEqual([...slugs].sort());
    expect(slugs.length).toBeGreaterThan(180);
    // 5sim.net's own spellings.
    expect(parsed.usa?.iso).toEqual({ us: 1 });
    expect(parsed.usa?.prefix).toEqual({ '+1': 1 });
    expect(parsed.macau?.iso).toEqual({ mo: 1 });
    expect(parsed.saintvincentandgrenadines?.iso).toEqual({ vc: 1 });
    expect(parsed.tit?.iso).toEqual({ tt: 1 });
    expect(parsed.samoa?.prefix).toEqual({ '+685': 1 });

    expect(await ok('/v1/guest/flash/en')).toBe('{"text":""}');

    expect(await refused('/v1/guest/products/narnia/any')).toEqual([400, 'bad country']);
    expect(await refused('/v1/guest/products/england/bad%20operator')).toEqual([400, 'bad operator']);
    expect(await refused('/v1/guest/prices?country=narnia')).toEqual([400, 'bad country']);
    expect(await refused('/v1/guest/prices?product=nothing')).toEqual([400, 'no product']);
  });

  it('refuses in 5SIM words: 401 with an empty body, 404 and 400 texts, unknown routes', async () => {
    const key = await customer('refused', 10);
    expect(await refused('/v1/user/profile')).toEqual([401, '']);
    expect(await refused('/v1/user/profile', 'wrong-key')).toEqual([401, '']);
    expect(await refused('/v1/user/check/1', 'wrong-key')).toEqual([401, '']);

    expect(await refused('/v1/user/check/999999', key)).toEqual([404, 'order not found']);
    expect(await refused('/v1/user/check/abc', key)).toEqual([404, 'order not found']);
    for (const action of ['finish', 'cancel', 'ban']) expect(await refused(`/v1/user/${action}/999999`, key)).toEqual([400, 'order not found']);
    expect(await refused('/v1/user/sms/inbox/999999', key)).toEqual([400, 'order not found']);

    expect(await refused('/v1/user/buy/activation/narnia/any/telegram', key)).toEqual([400, 'bad country']);
    expect(await refused('/v1/user/buy/activation/england/any/nothing', key)).toEqual([400, 'no product']);
    expect(await refused('/v1/user/buy/activation/england/b%20d/telegram', key)).toEqual([400, 'bad operator']);
    // Known to the vocabulary, sold by no project.
    expect(await refused('/v1/user/buy/activation/england/any/tinder', key)).toEqual([400, 'no product']);
    expect(await refused('/v1/user/buy/hosting/england/any/1day', key)).toEqual([400, 'no product']);
    expect(await refused('/v1/user/buy/activation/england/three/telegram', key)).toEqual([400, 'no free phones']);
    expect(await refused('/v1/user/buy/activation/england/any/telegram?maxPrice=0.24', key)).toEqual([400, 'no free phones']);
    expect(await refused('/v1/user/buy/activation/england/any/telegram?maxPrice=cheap', key)).toEqual([400, 'bad maxPrice']);
    expect(await refused('/v1/user/buy/activation/england/any/telegram', key)).toEqual([400, 'not enough user balance']);
    expect(await refused('/v1/user/reuse/telegram/447700900001', key)).toEqual([400, 'reuse not possible']);
    expect(await refused('/v1/user/reuse/telegram/12', key)).toEqual([400, 'reuse not possible']);
    expect(await refused('/v1/user/orders?category=rent', key)).toEqual([400, 'bad category']);
    expect(await refused('/v1/user/payments?limit=0', key)).toEqual([400, 'bad limit']);

    // The active-order cap is 5SIM's rating.
    const capped = await customer('capped', 1000);
    await t.platform.users.setLimits('capped', { maxActiveOrders: 1 });
    const first = JSON.parse(await ok('/v1/user/buy/activation/netherlands/any/whatsapp', capped)) as { id: number };
    expect(await refused('/v1/user/buy/activation/england/any/telegram', capped)).toEqual([400, 'not enough rating']);
    t.clock.advance(10_000);
    expect(JSON.parse(await ok(`/v1/user/cancel/${first.id}`, capped))).toMatchObject({ status: 'CANCELED' });
    expect(await balanceOf('capped')).toBe(1000);

    expect(await refused('/v1/user/nothing', key)).toEqual([404, 'route not found']);
    expect(await refused('/v1/vendor/wallets', key)).toEqual([404, 'route not found']);
    const post = await t.app.inject({ method: 'POST', url: '/v1/user/profile', headers: { authorization: `Bearer ${key}` } });
    expect([post.statusCode, post.headers.allow, post.body]).toEqual([405, 'GET', 'method POST not allowed, use GET']);
    await expectLedgerConsistent(t.platform);
  });

  it('runs an order through its whole life: buy, PENDING, only its own SMS, RECEIVED, finish, with money to the cent', async () => {
    const key = await customer('life', 10_000);
    const bought = await ok('/v1/user/buy/activation/england/vodafone/telegram', key);
    const order = JSON.parse(bought) as { id: number; phone: string };
    expect(order.id).toBeTypeOf('number');
    expect(order.phone).toMatch(/^\+44770090000[123]$/);
    const created = t.clock.now();
    const expires = created + 15 * 60_000;
    const head = `{"id":${order.id},"phone":"${order.phone}","operator":"vodafone","product":"telegram","price":0.25`;
    const tail = `"created_at":"${at(created)}","forwarding":false,"forwarding_number":"","country":"england"}`;
    expect(bought).toBe(`${head},"status":"PENDING","expires":"${at(expires)}","sms":null,${tail}`);
    expect(await ok(`/v1/user/check/${order.id}?wait=1`, key)).toBe(`${head},"status":"PENDING","expires":"${at(expires)}","sms":[],${tail}`);
    // The price is held: available 99.75, frozen 0.25.
    expect(await ok('/v1/user/profile', key)).toContain('"balance":99.75,"rating":96,"default_country":{"name":"england","iso":"gb","prefix":"+44"},"default_operator":{"name":""},"frozen_balance":0.25,"did_order":true');

    // Another service's SMS is not this order's: still PENDING, nothing charged.
    t.clock.advance(3_000);
    expect(await push(order.phone.slice(1), 'WhatsApp', 'Your WhatsApp code: 123-456')).toMatchObject({ orderId: null, reason: 'other_service' });
    expect(JSON.parse(await ok(`/v1/user/check/${order.id}`, key))).toMatchObject({ status: 'PENDING', sms: [] });

    t.clock.advance(2_000);
    const smsAt = t.clock.now();
    expect((await push(order.phone.slice(1), 'Telegram', 'Telegram code: 56032. Do not give this code to anyone')).orderId).not.toBeNull();
    const smsJson = `[{"created_at":"${at(smsAt)}","date":"${second(smsAt)}","sender":"Telegram","text":"Telegram code: 56032. Do not give this code to anyone","code":"56032"}]`;
    expect(await ok(`/v1/user/check/${order.id}`, key)).toBe(`${head},"status":"RECEIVED","expires":"${at(expires)}","sms":${smsJson},${tail}`);
    const smsId = (await t.platform.orders.deliveredSms(await userId('life'), order.id))[0]!.id;
    expect(await ok(`/v1/user/sms/inbox/${order.id}`, key)).toBe(
      `{"Data":[{"ID":${smsId},"created_at":"${at(smsAt)}","date":"${second(smsAt)}","sender":"Telegram","text":"Telegram code: 56032. Do not give this code to anyone","code":"56032","is_wave":false,"wave_uuid":""}],"Total":1}`,
    );

    // The same order on FASTPVA, by its public id.
    const view = await t.platform.orders.activation(await userId('life'), order.id);
    const fastpva = await t.app.inject({ method: 'GET', url: `/pvapublic/sms/getCode?orderId=${view.orderId}&apikey=${key}` });
    expect(fastpva.body).toBe(`{"code":1,"data":{"code":"56032","content":"Telegram code: 56032. Do not give this code to anyone","number":"${order.phone.slice(1)}","balance":9975}}`);

    // The code is in: no cancel, no ban (nothing to refund); finish ends it at once, and again safely.
    expect(await refused(`/v1/user/cancel/${order.id}`, key)).toEqual([400, 'order has sms']);
    expect(await refused(`/v1/user/ban/${order.id}`, key)).toEqual([400, 'order has sms']);
    const finished = `${head},"status":"FINISHED","expires":"${at(expires)}","sms":${smsJson},${tail}`;
    expect(await ok(`/v1/user/finish/${order.id}`, key)).toBe(finished);
    expect(await ok(`/v1/user/finish/${order.id}`, key)).toBe(finished);
    expect(await ok(`/v1/user/check/${order.id}`, key)).toBe(finished);
    expect(await balanceOf('life')).toBe(9975);

    // Reuse: the same customer takes the same number for the same product again.
    const again = JSON.parse(await ok(`/v1/user/reuse/telegram/${order.phone.slice(1)}`, key)) as { id: number; phone: string; status: string; sms: null };
    expect(again).toMatchObject({ phone: order.phone, status: 'PENDING', sms: null, product: 'telegram', price: 0.25 });
    expect(again.id).toBeGreaterThan(order.id);
    expect(await refused(`/v1/user/reuse/whatsapp/${order.phone.slice(1)}`, key)).toEqual([400, 'reuse not possible']);
    t.clock.advance(10_000);
    expect(JSON.parse(await ok(`/v1/user/cancel/${again.id}`, key))).toMatchObject({ status: 'CANCELED', sms: [] });
    expect(await balanceOf('life')).toBe(9975);

    const history = await ok('/v1/user/orders?category=activation&limit=15&offset=0&order=id&reverse=true', key);
    expect(JSON.parse(history)).toMatchObject({ Data: [{ id: again.id, status: 'CANCELED', sms: [] }, { id: order.id, status: 'FINISHED' }], ProductNames: [], Statuses: [], Total: 2 });
    expect(history).toContain(`{"Data":[{"id":${again.id},"phone":"${order.phone}","operator":"vodafone","product":"telegram","price":0.25,"status":"CANCELED",`);
    expect(history.endsWith(`${finished}],"ProductNames":[],"Statuses":[],"Total":2}`)).toBe(true);
    expect(JSON.parse(await ok('/v1/user/orders?limit=1&offset=1', key))).toMatchObject({ Data: [{ id: again.id }], Total: 2 });
    expect(await ok('/v1/user/orders?category=hosting', key)).toBe('{"Data":[],"ProductNames":[],"Statuses":[],"Total":0}');

    // Payments: the opening balance (an admin's), then the one charge.
    const payments = JSON.parse(await ok('/v1/user/payments', key)) as { Data: { ID: number }[] };
    const [opening, charge] = payments.Data.map((d) => d.ID);
    expect(await ok('/v1/user/payments?limit=15&offset=0&order=id&reverse=false', key)).toBe(
      `{"Data":[{"ID":${opening},"TypeName":"charge","ProviderName":"admin","Amount":100,"Balance":100,"CreatedAt":"${at(created)}"},` +
        `{"ID":${charge},"TypeName":"buy","ProviderName":"telegram","Amount":-0.25,"Balance":99.75,"CreatedAt":"${at(smsAt)}"}],` +
        `"PaymentTypes":[{"Name":"charge"},{"Name":"buy"}],"PaymentProviders":[{"Name":"admin"},{"Name":"telegram"}],"Total":2}`,
    );
    expect(await ok('/v1/user/profile', key)).toBe(
      `{"id":${await userId('life')},"email":"life@example.com","vendor":"","default_forwarding_number":"","balance":99.75,"rating":96,` +
        `"default_country":{"name":"england","iso":"gb","prefix":"+44"},"default_operator":{"name":""},"frozen_balance":0,"did_order":true,` +
        `"last_order":"england:telegram:vodafone:${telegram}:0.25","last_top_orders":"[england:telegram:vodafone:${telegram}:0.25]","last_top_idx":0,"total_active_orders":0}`,
    );
    await expectLedgerConsistent(t.platform);
  });

  it('cancels (refund, CANCELED), bans (BANNED, the number shielded) and times out (TIMEOUT)', async () => {
    const key = await customer('ender', 1000);
    const buy = async () => JSON.parse(await ok('/v1/user/buy/activation/netherlands/any/whatsapp', key)) as { id: number; phone: string; price: number };

    const canceled = await buy();
    expect(canceled).toMatchObject({ phone: '+31612345001', operator: 'any', price: 0.12, country: 'netherlands' });
    expect(await balanceOf('ender')).toBe(988);
    expect(await refused(`/v1/user/cancel/${canceled.id}`, key)).toEqual([400, 'you need to wait time']);
    t.clock.advance(10_000);
    expect(JSON.parse(await ok(`/v1/user/cancel/${canceled.id}`, key))).toMatchObject({ id: canceled.id, status: 'CANCELED', sms: [] });
    expect(JSON.parse(await ok(`/v1/user/cancel/${canceled.id}`, key))).toMatchObject({ status: 'CANCELED' });
    expect(await balanceOf('ender')).toBe(1000);
    // A cancelled order gets no SMS: a late one is kept for admins.
    expect(await push('31612345001', 'WhatsApp', 'Your WhatsApp code: 111-222')).toMatchObject({ orderId: null, reason: 'no_live_order' });

    const banned = await buy();
    t.clock.advance(10_000);
    expect(JSON.parse(await ok(`/v1/user/ban/${banned.id}`, key))).toMatchObject({ id: banned.id, status: 'BANNED', sms: [] });
    expect(await balanceOf('ender')).toBe(1000);
    // Shielded for this customer: no longer offered to it, even asked for by number.
    expect(await refused('/v1/user/buy/activation/netherlands/any/whatsapp', key)).toEqual([400, 'no free phones']);
    expect(await refused(`/v1/user/reuse/whatsapp/31612345001`, key)).toEqual([400, 'no free phones']);

    const late = await customer('late', 1000);
    const expiring = JSON.parse(await ok('/v1/user/buy/activation/netherlands/any/whatsapp', late)) as { id: number };
    t.clock.advance(15 * 60_000);
    expect(await t.platform.orders.expireDue()).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(await ok(`/v1/user/check/${expiring.id}`, late))).toMatchObject({ status: 'TIMEOUT', sms: [] });
    expect(await refused(`/v1/user/cancel/${expiring.id}`, late)).toEqual([400, 'order expired']);
    expect(await refused(`/v1/user/finish/${expiring.id}`, late)).toEqual([400, 'order expired']);
    expect(await balanceOf('late')).toBe(1000);
    // 5SIM's order ids are this platform's: SMS-Activate's and 5SIM's id name the same order.
    expect((await t.platform.orders.activation(await userId('late'), expiring.id)).endReason).toBe('expire');
    await expectLedgerConsistent(t.platform);
  });

  it('keeps max prices per product, which cap purchases without a maxPrice of their own', async () => {
    const key = await customer('thrifty', 1000);
    const send = (method: 'POST' | 'DELETE', payload: unknown) =>
      t.app.inject({ method, url: '/v1/user/max-prices', headers: { authorization: `Bearer ${key}` }, payload: payload as object });
    expect(await ok('/v1/user/max-prices', key)).toBe('[]');
    const set = await send('POST', { product_name: 'telegram', price: 0.2 });
    expect([set.statusCode, set.headers['content-type'], set.body]).toEqual([200, 'application/json', '{"success":true}']);
    const limits = JSON.parse(await ok('/v1/user/max-prices', key)) as { id: number }[];
    expect(await ok('/v1/user/max-prices', key)).toBe(`[{"id":${limits[0]!.id},"product":"telegram","price":0.2,"CreatedAt":"${at(t.clock.now())}"}]`);
    // 25 cents is above the stored 20; a maxPrice on the purchase wins over the stored one.
    expect(await refused('/v1/user/buy/activation/england/any/telegram', key)).toEqual([400, 'no free phones']);
    const bought = JSON.parse(await ok('/v1/user/buy/activation/england/any/telegram?maxPrice=0.25', key)) as { id: number };
    t.clock.advance(10_000);
    await ok(`/v1/user/cancel/${bought.id}`, key);
    expect((await send('POST', { product_name: 'telegram', price: '0.3' })).statusCode).toBe(200);
    expect(JSON.parse(await ok('/v1/user/max-prices', key))).toMatchObject([{ product: 'telegram', price: 0.3 }]);
    const capped = JSON.parse(await ok('/v1/user/buy/activation/england/any/telegram', key)) as { id: number };
    t.clock.advance(10_000);
    await ok(`/v1/user/cancel/${capped.id}`, key);

    const refusedBody = async (method: 'POST' | 'DELETE', payload: unknown) => {
      const res = await send(method, payload);
      return [res.statusCode, res.body];
    };
    expect(await refusedBody('POST', { price: 1 })).toEqual([400, 'product_name is empty']);
    expect(await refusedBody('POST', { product_name: ' ', price: 1 })).toEqual([400, 'product_name is empty']);
    expect(await refusedBody('POST', { product_name: 'nothing', price: 1 })).toEqual([400, 'no product']);
    expect(await refusedBody('POST', { product_name: 'telegram', price: 'lots' })).toEqual([400, 'bad price']);
    expect(await refusedBody('DELETE', { product_name: 'telegram' })).toEqual([200, '{"success":true}']);
    expect(await refusedBody('DELETE', { product_name: 'telegram' })).toEqual([400, 'record not found']);
    expect(await ok('/v1/user/max-prices', key)).toBe('[]');
    expect(await balanceOf('thrifty')).toBe(1000);
  });

  it('answers `no free phones` with HTTP 200 when told to, as 5sim.net does', async () => {
    expect(loadConfig({}).http.fivesim).toEqual({ noFreePhonesStatus: 400 });
    expect(loadConfig({ FIVESIM_NO_FREE_PHONES_STATUS: '200' }).http.fivesim).toEqual({ noFreePhonesStatus: 200 });
    expect(() => loadConfig({ FIVESIM_NO_FREE_PHONES_STATUS: '404' })).toThrow(/FIVESIM_NO_FREE_PHONES_STATUS=404: not 200 or 400/);
    const key = await customer('strict', 1000);
    const app = await buildApp(t.platform, { fivesim: { noFreePhonesStatus: 200 } });
    try {
      const res = await app.inject({ method: 'GET', url: '/v1/user/buy/activation/england/three/telegram', headers: { authorization: `Bearer ${key}` } });
      expect([res.statusCode, res.headers['content-type'], res.body]).toEqual([200, 'text/plain; charset=utf-8', 'no free phones']);
    } finally {
      await app.close();
    }
  });

  it('answers a caller over its rate limit with 429 and a plain-text reason', async () => {
    const key = await customer('hasty', 0);
    const app = await buildApp(t.platform, { rateLimits: { ...DEFAULT_RATE_LIMITS, perUser: 2 } });
    try {
      const call = () => app.inject({ method: 'GET', url: '/v1/user/profile', headers: { authorization: `Bearer ${key}` } });
      expect((await call()).statusCode).toBe(200);
      expect((await call()).statusCode).toBe(200);
      const limited = await call();
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(limited.body).toMatch(/^too many requests, retry in \d+ s$/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });

  async function userId(username: string): Promise<number> {
    const user = await t.platform.store.read.users.findByUsername(username);
    return user!.id;
  }
});
