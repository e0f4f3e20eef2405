// The HTTP layer under abuse: wrong methods and HEAD, every framework-level rejection in the shape of
// the surface asked, requests that never finish, and logs that never show a secret.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS } from '../src/api/app.js';
import { redactUrl } from '../src/api/logging.js';
import { loadConfig } from '../src/config.js';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, seedUserAndSupplier, type Seeded, type TestPlatform } from './helpers/platform.js';

/** Writes raw bytes to the server and returns everything it answers until it closes the connection. */
function rawHttp(url: string, data: string, options: { waitMs?: number } = {}): Promise<{ text: string; closedAfterMs: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(Number(port), hostname, () => socket.write(data));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }));
    setTimeout(() => socket.destroy(), options.waitMs ?? 5000);
  });
}

const statusOf = (text: string) => Number(text.split(' ')[1]);
const bodyOf = (text: string) => text.slice(text.indexOf('\r\n\r\n') + 4);

describe.each(DIALECTS)('HTTP edges on %s', (dialect) => {
  let t: TestPlatform;
  let s: Seeded;
  let myPid: number;

  beforeAll(async () => {
    t = await createTestPlatform(dialect);
    s = await seedUserAndSupplier(t.platform, { count: 2 });
    myPid = (await t.platform.catalog.createProject({ enname: 'Telegram', price: 10 })).myPid;
  });
  afterAll(async () => t?.close());

  const orders = async () => Number((await t.store.kysely.selectFrom('orders').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('never runs a GET handler for HEAD, and answers a wrong method 405 with Allow in the surface shape', async () => {
    const getNumber = `/pvapublic/sms/getNumber?myPid=${myPid}&apikey=${s.apiKey}`;
    const head = await t.app.inject({ method: 'HEAD', url: getNumber });
    expect(head.statusCode).toBe(405);
    expect(head.headers.allow).toBe('GET');
    expect(await orders()).toBe(0);

    const post = await t.app.inject({ method: 'POST', url: getNumber, payload: { myPid } });
    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toBe('GET');
    expect(post.body).toBe('{"code":-1,"data":"Method POST not allowed, use GET"}');
    expect(await orders()).toBe(0);

    const supplier = await t.app.inject({ method: 'GET', url: '/supplier/v1/sms', headers: { authorization: `Bearer ${s.supplierKey}` } });
    expect(supplier.statusCode).toBe(405);
    expect(supplier.headers.allow).toBe('POST');
    expect(supplier.body).toBe('{"error":{"code":"method_not_allowed","message":"Method GET not allowed, use POST"}}');

    const metrics = await t.app.inject({ method: 'DELETE', url: '/metrics' });
    expect(metrics.statusCode).toBe(405);
    expect(metrics.headers.allow).toBe('GET');
    expect(metrics.json()).toEqual({ error: { code: 'method_not_allowed', message: 'Method DELETE not allowed, use GET' } });
    expect((await t.app.inject({ method: 'PUT', url: '/healthz' })).headers.allow).toBe('GET, HEAD');
  });

  it('answers unknown routes and framework rejections in each surface shape', async () => {
    const auth = { authorization: `Bearer ${s.supplierKey}` };
    const cases: [string, Parameters<TestPlatform['app']['inject']>[0], number, string][] = [
      ['FASTPVA 404', { url: '/pvapublic/nothing' }, 404, '{"code":-1,"data":"Route not found"}'],
      ['supplier 404', { url: '/supplier/v1/nothing' }, 404, '{"error":{"code":"not_found","message":"Route not found"}}'],
      ['other 404', { url: '/nothing' }, 404, '{"error":{"code":"not_found","message":"Route not found"}}'],
      [
        'malformed JSON',
        { method: 'POST', url: '/supplier/v1/sms', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"id":' },
        400,
        'bad_request',
      ],
      [
        'unsupported type',
        { method: 'POST', url: '/supplier/v1/sms', headers: { ...auth, 'content-type': 'text/xml' }, payload: '<sms/>' },
        415,
        'unsupported_media_type',
      ],
      [
        'body too large',
        { method: 'PUT', url: '/supplier/v1/numbers', headers: { ...auth, 'content-type': 'application/json' }, payload: `{"numbers":[],"pad":"${'x'.repeat(9 * 1024 * 1024)}"}` },
        413,
        'payload_too_large',
      ],
    ];
    for (const [name, request, status, expected] of cases) {
      const res = await t.app.inject(request);
      expect(res.statusCode, name).toBe(status);
      expect(res.headers['content-type'], name).toBe('application/json; charset=utf-8');
      if (expected.startsWith('{')) expect(res.body, name).toBe(expected);
      else expect(res.json(), name).toMatchObject({ error: { code: expected, message: expect.any(String) } });
    }
  });

  it('answers a handler that takes too long with 503 in the surface shape', async () => {
    const slow = await createTestPlatform(dialect, {}, { timeouts: { ...DEFAULT_TIMEOUTS, handlerMs: 100 } });
    try {
      const user = await slow.platform.users.create({ username: 'patient' });
      slow.platform.users.info = () => new Promise((resolve) => setTimeout(resolve, 400));
      const res = await slow.app.inject(`/pvapublic/user/info?apikey=${user.apiKey}`);
      expect(res.statusCode).toBe(503);
      expect(res.body).toBe('{"code":-1,"data":"The server took too long; retry later"}');
    } finally {
      await slow.close();
    }
  });
});

describe('requests Node refuses before routing', () => {
  let t: TestPlatform;
  let url: string;
  beforeAll(async () => {
    t = await createTestPlatform('sqlite', {}, { timeouts: { headersMs: 300, requestMs: 600, handlerMs: 5000, socketMs: 10_000, keepAliveMs: 300 } });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => t?.close());

  it('answers headers too large (431) and a malformed request (400) in the shape of the surface the request line names', async () => {
    const big = `X-Pad: ${'a'.repeat(20 * 1024)}\r\n`;
    const fastpva = await rawHttp(url, `GET /pvapublic/user/info?apikey=k HTTP/1.1\r\nHost: x\r\n${big}\r\n`);
    expect(statusOf(fastpva.text)).toBe(431);
    expect(bodyOf(fastpva.text)).toBe('{"code":-1,"data":"Request headers too large"}');
    const supplier = await rawHttp(url, `POST /supplier/v1/sms HTTP/1.1\r\nHost: x\r\n${big}\r\n`);
    expect(statusOf(supplier.text)).toBe(431);
    expect(bodyOf(supplier.text)).toBe('{"error":{"code":"headers_too_large","message":"Request headers too large"}}');

    const malformed = await rawHttp(url, 'GET /pvapublic/user/info HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(statusOf(malformed.text)).toBe(400);
    expect(bodyOf(malformed.text)).toBe('{"code":-1,"data":"Malformed HTTP request"}');
    const controlCharacter = await rawHttp(url, 'GET /pvapublic/user/info?apikey=a\x01b HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(statusOf(controlCharacter.text)).toBe(400);
    expect(bodyOf(controlCharacter.text)).toBe('{"code":-1,"data":"Malformed HTTP request"}');
    const garbage = await rawHttp(url, 'HELLO\r\n\r\n');
    expect(statusOf(garbage.text)).toBe(400);
    expect(bodyOf(garbage.text)).toBe('{"error":{"code":"bad_request","message":"Malformed HTTP request"}}');
  });

  it('closes requests whose headers or body never finish with 408', async () => {
    const headers = await rawHttp(url, 'GET /pvapublic/user/info?apikey=k HTTP/1.1\r\nHost: x\r\n');
    expect(statusOf(headers.text)).toBe(408);
    expect(JSON.parse(bodyOf(headers.text))).toEqual({ error: { code: 'request_timeout', message: 'Request not received in time' } });
    expect(headers.closedAfterMs).toBeLessThan(2500);

    const { key } = await t.platform.suppliers.create({ name: 'Slow modem' });
    const body = await rawHttp(
      url,
      `POST /supplier/v1/sms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id":`,
    );
    expect(statusOf(body.text)).toBe(408);
    expect(body.closedAfterMs).toBeLessThan(2500);
  });

  it('closes a kept-alive connection once idle', async () => {
    const idle = await rawHttp(url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    expect(statusOf(idle.text)).toBe(200);
    expect(idle.closedAfterMs).toBeLessThan(2500);
  });
});

describe('HTTP configuration', () => {
  it('reads timeouts and the trusted proxies from the environment, and refuses unsafe ones', () => {
    expect(loadConfig({}).http.timeouts).toEqual(DEFAULT_TIMEOUTS);
    expect(loadConfig({}).http.trustProxy).toBeUndefined();
    const config = loadConfig({ HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '20000', HANDLER_TIMEOUT_MS: '65000', SOCKET_TIMEOUT_MS: '80000', KEEP_ALIVE_TIMEOUT_MS: '61000', TRUST_PROXY: 'loopback, 10.0.0.0/8' });
    expect(config.http.timeouts).toEqual({ headersMs: 5000, requestMs: 20_000, handlerMs: 65_000, socketMs: 80_000, keepAliveMs: 61_000 });
    expect(config.http.trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(() => loadConfig({ HEADERS_TIMEOUT_MS: '40000' })).toThrow(/HEADERS_TIMEOUT_MS=40000: must not exceed REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ HANDLER_TIMEOUT_MS: '90000' })).toThrow(/SOCKET_TIMEOUT_MS: must exceed HANDLER_TIMEOUT_MS/);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY=true: name the proxies/);
  });
});

describe('logs', () => {
  const SECRETS = ['s3cret-key-1', 's3cret-key-2', 's3cret-token', 's3cret-password', 's3cret-api-key', 's3cret-key', 's3cret-bearer', 's3cret-cookie', 's3cret-signature', 's3cret-twilio', 's3cret-header', 's3cret-raw'];
  const lines: string[] = [];
  let t: TestPlatform;
  let url: string;

  beforeAll(async () => {
    t = await createTestPlatform('sqlite', {}, { logger: { level: 'debug', stream: { write: (line) => lines.push(line) } }, logRequests: true });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => t?.close());

  it('redacts secret query parameters from any URL', () => {
    expect(redactUrl('/pvapublic/user/info?apikey=abc&page=1&ap%69key=def&KEY=ghi&keyword=gmail&token')).toBe(
      '/pvapublic/user/info?apikey=[redacted]&page=1&ap%69key=[redacted]&KEY=[redacted]&keyword=gmail&token=[redacted]',
    );
    expect(redactUrl('/healthz')).toBe('/healthz');
  });

  it('writes no API key, token, password or secret header into any log line', async () => {
    await t.app.inject('/pvapublic/user/info?apikey=s3cret-key-1&page=1');
    await t.app.inject('/pvapublic/user/info?ap%69key=s3cret-key-2');
    await t.app.inject('/nothing?token=s3cret-token&password=s3cret-password&api_key=s3cret-api-key&key=s3cret-key');
    await t.app.inject({
      method: 'POST',
      url: '/supplier/v1/sms',
      headers: { authorization: 'Bearer s3cret-bearer', cookie: 'session=s3cret-cookie', 'x-signature': 's3cret-signature', 'x-twilio-signature': 's3cret-twilio' },
      payload: {},
    });
    // An error log carries its request.
    const user = await t.platform.users.create({ username: 'unlucky' });
    t.platform.users.info = async () => {
      throw new Error('database on fire');
    };
    expect((await t.app.inject(`/pvapublic/user/info?apikey=${user.apiKey}`)).statusCode).toBe(500);
    // Code that logs headers itself.
    t.app.log.info({ headers: { authorization: 'Bearer s3cret-header', 'user-agent': 'curl' } }, 'headers seen');
    // Node's own rejection, whose raw packet holds the request line.
    await rawHttp(url, `GET /pvapublic/user/info?apikey=s3cret-raw HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20 * 1024)}\r\n\r\n`);

    const log = lines.join('');
    for (const secret of [...SECRETS, user.apiKey]) expect(log).not.toContain(secret);
    const failed = lines.map((l) => JSON.parse(l) as Record<string, any>).find((l) => l.msg === 'request failed')!;
    expect(failed.req.url).toBe('/pvapublic/user/info?apikey=[redacted]');
    expect(failed.err.message).toBe('database on fire');
    expect(log).toContain('"url":"/pvapublic/user/info?apikey=[redacted]&page=1"');
    expect(log).toContain('"authorization":"[redacted]","user-agent":"curl"');
    expect(log).toContain('"msg":"client error"');
  });
});
