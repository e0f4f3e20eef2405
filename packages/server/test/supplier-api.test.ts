// The supplier push API (DESIGN §4) over HTTP, on SQLite and Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, type TestPlatform } from './helpers/platform.js';

describe.each(DIALECTS)('supplier push API on %s', (dialect) => {
  let t: TestPlatform;
  let key: string;
  let otherKey: string;

  const call = async (method: 'PUT' | 'POST', path: string, body: unknown, bearer: string | null = key) => {
    const res = await t.app.inject({
      method,
      url: `/supplier/v1${path}`,
      headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` },
      payload: body as object,
    });
    return { status: res.statusCode, body: res.json() as Record<string, unknown>, raw: res.body };
  };

  beforeAll(async () => {
    t = await createTestPlatform(dialect);
    key = (await t.platform.suppliers.create({ name: 'GoIP rack 1' })).key;
    otherKey = (await t.platform.suppliers.create({ name: 'Android phones' })).key;
  });
  afterAll(async () => t?.close());

  it('refuses requests without a valid supplier key', async () => {
    expect(await call('PUT', '/numbers', { numbers: [] }, null)).toMatchObject({
      status: 401,
      raw: '{"error":{"code":"unauthorized","message":"Unknown supplier key"}}',
    });
    expect((await call('PUT', '/numbers', { numbers: [] }, 'f'.repeat(32))).status).toBe(401);
  });

  it('registers numbers idempotently and validates every entry', async () => {
    const numbers = [
      { number: '+44 7700 900123', country: 'gb', operator: 'Vodafone' },
      { number: '447700900124', country: 'GB' },
    ];
    expect(await call('PUT', '/numbers', { numbers })).toMatchObject({ status: 200, raw: '{"registered":2}' });
    expect(await call('PUT', '/numbers', { numbers })).toMatchObject({ status: 200, raw: '{"registered":2}' });

    expect(await call('PUT', '/numbers', { numbers: [{ number: 'not-a-number', country: 'GB' }] })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_input', message: 'not-a-number is not an international phone number' } },
    });
    expect((await call('PUT', '/numbers', { numbers: [{ number: '447700900125', country: 'G1' }] })).body).toMatchObject({
      error: { message: 'G1 is not an ISO 3166 country code' },
    });
    // Only codes ISO 3166-1 assigns: UK is GB's common mistake, XX no country at all.
    for (const country of ['UK', 'XX']) {
      expect(await call('PUT', '/numbers', { numbers: [{ number: '447700900125', country }] })).toMatchObject({
        status: 400,
        body: { error: { message: `${country} is not an ISO 3166 country code` } },
      });
    }
    expect((await call('PUT', '/numbers', { numbers: [{ number: '447700900125' }] })).body).toMatchObject({
      error: { code: 'invalid_input', message: expect.stringMatching(/^numbers\.0\.country: /) },
    });
    expect(await call('PUT', '/numbers', 'nonsense')).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type' } } });
    const broken = await t.app.inject({ method: 'PUT', url: '/supplier/v1/numbers', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: '{"numbers":' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ error: { code: 'bad_request' } });

    // Another supplier's number is refused, and the whole batch with it: how many, never which.
    const taken = await call('PUT', '/numbers', { numbers: [{ number: '447700900199', country: 'GB' }, { number: '447700900123', country: 'GB' }] }, otherKey);
    expect(taken).toMatchObject({
      status: 409,
      raw: '{"error":{"code":"number_owned_elsewhere","message":"1 of these numbers is registered by another supplier","count":1}}',
    });
    expect(await t.platform.store.read.numbers.findByNumber('447700900199')).toBeUndefined();
  });

  it('marks exactly the given set online', async () => {
    expect(await call('POST', '/numbers/online', { numbers: ['447700900123', '447700900124'] })).toMatchObject({ status: 200, raw: '{"online":2}' });
    expect(await call('POST', '/numbers/online', { numbers: [{ number: '447700900124', country: 'GB' }] })).toMatchObject({ raw: '{"online":1}' });
    expect((await t.platform.store.read.numbers.findByNumber('447700900123'))?.online).toBe(0);
    expect(await call('POST', '/numbers/online', { numbers: ['447700900999'] })).toMatchObject({
      status: 404,
      body: { error: { code: 'unknown_number', numbers: ['447700900999'] } },
    });
    expect((await t.platform.store.read.numbers.findByNumber('447700900124'))?.online).toBe(1);
  });

  it('takes pushed SMS once per message id and delivers them to the live order', async () => {
    const p = t.platform;
    const user = await p.users.create({ username: 'buyer', balance: 100 });
    const project = await p.catalog.createProject({ enname: 'Telegram', price: 30 });
    const order = await p.orders.acquire({ userId: user.id, myPid: project.myPid });
    expect(order.number).toBe('447700900124');

    const sms = { id: 'sms-1', to: '+447700900124', from: 'Telegram', text: 'Telegram code: 56032', receivedAt: '2026-01-12T14:36:30+07:00' };
    expect(await call('POST', '/sms', sms)).toMatchObject({ status: 200, raw: `{"accepted":true,"orderId":"${order.orderId}"}` });
    expect(await call('POST', '/sms', sms)).toMatchObject({ status: 200, raw: `{"accepted":true,"orderId":"${order.orderId}","duplicate":true}` });
    expect((await p.orders.getCode(user.id, order.orderId)).sms).toEqual({ code: '56032', content: 'Telegram code: 56032' });
    expect((await p.users.info(user.id)).balance).toBe(70);

    // A number with no live order: stored for admins, accepted with no order.
    expect(await call('POST', '/sms', { id: 7, to: '447700900123', text: 'hello' })).toMatchObject({ status: 200, raw: '{"accepted":true,"orderId":null,"reason":"no_live_order"}' });
    expect(await call('POST', '/sms', { id: 'x', to: '447700900123', text: 'hi' }, otherKey)).toMatchObject({ status: 404, body: { error: { code: 'unknown_number' } } });
    expect((await call('POST', '/sms', { id: 'y', to: '447700900123' })).body).toMatchObject({ error: { message: expect.stringMatching(/^text: /) } });
    expect((await call('POST', '/sms', { id: 'z', to: '447700900123', text: 'x', receivedAt: 'yesterday' })).status).toBe(400);
    await expectLedgerConsistent(p);
  });

  it('works through a 20,000-number batch in slices, letting other requests in between', async () => {
    const bulk = (await t.platform.suppliers.create({ name: 'SIM farm' })).key;
    const numbers = [...Array(20_000)].map((_, i) => ({ number: `4478${String(i).padStart(8, '0')}`, country: 'GB' }));
    let done = false;
    const big = call('PUT', '/numbers', { numbers }, bulk).finally(() => (done = true));
    // Small requests, one after another, for as long as the batch runs: with slices of 1,000 rows many
    // get through; one transaction over all 20,000 rows would have let through only the first few.
    let answered = 0;
    while (!done) {
      if ((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode === 200) answered++;
      await new Promise((resolve) => setImmediate(resolve)); // as the next request would arrive: from the network
    }
    expect(await big).toMatchObject({ status: 200, raw: '{"registered":20000}' });
    expect(answered).toBeGreaterThanOrEqual(15);
    expect(await call('POST', '/numbers/online', { numbers: numbers.map((n) => n.number) }, bulk)).toMatchObject({ raw: '{"online":20000}' });
    expect((await t.platform.stats.live()).numbersOnline).toBeGreaterThanOrEqual(20_000);
  });

  it('refuses a NUL character in every field but the SMS text, naming the field', async () => {
    const nul = '\u0000';
    const refused = async (method: 'PUT' | 'POST', path: string, body: unknown, field: string) =>
      expect(await call(method, path, body)).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_input', message: `${field}: must not contain a NUL character` } },
      });
    await refused('PUT', '/numbers', { numbers: [{ number: `447700900${nul}1`, country: 'GB' }] }, 'numbers.0.number');
    await refused('PUT', '/numbers', { numbers: [{ number: '447700900126', country: 'GB', operator: `o2${nul}` }] }, 'numbers.0.operator');
    await refused('POST', '/sms', { id: `a${nul}`, to: '447700900123', text: 'x' }, 'id');
    await refused('POST', '/sms', { id: 'n1', to: '447700900123', from: `Tele${nul}gram`, text: 'x' }, 'from');
    expect((await t.platform.store.read.numbers.findByNumber('447700900126'))).toBeUndefined();
    const online = await call('POST', '/numbers/online', { numbers: [`4477009001${nul}24`] });
    expect(online.status).toBe(400);
    expect((online.body.error as { message: string }).message).toMatch(/^numbers\.0: .*NUL/);

    // The SMS text passes the API as received: the domain strips NUL characters before storing it.
    const sms = await call('POST', '/sms', { id: 'nul-text', to: '447700900123', text: `code${nul} 12345` });
    expect(sms.status === 400 && JSON.stringify(sms.body).includes('text')).toBe(false);
    expect(sms).toMatchObject({ status: 200, body: { accepted: true } });
  });
});
