// A real third-party SMS-Activate client, unmodified, against our server listening on 127.0.0.1: npm
// `sms-activate` 1.0.1 ([NPM-SA] in the reference), pointed at us the way the reference (§1.4) says,
// through its axios session's baseURL. It POSTs with every parameter in the query string, parses the
// replies by splitting on ':' and raises on error words found anywhere in a body.
//
// npm `sms-activate-org` ([LCZ]) cannot run here: the registry answers 404 for it, so it cannot be
// installed (and its URL is a module constant in any case). The Python and Java clients are not
// installable either; their parsing rules are checked in sms-activate.test.ts.
import { createRequire } from 'node:module';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, seedUserAndSupplier, type Seeded, type TestPlatform } from './helpers/platform.js';

interface SmsActivateClient {
  session: { defaults: { baseURL: string } };
  getBalance(withCashBack?: boolean): Promise<number | null>;
  getNumber(service: string, country?: number, forward?: boolean): Promise<{ id: number; number: number } | null>;
  setStatus(id: number, status: number, forward?: boolean): Promise<string>;
  getCode(id: number): Promise<string | null>;
  getStatus(id: number): Promise<string>;
}

const require = createRequire(import.meta.url);
const SMSActivate = require('sms-activate') as new (key: string) => SmsActivateClient;
const errors = require('sms-activate/lib/exceptions') as Record<string, new (...args: unknown[]) => Error>;

/** Raw bytes to the server; everything it answers until it closes the connection. */
function rawHttp(url: string, data: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(data));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    setTimeout(() => socket.destroy(), 5000);
  });
}

describe.each(DIALECTS)('npm sms-activate against the server on %s', (dialect) => {
  let t: TestPlatform;
  let s: Seeded;
  let base: string;
  let smsSeq = 0;

  const client = (key: string) => {
    const c = new SMSActivate(key);
    c.session.defaults.baseURL = `${base}/stubs/handler_api.php`;
    return c;
  };
  /** The supplier pushes an SMS over HTTP, as a SIM bank would. */
  const pushSms = async (to: string, text: string, from = 'Telegram') => {
    const res = await fetch(`${base}/supplier/v1/sms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.supplierKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: `npm-${++smsSeq}`, to, from, text }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { orderId: string | null };
  };

  beforeAll(async () => {
    t = await createTestPlatform(dialect, { releaseAfterMs: 10_000 });
    s = await seedUserAndSupplier(t.platform, { balance: 1234, count: 3, prefix: '4477123' });
    await t.platform.catalog.createProject({ enname: 'Telegram', price: 30 });
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    base = address;
  });
  afterAll(async () => t?.close());

  it('runs a whole activation: number, wait, code, another SMS, the new code, done', async () => {
    const sa = client(s.apiKey);
    // parseInt of "12.34": the client itself drops the cents.
    expect(await sa.getBalance()).toBe(12);
    expect(await sa.getBalance(true)).toBe(12);

    const taken = await sa.getNumber('tg', 16);
    expect(taken).not.toBeNull();
    const { id, number } = taken!;
    expect(Number.isSafeInteger(id)).toBe(true);
    expect(String(number)).toMatch(/^4477123\d{5}$/);
    expect(await sa.getStatus(id)).toBe('STATUS_WAIT_CODE');
    expect(await sa.getCode(id)).toBeNull();
    expect(await sa.setStatus(id, 1)).toBe('ACCESS_READY');

    // An SMS for another service is not this order's.
    await pushSms(String(number), 'Your WhatsApp code 481-516', 'WhatsApp');
    expect(await sa.getCode(id)).toBeNull();
    expect((await pushSms(String(number), 'Telegram code: 56032. Do not give it to anyone')).orderId).not.toBeNull();
    expect(await sa.getCode(id)).toBe('56032');
    expect(await sa.getStatus(id)).toBe('STATUS_OK');

    expect(await sa.setStatus(id, 3)).toBe('ACCESS_RETRY_GET');
    expect(await sa.getStatus(id)).toBe('STATUS_WAIT_RETRY');
    expect(await sa.getCode(id)).toBeNull(); // only STATUS_OK carries a code for this client
    await pushSms(String(number), 'Telegram code 71925');
    expect(await sa.getCode(id)).toBe('71925');
    expect(await sa.setStatus(id, 6)).toBe('ACCESS_ACTIVATION');
    expect(await sa.getCode(id)).toBe('71925');

    // A status the order no longer allows raises the client's BadStatus.
    await expect(sa.setStatus(id, 8)).rejects.toBeInstanceOf(errors.BadStatus);
    expect((await t.platform.users.info(s.userId)).balance).toBe(1234 - 30);
    expect(await sa.getBalance()).toBe(12);
    await expectLedgerConsistent(t.platform);
  });

  it('cancels (refused too early, then refunded) and raises its own errors on our refusals', async () => {
    const sa = client(s.apiKey);
    const before = (await t.platform.users.info(s.userId)).balance;
    const { id } = (await sa.getNumber('tg', 16))!;
    // EARLY_CANCEL_DENIED is not among the words this client raises on: it returns the reply.
    expect(await sa.setStatus(id, 8)).toBe('EARLY_CANCEL_DENIED');
    t.clock.advance(10_000);
    expect(await sa.setStatus(id, 8)).toBe('ACCESS_CANCEL');
    expect(await sa.getStatus(id)).toBe('STATUS_CANCEL');
    expect(await sa.getCode(id)).toBeNull();
    expect((await t.platform.users.info(s.userId)).balance).toBe(before);

    await expect(client('not-a-key').getBalance()).rejects.toBeInstanceOf(errors.InvalidAPIKey);
    await expect(sa.getNumber('xx', 16)).rejects.toBeInstanceOf(errors.BadService);
    await expect(sa.getNumber('tg', 43)).rejects.toBeInstanceOf(errors.NoFreeNumbers);
    await expect(sa.getStatus(987654321)).rejects.toBeInstanceOf(errors.InvalidActivation);
    const poor = await t.platform.users.create({ username: 'npm-poor', balance: 10 });
    await expect(client(poor.apiKey).getNumber('tg', 16)).rejects.toBeInstanceOf(errors.NoBalance);
    await expectLedgerConsistent(t.platform);
  });

  it('words refusals of the HTTP layer on this path as tokens', async () => {
    const malformed = await rawHttp(base, 'GET /stubs/handler_api.php?api_key=k&action=getBalance HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(malformed).toMatch(/^HTTP\/1\.1 400 Bad Request\r\nContent-Type: text\/plain; charset=utf-8\r\n[\s\S]*\r\n\r\nERROR_SQL$/);
    const tooLarge = await fetch(`${base}/stubs/handler_api.php`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `api_key=${s.apiKey}&action=getBalance&pad=${'a'.repeat(70 * 1024)}`,
    });
    expect([tooLarge.status, tooLarge.headers.get('content-type'), await tooLarge.text()]).toEqual([413, 'text/plain; charset=utf-8', 'ERROR_SQL']);
  });
});
