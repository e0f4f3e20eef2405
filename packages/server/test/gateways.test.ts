// Gateway webhooks (/ingest/<kind>/<token>) on SQLite and Postgres, each fed the vendor's own payload
// byte for byte (from the vendors' documentation, via shared/reference/supply-and-otp.md), signed here
// with node:crypto where the vendor signs: the acknowledgement each vendor expects, a wrong signature
// or token (401, nothing written), a replay (processed once), a malformed body (400), and the code
// reaching a Telegram order. Gateways are attached with the `fastpva admin supplier gateway` command.
import { createHmac } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { DEFAULT_RATE_LIMITS } from '../src/api/limits.js';
import { hereJson, runHere } from './helpers/cli.js';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, type TestPlatform } from './helpers/platform.js';

const PUBLIC_URL = 'https://sms.example.com';

describe.each(DIALECTS)('gateway webhooks on %s', (dialect) => {
  let t: TestPlatform;
  let userId: number;
  let myPid: number;

  beforeAll(async () => {
    // Wrong tokens are many here; the limit on them has its own test below.
    t = await createTestPlatform(dialect, {}, { publicUrl: PUBLIC_URL, rateLimits: { ...DEFAULT_RATE_LIMITS, authFailures: 1000 } });
    userId = (await t.platform.users.create({ username: 'buyer', balance: 10_000 })).id;
    myPid = (await t.platform.catalog.createProject({ enname: 'Telegram', price: 30, service: 'Telegram' })).myPid;
  });
  afterAll(async () => t?.close());

  const cli = (...args: string[]) => hereJson<{ id: number; kind: string; path: string }>(['admin', 'supplier', ...args, '--db', t.database.url]);

  /** A supplier with numbers registered through the push API (device and slot where given), online, and a gateway of `kind`. */
  async function supplierWith(name: string, kind: string, numbers: { number: string; country: string; device?: string; slot?: number }[], ...flags: string[]) {
    const supplier = await t.platform.suppliers.create({ name });
    const put = await t.app.inject({ method: 'PUT', url: '/supplier/v1/numbers', headers: { authorization: `Bearer ${supplier.key}` }, payload: { numbers } });
    expect(put.body).toBe(`{"registered":${numbers.length}}`);
    await t.platform.suppliers.setOnline(supplier.id, numbers.map((n) => n.number));
    const gateway = await cli('gateway', 'add', '--supplier', name, '--kind', kind, ...flags);
    expect(gateway).toEqual({ id: expect.any(Number), kind, path: expect.stringMatching(new RegExp(`^/ingest/${kind}/[0-9a-f]{32}$`)) });
    return { supplier, path: gateway.path };
  }

  const order = (number: string) => t.platform.orders.acquire({ userId, myPid, number });
  const codeOf = async (orderId: string) => (await t.platform.orders.getCode(userId, orderId)).sms;
  const stored = (source: string, key: string) =>
    t.store.kysely.selectFrom('inbound_sms').selectAll().where('source', '=', source).where('source_key', '=', key).execute();

  function expectAck(res: LightMyRequestResponse, type: string, body: string) {
    expect({ status: res.statusCode, type: res.headers['content-type'], body: res.body }).toEqual({ status: 200, type, body });
  }
  function expectRefused(res: LightMyRequestResponse, status: number, message: RegExp) {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json().error.message).toMatch(message);
  }

  describe('SMS Gateway for Android', () => {
    // The sms:received example of docs/features/webhooks.md with sender and recipient, as in the reference.
    const DOCUMENTED = `{
  "deviceId": "ffffffffceb0b1db0000018e937c815b",
  "event": "sms:received",
  "id": "Ey6ECgOkVVFjz3CL48B8C",
  "payload": {
    "messageId": "abc123",
    "message": "Android is always a sweet treat!",
    "sender": "+9998887777",
    "recipient": "+1112223333",
    "phoneNumber": "+9998887777",
    "simNumber": 1,
    "receivedAt": "2024-06-22T15:46:11.000+07:00"
  },
  "webhookId": "<unique-id>"
}`;
    const DEVICE = 'ffffffffceb0b1db0000018e937c815b';
    const KEY = 'h7Rk2-signing-key';
    let path: string;

    /** What the app sends: X-Signature = hex(HMAC-SHA256(key, body + X-Timestamp)). */
    const signed = (body: string, options: { key?: string; at?: number } = {}) => {
      const timestamp = String(options.at ?? Math.floor(t.clock.now() / 1000));
      const signature = createHmac('sha256', options.key ?? KEY).update(body + timestamp).digest('hex');
      return t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json', 'x-signature': signature, 'x-timestamp': timestamp }, payload: body });
    };
    const event = (id: string, payload: object, type = 'sms:received') => JSON.stringify({ deviceId: DEVICE, event: type, id, payload, webhookId: 'wh-1' });

    beforeAll(async () => {
      ({ path } = await supplierWith(
        'Android phones',
        'android-sms-gateway',
        [
          { number: '+1112223333', country: 'US' },
          { number: '447700900301', country: 'GB', device: DEVICE, slot: 1 },
          { number: '447700900302', country: 'GB', device: DEVICE, slot: 2 },
        ],
        '--signing-key',
        KEY,
      ));
    });

    it('takes the documented event once, answering 2xx, even with no order on the number', async () => {
      expectAck(await signed(DOCUMENTED), 'application/json; charset=utf-8', '{"accepted":true}');
      // The app retries until it gets a 2xx: the same event id is processed once.
      expectAck(await signed(DOCUMENTED), 'application/json; charset=utf-8', '{"accepted":true}');
      expect(await stored('android-sms-gateway', 'Ey6ECgOkVVFjz3CL48B8C')).toEqual([
        expect.objectContaining({ receiver: '1112223333', sender: '+9998887777', text: 'Android is always a sweet treat!', reason: 'no_live_order', received_at: Date.parse('2024-06-22T08:46:11Z') }),
      ]);
    });

    it('refuses a wrong signature, a wrong key, a stale timestamp and a wrong token with 401, writing nothing', async () => {
      const body = DOCUMENTED.replace('Ey6ECgOkVVFjz3CL48B8C', 'forged-event-1');
      const forged = await t.app.inject({ method: 'POST', url: path, headers: { 'x-signature': 'ab'.repeat(32), 'x-timestamp': String(Math.floor(t.clock.now() / 1000)) }, payload: body });
      expectRefused(forged, 401, /X-Signature does not match/);
      expectRefused(await signed(body, { key: 'another-key' }), 401, /X-Signature does not match/);
      expectRefused(await signed(body, { at: Math.floor(t.clock.now() / 1000) - 301 }), 401, /within 5 minutes/);
      expectRefused(await t.app.inject({ method: 'POST', url: path, payload: body }), 401, /X-Signature and X-Timestamp are required/);
      expectRefused(await t.app.inject({ method: 'POST', url: path.replace(/[0-9a-f]{32}$/, '0'.repeat(32)), payload: body }), 401, /Unknown gateway token/);
      // The token of one kind does not open another kind's door.
      expectRefused(await t.app.inject({ method: 'POST', url: path.replace('android-sms-gateway', 'generic'), payload: body }), 401, /Unknown gateway token/);
      expect(await stored('android-sms-gateway', 'forged-event-1')).toEqual([]);
    });

    it('answers a malformed body 400 saying what is wrong', async () => {
      expectRefused(await signed('{"deviceId":'), 400, /^The body is not JSON$/);
      expectRefused(await signed(event('bad-1', { sender: '+9998887777' })), 400, /^payload\.message: /);
      expectRefused(await signed(JSON.stringify({ event: 'sms:received', id: 'x', payload: {} })), 400, /^deviceId: /);
      expect(await stored('android-sms-gateway', 'bad-1')).toEqual([]);
    });

    it("delivers the code to the order, finding the number by the phone's SIM slot when the app cannot read it", async () => {
      const bySlot = await order('447700900302');
      const sms = { messageId: 'm1', message: 'Telegram code: 40412', sender: 'Telegram', recipient: null, simNumber: 2, receivedAt: '2026-01-12T21:36:20.000+07:00' };
      expectAck(await signed(event('evt-slot-2', sms)), 'application/json; charset=utf-8', '{"accepted":true}');
      expect(await codeOf(bySlot.orderId)).toEqual({ code: '40412', content: 'Telegram code: 40412' });

      const byRecipient = await order('1112223333');
      expectAck(await signed(event('evt-recipient', { ...sms, message: 'Telegram code: 77123', recipient: '+1112223333', simNumber: null })), 'application/json; charset=utf-8', '{"accepted":true}');
      expect(await codeOf(byRecipient.orderId)).toEqual({ code: '77123', content: 'Telegram code: 77123' });

      // A slot with no number registered says so (and the app retries, which is harmless).
      expectRefused(await signed(event('evt-slot-9', { ...sms, simNumber: 9 })), 404, /No number is registered in device ffffffffceb0b1db0000018e937c815b slot 9/);
      await expectLedgerConsistent(t.platform);
    });

    it("counts system:ping as the phone's heartbeat: its numbers come online, seen now", async () => {
      await t.store.kysely.updateTable('numbers').set({ online: 0, last_seen_at: 0 }).where('device', '=', DEVICE).execute();
      expectAck(await signed(event('ping-1', { health: { status: 'pass' } }, 'system:ping')), 'application/json; charset=utf-8', '{"accepted":true}');
      const numbers = await t.store.kysely.selectFrom('numbers').select(['number', 'online', 'last_seen_at']).where('device', '=', DEVICE).orderBy('number').execute();
      expect(numbers).toEqual([
        { number: '447700900301', online: 1, last_seen_at: t.clock.now() },
        { number: '447700900302', online: 1, last_seen_at: t.clock.now() },
      ]);
    });
  });

  describe('Twilio', () => {
    const AUTH_TOKEN = '12345678901234567890123456789012';
    let path: string;
    /** Twilio's inbound SMS parameters, in the order it sends them. */
    const params = (sid: string, body: string) =>
      new URLSearchParams({
        ToCountry: 'US',
        ToState: 'CA',
        SmsMessageSid: sid,
        NumMedia: '0',
        ToCity: 'SAN FRANCISCO',
        FromZip: '94105',
        SmsSid: sid,
        FromState: 'CA',
        SmsStatus: 'received',
        FromCity: 'SAN FRANCISCO',
        Body: body,
        FromCountry: 'US',
        To: '+15017122661',
        MessagingServiceSid: 'MG5b8c5b5a4a4bd2e2cd1c8ac3e4ec0c6f',
        ToZip: '94105',
        NumSegments: '1',
        MessageSid: sid,
        AccountSid: 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
        From: '+15558675310',
        ApiVersion: '2010-04-01',
      }).toString();
    /** X-Twilio-Signature = Base64(HMAC-SHA1(AuthToken, URL + every POST parameter's name and value, sorted by name)). */
    const signature = (url: string, form: string, token = AUTH_TOKEN) => {
      const sorted = [...new URLSearchParams(form)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return createHmac('sha1', token).update(url + sorted.map(([k, v]) => k + v).join('')).digest('base64');
    };
    const post = (form: string, sig = signature(`${PUBLIC_URL}${path}`, form)) =>
      t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig }, payload: form });
    const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

    beforeAll(async () => {
      ({ path } = await supplierWith('Twilio numbers', 'twilio', [{ number: '+15017122661', country: 'US' }], '--auth-token', AUTH_TOKEN));
    });

    it('answers empty TwiML, processes a MessageSid once, and delivers the code', async () => {
      const live = await order('15017122661');
      const form = params('SM1f0e8ae6ade43cb3c0ce4525424e404f', 'Your Telegram code is 62104');
      expectAck(await post(form), 'text/xml', TWIML);
      expectAck(await post(form), 'text/xml', TWIML);
      expect(await stored('twilio', 'SM1f0e8ae6ade43cb3c0ce4525424e404f')).toHaveLength(1);
      expect(await codeOf(live.orderId)).toEqual({ code: '62104', content: 'Your Telegram code is 62104' });
    });

    it('signs over the URL Twilio called: PUBLIC_URL behind a proxy, else the Host', async () => {
      const form = params('SM2f0e8ae6ade43cb3c0ce4525424e404f', 'hello');
      // Signed for the server's own address while the server knows it is https://sms.example.com.
      expectRefused(await post(form, signature(`http://localhost:80${path}`, form)), 401, /X-Twilio-Signature does not match/);
      const direct = await buildApp(t.platform);
      try {
        const res = await direct.inject({
          method: 'POST',
          url: path,
          headers: { host: 'gw.example.net:8080', 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature(`http://gw.example.net:8080${path}`, form) },
          payload: form,
        });
        expectAck(res, 'text/xml', TWIML);
      } finally {
        await direct.close();
      }
    });

    it('refuses a wrong signature or token with 401 and a form without MessageSid with 400', async () => {
      const form = params('SM3f0e8ae6ade43cb3c0ce4525424e404f', 'Telegram code 11111');
      expectRefused(await post(form, signature(`${PUBLIC_URL}${path}`, form, 'f'.repeat(32))), 401, /X-Twilio-Signature does not match/);
      expectRefused(await post(`${form}&Extra=1`, signature(`${PUBLIC_URL}${path}`, form)), 401, /X-Twilio-Signature does not match/);
      expectRefused(await t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form }), 401, /X-Twilio-Signature is required/);
      expect(await stored('twilio', 'SM3f0e8ae6ade43cb3c0ce4525424e404f')).toEqual([]);
      const noSid = new URLSearchParams(form);
      noSid.delete('MessageSid');
      expectRefused(await post(noSid.toString()), 400, /^Missing field: MessageSid$/);
    });
  });

  describe('Jasmin', () => {
    let path: string;
    const mo = (id: string, content: string, extra: Record<string, string> = {}) =>
      new URLSearchParams({ id, from: '+21620203060', to: '+21620203061', 'origin-connector': 'MTN', priority: '1', coding: '0', validity: '2013-07-16 00-46:54', content, binary: Buffer.from(content).toString('hex'), ...extra }).toString();
    const jasminHeaders = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Jasmin gateway/1.0 deliverSmHttpThrower', accept: 'text/plain' };

    beforeAll(async () => {
      ({ path } = await supplierWith('Jasmin SMSC', 'jasmin', [{ number: '21620203061', country: 'TN' }]));
    });

    it('answers exactly ACK/Jasmin to GET and POST, once per message id, and delivers the code', async () => {
      const live = await order('21620203061');
      const get = await t.app.inject({ method: 'GET', url: `${path}?${mo('16fd2706-8baf-433b-82eb-8c7fada847da', 'Hello world !')}`, headers: jasminHeaders });
      expectAck(get, 'text/plain; charset=utf-8', 'ACK/Jasmin');
      const body = mo('26fd2706-8baf-433b-82eb-8c7fada847da', 'Telegram code: 30917');
      expectAck(await t.app.inject({ method: 'POST', url: path, headers: jasminHeaders, payload: body }), 'text/plain; charset=utf-8', 'ACK/Jasmin');
      expectAck(await t.app.inject({ method: 'POST', url: path, headers: jasminHeaders, payload: body }), 'text/plain; charset=utf-8', 'ACK/Jasmin');
      expect(await stored('jasmin', '26fd2706-8baf-433b-82eb-8c7fada847da')).toHaveLength(1);
      expect(await codeOf(live.orderId)).toEqual({ code: '30917', content: 'Telegram code: 30917' });
    });

    it('decodes a UCS-2 message from its binary field', async () => {
      const text = 'Код Telegram: 51515';
      const ucs2 = Buffer.from(text, 'utf16le').swap16();
      const form = mo('36fd2706-8baf-433b-82eb-8c7fada847da', ucs2.toString('latin1'), { coding: '8', binary: ucs2.toString('hex') });
      expectAck(await t.app.inject({ method: 'POST', url: path, headers: jasminHeaders, payload: form }), 'text/plain; charset=utf-8', 'ACK/Jasmin');
      expect((await stored('jasmin', '36fd2706-8baf-433b-82eb-8c7fada847da'))[0]?.text).toBe(text);
    });

    it('refuses a wrong token with 401 and a message without id with 400', async () => {
      expectRefused(await t.app.inject({ method: 'GET', url: `${path.slice(0, -4)}beef?${mo('x1', 'hi')}` }), 401, /Unknown gateway token/);
      expectRefused(await t.app.inject({ method: 'GET', url: `${path}?from=%2B21620203060&to=%2B21620203061&content=hi` }), 400, /^Missing field: id$/);
    });
  });

  describe('Kannel', () => {
    let path: string;
    // get-url = "https://sms.example.com/ingest/kannel/<token>?from=%p&to=%P&text=%a&ts=%t&smsc=%i"
    const url = (text: string, ts = '2026-01-12 14:36') => `${path}?${new URLSearchParams({ from: '+447700900999', to: '447700900401', text, ts, smsc: 'modem1' })}`;

    beforeAll(async () => {
      ({ path } = await supplierWith('Kannel modems', 'kannel', [{ number: '447700900401', country: 'GB' }]));
    });

    it('answers 200 with an empty body (no reply SMS), processes a repeat once, and delivers the code', async () => {
      const live = await order('447700900401');
      expectAck(await t.app.inject({ method: 'GET', url: url('Telegram code: 24680') }), 'text/plain; charset=utf-8', '');
      expectAck(await t.app.inject({ method: 'GET', url: url('Telegram code: 24680') }), 'text/plain; charset=utf-8', '');
      expect(await t.store.kysely.selectFrom('inbound_sms').select('text').where('source', '=', 'kannel').execute()).toEqual([{ text: 'Telegram code: 24680' }]);
      expect(await codeOf(live.orderId)).toEqual({ code: '24680', content: 'Telegram code: 24680' });
      // With id=%I in the get-url, Kannel's own message id is the key.
      expectAck(await t.app.inject({ method: 'GET', url: `${url('hello')}&id=8f3c2d1e-5a6b-4c7d-9e8f-0a1b2c3d4e5f` }), 'text/plain; charset=utf-8', '');
      expect(await stored('kannel', '8f3c2d1e-5a6b-4c7d-9e8f-0a1b2c3d4e5f')).toHaveLength(1);
    });

    it('reads 8-bit text that is not UTF-8 as Latin-1, as Kannel passes it on', async () => {
      expectAck(await t.app.inject({ method: 'GET', url: `${path}?from=%2B447700900999&to=447700900401&text=Bon+app%E9tit&ts=2026-01-12+14:37&smsc=modem1` }), 'text/plain; charset=utf-8', '');
      expectAck(await t.app.inject({ method: 'GET', url: `${path}?from=%2B447700900999&to=447700900401&text=Bon+app%C3%A9tit+%E2%9C%93&ts=2026-01-12+14:37&smsc=modem1` }), 'text/plain; charset=utf-8', '');
      const texts = await t.store.kysely.selectFrom('inbound_sms').select('text').where('source', '=', 'kannel').where('text', 'like', 'Bon%').orderBy('id').execute();
      expect(texts.map((r) => r.text)).toEqual(['Bon appétit', 'Bon appétit ✓']);
    });

    it('refuses a wrong token with 401, a request without `to` with 400, and a POST with 405', async () => {
      expectRefused(await t.app.inject({ method: 'GET', url: url('x').replace(/kannel\/[0-9a-f]+/, 'kannel/nope') }), 401, /Unknown gateway token/);
      expectRefused(await t.app.inject({ method: 'GET', url: `${path}?from=%2B447700900999&text=hi` }), 400, /^Missing field: to$/);
      const post = await t.app.inject({ method: 'POST', url: path, payload: 'from=1' });
      expect({ status: post.statusCode, allow: post.headers.allow }).toEqual({ status: 405, allow: 'GET' });
    });
  });

  describe('Dinstar', () => {
    let path: string;
    // The push examples of the Dinstar GSM Gateway HTTP API (v201910).
    const SMS_PUSH = '{"sn":"xxxx-xxxx-xxxx-xxxx","sms":[{"incoming_sms_id":1,"port":1,"number":"6717","smsc":"+8613800757511","timestamp":"2016-07-12 15:46:18","text":"test"}]}';
    const RESULT_PUSH = '{"sn":"xxxx-xxxx-xxxx-xxxx","sms_result":[{"port":1,"number":"10086","time":"2016-07-12 01:46:02","status":"DELIVERED","count":1,"succ_count":1,"ref_id":215,"imsi":"460004642148063"}]}';
    const push = (body: string) => t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload: body });
    const ACK = ['application/json; charset=utf-8', '{"error_code":200}'] as const;

    beforeAll(async () => {
      ({ path } = await supplierWith('Dinstar UC2000', 'dinstar', [
        { number: '8613800000001', country: 'CN', device: 'xxxx-xxxx-xxxx-xxxx', slot: 1 },
        { number: '8613800000002', country: 'CN', device: 'xxxx-xxxx-xxxx-xxxx', slot: 2 },
      ]));
    });

    it('takes the documented push once, finding the number by serial and port', async () => {
      expectAck(await push(SMS_PUSH), ...ACK);
      expectAck(await push(SMS_PUSH), ...ACK);
      expect(await stored('dinstar', 'xxxx-xxxx-xxxx-xxxx:1')).toEqual([expect.objectContaining({ receiver: '8613800000001', sender: '6717', text: 'test' })]);
      // Other pushes (results, status) are acknowledged and count as the gateway's heartbeat.
      expectAck(await push(RESULT_PUSH), ...ACK);
    });

    it('delivers the code to the order on the port', async () => {
      const live = await order('8613800000002');
      const body = SMS_PUSH.replace('"incoming_sms_id":1,"port":1', '"incoming_sms_id":2,"port":2').replace('"text":"test"', '"text":"Telegram code: 90210"');
      expectAck(await push(body), ...ACK);
      expect(await codeOf(live.orderId)).toEqual({ code: '90210', content: 'Telegram code: 90210' });
    });

    it('refuses a wrong token with 401 and a push without sn with 400', async () => {
      expectRefused(await t.app.inject({ method: 'POST', url: path.replace(/.$/, (c) => (c === '0' ? '1' : '0')), payload: SMS_PUSH }), 401, /Unknown gateway token/);
      expectRefused(await push('{"sms":[]}'), 400, /^sn: /);
      expectRefused(await push('{"sn":"xxxx-xxxx-xxxx-xxxx","sms":[{"incoming_sms_id":3,"port":"one","number":"1","text":"x"}]}'), 400, /^sms\.0\.port: /);
    });
  });

  describe('SMSSync', () => {
    let path: string;
    const form = (fields: Record<string, string>) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
    const ACK = ['application/json; charset=utf-8', '{"payload":{"success":"true"}}'] as const;

    beforeAll(async () => {
      ({ path } = await supplierWith('SMSSync phone', 'smssync', [{ number: '254700900501', country: 'KE' }], '--signing-key', 'smssync-secret'));
    });

    it('answers {"payload":{"success":"true"}}, once per message, and delivers the code', async () => {
      const live = await order('254700900501');
      const sms = { from: '+254722000000', message: 'Telegram code: 31337', secret: 'smssync-secret', sent_timestamp: '1768228586000', sent_to: '+254700900501', message_id: 'b7a1c2d3-0000-4000-8000-000000000001', device_id: 'phone-1' };
      expectAck(await t.app.inject({ method: 'POST', url: path, ...form(sms) }), ...ACK);
      expectAck(await t.app.inject({ method: 'POST', url: path, ...form(sms) }), ...ACK);
      expect(await stored('smssync', sms.message_id)).toEqual([expect.objectContaining({ received_at: 1768228586000 })]);
      expect(await codeOf(live.orderId)).toEqual({ code: '31337', content: 'Telegram code: 31337' });
      // The four fields of SMSSync's original documentation; the number it arrived on comes from the URL.
      const old = { from: '+254722000000', message: 'hello', secret: 'smssync-secret', sent_timestamp: '1768228590000' };
      expectAck(await t.app.inject({ method: 'POST', url: `${path}?sent_to=254700900501`, ...form(old) }), ...ACK);
    });

    it('refuses a wrong secret or token with 401 and a message without from with 400', async () => {
      const sms = { from: '+254722000000', message: 'Telegram code: 1', secret: 'guess', sent_timestamp: '1', sent_to: '254700900501', message_id: 'forged-2' };
      expectRefused(await t.app.inject({ method: 'POST', url: path, ...form(sms) }), 401, /SMSSync secret does not match/);
      expectRefused(await t.app.inject({ method: 'POST', url: `${path}x`, ...form(sms) }), 401, /Unknown gateway token/);
      expect(await stored('smssync', 'forged-2')).toEqual([]);
      expectRefused(await t.app.inject({ method: 'POST', url: path, ...form({ message: 'x', secret: 'smssync-secret' }) }), 400, /^Missing field: from$/);
    });
  });

  describe('generic JSON or form', () => {
    let path: string;

    beforeAll(async () => {
      ({ path } = await supplierWith('Forwarder phones', 'generic', [{ number: '447700900601', country: 'GB' }]));
    });

    it('maps android-sms-hooks JSON and SMSgate forms, the receiving number from the URL', async () => {
      const live = await order('447700900601');
      // android-sms-hooks: {"body","from","timestamp"(ms)}.
      const hook = '{"body":"Telegram code: 86420","from":"Telegram","timestamp":1768228586000}';
      const json = { 'content-type': 'application/json' };
      expectAck(await t.app.inject({ method: 'POST', url: `${path}?to=447700900601`, headers: json, payload: hook }), 'application/json; charset=utf-8', '{"accepted":true}');
      expectAck(await t.app.inject({ method: 'POST', url: `${path}?to=447700900601`, headers: json, payload: hook }), 'application/json; charset=utf-8', '{"accepted":true}');
      expect(await codeOf(live.orderId)).toEqual({ code: '86420', content: 'Telegram code: 86420' });
      // SMSgate: KEY=…&FROM=…&MSG=…, names in capitals.
      const smsgate = 'KEY=abc&FROM=%2B447700900998&MSG=Hello+from+SMSgate';
      expectAck(
        await t.app.inject({ method: 'POST', url: `${path}?to=447700900601`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: smsgate }),
        'application/json; charset=utf-8',
        '{"accepted":true}',
      );
      const rows = await t.store.kysely.selectFrom('inbound_sms').select(['sender', 'text', 'received_at']).where('source', '=', 'generic').orderBy('id').execute();
      expect(rows).toEqual([
        { sender: 'Telegram', text: 'Telegram code: 86420', received_at: 1768228586000 },
        { sender: '+447700900998', text: 'Hello from SMSgate', received_at: t.clock.now() },
      ]);
    });

    it('refuses a wrong token with 401 and a body it cannot use with 400', async () => {
      expectRefused(await t.app.inject({ method: 'POST', url: `${path}0`, payload: { from: 'x' } }), 401, /Unknown gateway token/);
      expectRefused(await t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload: '[1,2]' }), 400, /not a JSON object/);
      expectRefused(await t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload: '{"text":"hi","to":"447700900601"}' }), 400, /^Missing field: from$/);
      expectRefused(await t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload: '{"text":"hi","from":"x"}' }), 400, /names no receiving number/);
    });
  });

  it('registers where each SIM sits through the push API: a slot holds one SIM', async () => {
    const bank = await t.platform.suppliers.create({ name: 'SIM bank with slots' });
    const put = async (numbers: object[]) => {
      const res = await t.app.inject({ method: 'PUT', url: '/supplier/v1/numbers', headers: { authorization: `Bearer ${bank.key}` }, payload: { numbers } });
      return { status: res.statusCode, body: res.json() };
    };
    const placed = () => t.store.kysely.selectFrom('numbers').select(['number', 'device', 'slot']).where('supplier_id', '=', bank.id).orderBy('number').execute();
    expect(await put([{ number: '447700900951', country: 'GB', device: 'bank-1', slot: 1 }, { number: '447700900952', country: 'GB', device: 'bank-1', slot: 2 }])).toEqual({ status: 200, body: { registered: 2 } });
    // The bank switched SIMs: a new SIM in slot 1 pushes the old one out; two SIMs may also swap slots.
    expect((await put([{ number: '447700900953', country: 'GB', device: 'bank-1', slot: 1 }])).status).toBe(200);
    expect((await put([{ number: '447700900952', country: 'GB', device: 'bank-1', slot: 1 }, { number: '447700900953', country: 'GB', device: 'bank-1', slot: 2 }])).status).toBe(200);
    expect(await placed()).toEqual([
      { number: '447700900951', device: null, slot: null },
      { number: '447700900952', device: 'bank-1', slot: 1 },
      { number: '447700900953', device: 'bank-1', slot: 2 },
    ]);
    expect(await put([{ number: '447700900954', country: 'GB', device: 'bank-1', slot: 3 }, { number: '447700900955', country: 'GB', device: 'bank-1', slot: 3 }])).toEqual({
      status: 400,
      body: { error: { code: 'invalid_input', message: 'Two numbers in device bank-1 slot 3: a slot holds one SIM' } },
    });
    expect((await put([{ number: '447700900954', country: 'GB', slot: 3 }])).body.error.message).toBe('447700900954: a slot belongs to a device; give the device too');
    expect((await put([{ number: '447700900954', country: 'GB', device: 'bank-1', slot: -1 }])).body.error.message).toMatch(/^numbers\.0\.slot: /);
  });

  it('lists, rotates and removes gateways; the old URL stops working at once', async () => {
    const { path } = await supplierWith('Rotating', 'generic', [{ number: '447700900701', country: 'GB' }]);
    const send = (at: string) => t.app.inject({ method: 'POST', url: `${at}?to=447700900701`, payload: { from: 'x', text: `hi ${at}` } });
    expect((await send(path)).statusCode).toBe(200);
    const listed = await hereJson<any[]>(['admin', 'supplier', 'gateway', 'list', '--supplier', 'Rotating', '--db', t.database.url]);
    expect(listed).toEqual([{ id: expect.any(Number), supplier: 'Rotating', kind: 'generic', path: `${path.slice(0, -26)}...`, signed: false, createdAt: expect.any(String) }]);
    const rotated = await cli('gateway', 'rotate', '--supplier', 'Rotating', '--kind', 'generic');
    expect(rotated.path).not.toBe(path);
    expect((await send(path)).statusCode).toBe(401);
    expect((await send(rotated.path)).statusCode).toBe(200);
    expect(await hereJson(['admin', 'supplier', 'gateway', 'remove', '--supplier', 'Rotating', '--gateway', String(rotated.id), '--db', t.database.url])).toEqual({ removed: rotated.id, kind: 'generic' });
    expect((await send(rotated.path)).statusCode).toBe(401);

    const refused = async (args: string[], message: string) => {
      const result = await runHere(['admin', 'supplier', 'gateway', ...args, '--db', t.database.url]);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: expect.any(Number), stderr: `fastpva: ${message}\n` });
    };
    await refused(['add', '--supplier', 'Rotating', '--kind', 'twilio'], 'twilio gateways need their auth token');
    await refused(['add', '--supplier', 'Rotating', '--kind', 'android-sms-gateway'], 'android-sms-gateway gateways need their signing key');
    await refused(['add', '--supplier', 'Rotating', '--kind', 'kannel', '--signing-key', 'k'], 'kannel gateways take no signing key');
    await refused(['add', '--supplier', 'Rotating', '--kind', 'telnyx'], '--kind telnyx: not a gateway kind: one of android-sms-gateway, twilio, jasmin, kannel, dinstar, smssync, generic (see `fastpva admin supplier gateway add --help`)');
    await refused(['rotate', '--supplier', 'Rotating', '--kind', 'generic'], 'Rotating has no gateway of kind generic');
    await refused(['rotate', '--supplier', 'Rotating'], 'Rotating has no gateway');
    await cli('gateway', 'add', '--supplier', 'Rotating', '--kind', 'jasmin');
    await cli('gateway', 'add', '--supplier', 'Rotating', '--kind', 'kannel');
    const ambiguous = await runHere(['admin', 'supplier', 'gateway', 'remove', '--supplier', 'Rotating', '--db', t.database.url]);
    expect(ambiguous.stderr).toMatch(/^fastpva: Rotating has 2 gateways: name one by its id \(\d+, \d+\)\n$/);
    expect(await hereJson(['admin', 'supplier', 'gateway', 'remove', '--supplier', 'Rotating', '--kind', 'jasmin', '--db', t.database.url])).toMatchObject({ kind: 'jasmin' });
    // The supplier's only gateway needs no more naming.
    expect((await cli('gateway', 'rotate', '--supplier', 'Rotating')).kind).toBe('kannel');
  });

  it('counts wrong tokens against the IP like wrong supplier keys, and limits a gateway as its supplier', async () => {
    const { path } = await supplierWith('Limited', 'generic', [{ number: '447700900801', country: 'GB' }]);
    const limited = await buildApp(t.platform, { rateLimits: { ...DEFAULT_RATE_LIMITS, authFailures: 2, perSupplier: 3 } });
    try {
      const send = (at: string, remoteAddress: string) => limited.inject({ method: 'POST', url: `${at}?to=447700900801`, remoteAddress, payload: { from: 'x', text: 'hi' } });
      const wrong = path.replace(/[0-9a-f]{32}$/, 'f'.repeat(32));
      const guesses = [];
      for (let i = 0; i < 3; i++) guesses.push((await send(wrong, '192.0.2.1')).statusCode);
      expect(guesses).toEqual([401, 401, 429]);
      // Refused for a while, even with the right token: a guess that hit would not be told apart.
      const blocked = await send(path, '192.0.2.1');
      expect({ status: blocked.statusCode, code: blocked.json().error.code, retryAfter: blocked.headers['retry-after'] }).toEqual({ status: 429, code: 'rate_limited', retryAfter: expect.any(String) });
      // The supplier's own limit: three requests a minute here, from anywhere.
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await send(path, `198.51.100.${i}`)).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await limited.close();
    }
  });

  it('reads PUBLIC_URL and GOIP_UDP_PORT from the environment', async () => {
    const { loadConfig } = await import('../src/config.js');
    expect(loadConfig({ PUBLIC_URL: 'https://sms.example.com/' }).http.publicUrl).toBe('https://sms.example.com');
    expect(loadConfig({}).http.publicUrl).toBeUndefined();
    expect(() => loadConfig({ PUBLIC_URL: 'sms.example.com' })).toThrow('PUBLIC_URL=sms.example.com: not an http:// or https:// URL');
    expect(() => loadConfig({ PUBLIC_URL: 'https://sms.example.com/?a=1' })).toThrow('without a query');
    expect(loadConfig({ GOIP_UDP_PORT: '44444' }).goipUdpPort).toBe(44444);
    expect(() => loadConfig({ GOIP_UDP_PORT: '70000' })).toThrow('GOIP_UDP_PORT=70000: at most 65535');
  });

  it('keeps gateway tokens out of request logs', async () => {
    const { redactUrl } = await import('../src/api/logging.js');
    expect(redactUrl('/ingest/jasmin/0123456789abcdef0123456789abcdef?id=1&to=2')).toBe('/ingest/jasmin/[redacted]?id=1&to=2');
  });
});
