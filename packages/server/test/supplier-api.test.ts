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
    expect(await call('PUT', '/numbers', 'nonsense')).toMatchObject({ status: 415, body: { error: { code: 'bad_request' } } });
    const broken = await t.app.inject({ method: 'PUT', url: '/supplier/v1/numbers', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: '{"numbers":' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ error: { code: 'bad_request' } });

    // Another supplier's number is refused, and the whole batch with it.
    const taken = await call('PUT', '/numbers', { numbers: [{ number: '447700900199', country: 'GB' }, { number: '447700900123', country: 'GB' }] }, otherKey);
    expect(taken).toMatchObject({ status: 409, body: { error: { code: 'number_owned_elsewhere', numbers: ['447700900123'] } } });
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
    expect(await call('POST', '/sms', { id: 7, to: '447700900123', text: 'hello' })).toMatchObject({ status: 200, raw: '{"accepted":true,"orderId":null}' });
    expect(await call('POST', '/sms', { id: 'x', to: '447700900123', text: 'hi' }, otherKey)).toMatchObject({ status: 404, body: { error: { code: 'unknown_number' } } });
    expect((await call('POST', '/sms', { id: 'y', to: '447700900123' })).body).toMatchObject({ error: { message: expect.stringMatching(/^text: /) } });
    expect((await call('POST', '/sms', { id: 'z', to: '447700900123', text: 'x', receivedAt: 'yesterday' })).status).toBe(400);
    await expectLedgerConsistent(p);
  });
});
