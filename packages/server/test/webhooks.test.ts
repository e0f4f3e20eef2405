// Signed webhooks, against a local HTTP receiver: every event's signature checked by an independent
// implementation (node:crypto, constant-time compare), retries after failures with each attempt logged
// for the user and admins, no event lost when the server is killed between commit and delivery, and
// URLs on private addresses refused when set and again when delivered.
import type { ChildProcess } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createPlatform, type Platform } from '../src/domain/platform.js';
import { startWebhookDelivery } from '../src/jobs/webhooks.js';
import { startServer, type RunningServer } from '../src/server.js';
import { Store } from '../src/store/store.js';
import { runHere, startCli } from './helpers/cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './helpers/databases.js';
import { createTestPlatform, seedUserAndSupplier, type Seeded } from './helpers/platform.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1 that records every request and answers the status `answer` gives ('hold': never). */
async function receiver(answer: (index: number) => number | 'hold' = () => 200) {
  const requests: Received[] = [];
  const arrived: (() => void)[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const status = answer(requests.length);
      requests.push({ headers: request.headers, body });
      arrived.splice(0).forEach((wake) => wake());
      if (status !== 'hold') response.writeHead(status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    /** The index-th request, once it has come (15 s at most). */
    async nth(index: number): Promise<Received> {
      const deadline = Date.now() + 15_000;
      while (requests.length <= index) {
        if (Date.now() > deadline) throw new Error(`request ${index} never came (${requests.length} did)`);
        await Promise.race([new Promise<void>((resolve) => arrived.push(resolve)), sleep(100)]);
      }
      return requests[index]!;
    },
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** The receiver's check, written from the docs with node:crypto alone. */
function verified(secret: string, header: string | string[] | undefined, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(header));
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
  const given = Buffer.from(match[2]!, 'hex');
  const fresh = Math.abs(Date.now() / 1000 - Number(match[1])) <= 300; // refuse replays of old deliveries
  return fresh && given.length === expected.length && timingSafeEqual(given, expected);
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

async function seed(platform: Platform): Promise<Seeded & { myPid: number }> {
  const seeded = await seedUserAndSupplier(platform, { balance: 10_000 });
  const { myPid } = await platform.catalog.createProject({ enname: 'Telegram-C6', price: 30 });
  return { ...seeded, myPid };
}

const pushSms = (base: string, s: Seeded, body: { id: string; to: string; text: string }) =>
  fetch(`${base}/supplier/v1/sms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.supplierKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ from: 'Telegram', ...body }),
  }).then((r) => r.json());

const fastpva = async (base: string, path: string, apiKey: string) =>
  JSON.parse(await (await fetch(`${base}/pvapublic${path}${path.includes('?') ? '&' : '?'}apikey=${apiKey}`)).text()) as { code: number; data: any };

describe.each(DIALECTS)('webhooks on %s', (dialect) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase(dialect);
    cleanup.push(() => db.drop());
    return db;
  }

  /** A server in this process that may call the local receiver, with quick retries. */
  async function server(): Promise<RunningServer & { databaseUrl: string }> {
    const env = { RATE_LIMITS: 'off', RELEASE_AFTER_SECONDS: '0', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '1000' };
    const config = loadConfig(env, { databaseUrl: (await database()).url, port: 0, host: '127.0.0.1', logLevel: 'warn' });
    const running = await startServer({ ...config, domain: { ...config.domain, webhookFirstRetryMs: 200 } });
    cleanup.push(() => running.close());
    return { ...running, databaseUrl: config.databaseUrl };
  }

  async function listening(answer?: (index: number) => number | 'hold') {
    const r = await receiver(answer);
    cleanup.push(() => r.close());
    return r;
  }

  it('sends sms.received and order.ended signed, so that an independent check accepts them', async () => {
    const s = await server();
    const hook = await listening();
    const alice = await seed(s.platform);
    const bob = await s.platform.users.create({ username: 'bob', balance: 1000 });

    const set = await fastpva(s.url, `/webhook/set?url=${encodeURIComponent(hook.url)}`, alice.apiKey);
    expect(set).toEqual({ code: 1, data: { url: hook.url, secret: expect.stringMatching(/^whsec_[0-9a-f]{32}$/) } });
    const secret: string = set.data.secret;
    expect(await fastpva(s.url, '/webhook/get', alice.apiKey)).toEqual({ code: 1, data: { url: hook.url, createdAt: expect.stringMatching(ISO) } });
    expect(await fastpva(s.url, '/webhook/get', bob.apiKey)).toEqual({ code: -1, data: 'No webhook is set' });

    const order = (await fastpva(s.url, `/sms/getNumber?myPid=${alice.myPid}`, alice.apiKey)).data as { number: string; orderId: string };
    const text = 'Telegram code: 27182\nDo not give this code to anyone.';
    expect(await pushSms(s.url, alice, { id: 'w1', to: order.number, text })).toEqual({ accepted: true, orderId: order.orderId });

    const first = await hook.nth(0);
    expect(first.headers['content-type']).toBe('application/json');
    expect(verified(secret, first.headers['x-fastpva-signature'], first.body)).toBe(true);
    expect(verified(`${secret}x`, first.headers['x-fastpva-signature'], first.body)).toBe(false);
    expect(verified(secret, first.headers['x-fastpva-signature'], first.body.replace('27182', '27183'))).toBe(false);
    const event = JSON.parse(first.body);
    const activationId = (await s.platform.orders.activation(alice.userId, order.orderId)).activationId;
    const data = { orderId: order.orderId, activationId, number: order.number, myPid: alice.myPid, service: 'telegram', code: '27182', content: text };
    expect(event).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), type: 'sms.received', createdAt: expect.stringMatching(ISO), data });
    expect(Object.keys(event)).toEqual(['id', 'type', 'createdAt', 'data']);
    expect(Object.keys(event.data)).toEqual(['orderId', 'activationId', 'number', 'myPid', 'service', 'code', 'content']);

    expect((await fastpva(s.url, `/sms/releaseNumber?orderId=${order.orderId}`, alice.apiKey)).code).toBe(1);
    const second = await hook.nth(1);
    expect(verified(secret, second.headers['x-fastpva-signature'], second.body)).toBe(true);
    expect(JSON.parse(second.body)).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), type: 'order.ended', createdAt: expect.stringMatching(ISO), data: { ...data, reason: 'release', refunded: false } });

    // A user without a webhook has nothing written for it.
    const bobOrder = await s.platform.orders.acquire({ userId: bob.id, myPid: alice.myPid });
    await s.platform.orders.release(bob.id, bobOrder.orderId);
    const queued = await s.platform.store.kysely.selectFrom('webhook_events').select(['user_id', 'type', 'status']).orderBy('id').execute();
    expect(queued).toEqual([
      { user_id: alice.userId, type: 'sms.received', status: 'delivered' },
      { user_id: alice.userId, type: 'order.ended', status: 'delivered' },
    ]);
  });

  it('writes the event in the transaction of the SMS, before any delivery job runs', async () => {
    const t = await createTestPlatform(dialect, { webhookAllowPrivate: true });
    cleanup.push(() => t.close());
    const s = await seed(t.platform);
    await t.platform.webhooks.set(s.userId, 'http://127.0.0.1:9/hook');
    const order = await t.platform.orders.acquire({ userId: s.userId, myPid: s.myPid });
    await t.platform.inboundSms.receive({ source: 'test', sourceKey: 'tx-1', supplierId: s.supplierId, receiver: order.number, sender: 'Telegram', text: 'Telegram code: 11235', receivedAt: 0 });
    const [row] = await t.store.kysely.selectFrom('webhook_events').selectAll().execute();
    expect(row).toMatchObject({ user_id: s.userId, type: 'sms.received', status: 'pending', attempts: 0 });
    expect(JSON.parse(row!.body).data).toMatchObject({ orderId: order.orderId, code: '11235' });
  });

  it('retries a failing receiver with backoff and logs each attempt for the user and for admins', async () => {
    const s = await server();
    // No answer (the delivery times out), then a 500, then a 200.
    const hook = await listening((i) => (i === 0 ? 'hold' : i === 1 ? 500 : 200));
    const alice = await seed(s.platform);
    const { secret } = await s.platform.webhooks.set(alice.userId, hook.url);
    const order = await s.platform.orders.acquire({ userId: alice.userId, myPid: alice.myPid });
    await pushSms(s.url, alice, { id: 'r1', to: order.number, text: 'Telegram code: 16180' });

    const attempts = [await hook.nth(0), await hook.nth(1), await hook.nth(2)];
    for (const a of attempts) expect(verified(secret, a.headers['x-fastpva-signature'], a.body)).toBe(true);
    expect(new Set(attempts.map((a) => JSON.parse(a.body).id)).size).toBe(1);

    const logged = async () => (await fastpva(s.url, '/webhook/deliveries?page=1&limit=10', alice.apiKey)).data;
    const deadline = Date.now() + 15_000;
    while ((await logged()).count < 3 && Date.now() < deadline) await sleep(50);
    const { count, deliveries } = await logged();
    expect(count).toBe(3);
    const eventId = JSON.parse(attempts[0]!.body).id;
    const common = { eventId, type: 'sms.received', url: hook.url, durationMs: expect.any(Number), createdAt: expect.stringMatching(ISO) };
    // Newest first.
    expect(deliveries).toEqual([
      { ...common, attempt: 3, statusCode: 200, error: null },
      { ...common, attempt: 2, statusCode: 500, error: null },
      { ...common, attempt: 1, statusCode: null, error: 'no answer within 1000 ms' },
    ]);
    expect(Object.keys(deliveries[0])).toEqual(['eventId', 'type', 'attempt', 'url', 'statusCode', 'durationMs', 'error', 'createdAt']);
    await sleep(500);
    expect(hook.requests).toHaveLength(3); // delivered: no more attempts

    const admin = await runHere(['admin', 'webhook', 'deliveries', '--username', 'alice', '--db', s.databaseUrl, '--json']);
    expect(admin.code).toBe(0);
    expect(JSON.parse(admin.stdout)).toMatchObject({ count: 3, deliveries: [{ username: 'alice', attempt: 3, statusCode: 200 }, { attempt: 2 }, { attempt: 1 }] });
  });

  it('refuses URLs on private addresses when set, and again when delivered (the address connected to)', async () => {
    const t = await createTestPlatform(dialect);
    cleanup.push(() => t.close());
    const s = await seed(t.platform);
    const set = async (url: string) => JSON.parse((await t.app.inject(`/pvapublic/webhook/set?url=${encodeURIComponent(url)}&apikey=${s.apiKey}`)).body);
    const privateTo = (what: string) => ({ code: -1, data: `${what} is a private address: webhooks go to public addresses only` });
    expect(await set('http://127.0.0.1:8080/hook')).toEqual(privateTo('127.0.0.1'));
    expect(await set('http://localhost/hook')).toEqual(privateTo('localhost resolves to 127.0.0.1, which'));
    expect(await set('http://[::1]/hook')).toEqual(privateTo('::1'));
    expect(await set('http://[::ffff:10.0.0.7]/hook')).toEqual(privateTo('::ffff:a00:7'));
    expect(await set('http://10.1.2.3/hook')).toEqual(privateTo('10.1.2.3'));
    expect(await set('http://192.168.1.1/hook')).toEqual(privateTo('192.168.1.1'));
    expect(await set('http://169.254.169.254/latest/meta-data')).toEqual(privateTo('169.254.169.254'));
    expect(await set('http://[fd12::1]/hook')).toEqual(privateTo('fd12::1'));
    expect(await set('http://[fe80::1]/hook')).toEqual(privateTo('fe80::1'));
    expect(await set('ftp://example.com/hook')).toEqual({ code: -1, data: 'A webhook URL starts with http:// or https://' });
    expect(await set('https://user:pw@93.184.216.34/hook')).toEqual({ code: -1, data: 'A webhook URL carries no user or password: check the signature instead' });
    expect(await set('not a url')).toEqual({ code: -1, data: 'not a url is not a URL' });
    expect((await set('https://93.184.216.34/hook')).code).toBe(1);
    expect(await t.store.kysely.selectFrom('webhooks').select('url').execute()).toEqual([{ url: 'https://93.184.216.34/hook' }]);

    // Set where private addresses were allowed, delivered where they are not: refused at delivery.
    const hook = await listening();
    const lenient = await createPlatform(t.store, { clock: t.clock, config: { webhookAllowPrivate: true } });
    await lenient.webhooks.set(s.userId, hook.url.replace('127.0.0.1', 'localhost'));
    const job = startWebhookDelivery(t.platform, t.app.log);
    cleanup.push(() => job.stop());
    const order = await t.platform.orders.acquire({ userId: s.userId, myPid: s.myPid });
    await t.platform.inboundSms.receive({ source: 'test', sourceKey: 'p-1', supplierId: s.supplierId, receiver: order.number, sender: 'Telegram', text: 'Telegram code: 14142', receivedAt: 0 });
    const deadline = Date.now() + 15_000;
    while ((await t.platform.webhooks.deliveries({ userId: s.userId }, { page: 1, limit: 10 })).count === 0 && Date.now() < deadline) await sleep(50);
    const { deliveries } = await t.platform.webhooks.deliveries({ userId: s.userId }, { page: 1, limit: 10 });
    expect(deliveries).toMatchObject([{ attempt: 1, statusCode: null, error: 'localhost resolves to 127.0.0.1, which is a private address: webhooks go to public addresses only' }]);
    expect(hook.requests).toHaveLength(0);
  });

  it('sets and clears a webhook with the admin command, which prints the secret once and keeps the address rule', async () => {
    const db = await database();
    const store = await Store.open(db.url);
    try {
      await seed(await createPlatform(store));
    } finally {
      await store.close();
    }
    const admin = (args: string[], env: NodeJS.ProcessEnv = {}) => runHere(['admin', 'user', 'webhook', '--username', 'alice', ...args, '--db', db.url, '--json'], { env });

    const refused = await admin(['--url', 'http://127.0.0.1:9/hook']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error.message).toBe('127.0.0.1 is a private address: webhooks go to public addresses only');
    const set = await admin(['--url', 'http://127.0.0.1:9/hook'], { WEBHOOK_ALLOW_PRIVATE: 'true' });
    expect(JSON.parse(set.stdout)).toEqual({ username: 'alice', url: 'http://127.0.0.1:9/hook', secret: expect.stringMatching(/^whsec_[0-9a-f]{32}$/) });
    const cleared = await admin(['--clear']);
    expect(JSON.parse(cleared.stdout)).toEqual({ username: 'alice', url: null, secret: null });
    expect((await admin(['--url', 'http://127.0.0.1:9/hook', '--clear'])).code).toBe(2);
  });

  it('delivers an event whose server was killed between commit and delivery, once it runs again', async () => {
    const db = await database();
    const store = await Store.open(db.url);
    let alice: Seeded & { myPid: number };
    try {
      alice = await seed(await createPlatform(store));
    } finally {
      await store.close();
    }
    // The first delivery never gets an answer: the server dies with it in flight.
    const hook = await listening((i) => (i === 0 ? 'hold' : 200));
    let child: ChildProcess | undefined;
    const start = async () => {
      const env = { DATABASE_URL: db.url, PORT: '0', HOST: '127.0.0.1', RATE_LIMITS: 'off', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '1000' };
      const started = await startCli(['serve', '--json'], /^\{"url"/, { env });
      child = started.child;
      return (JSON.parse(started.line) as { url: string }).url;
    };
    cleanup.push(async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    });

    let base = await start();
    const { secret } = (await fastpva(base, `/webhook/set?url=${encodeURIComponent(hook.url)}`, alice.apiKey)).data;
    const order = (await fastpva(base, `/sms/getNumber?myPid=${alice.myPid}`, alice.apiKey)).data as { number: string; orderId: string };
    expect(await pushSms(base, alice, { id: 'k1', to: order.number, text: 'Telegram code: 57721' })).toEqual({ accepted: true, orderId: order.orderId });
    const lost = await hook.nth(0);
    child!.kill('SIGKILL');
    await once(child!, 'exit');

    base = await start();
    const delivered = await hook.nth(1);
    expect(delivered.body).toBe(lost.body);
    expect(verified(secret, delivered.headers['x-fastpva-signature'], delivered.body)).toBe(true);
    expect(JSON.parse(delivered.body)).toMatchObject({ type: 'sms.received', data: { orderId: order.orderId, code: '57721' } });
    const deadline = Date.now() + 15_000;
    let log = await fastpva(base, '/webhook/deliveries?page=1&limit=10', alice.apiKey);
    while (log.data.count === 0 && Date.now() < deadline) {
      await sleep(50);
      log = await fastpva(base, '/webhook/deliveries?page=1&limit=10', alice.apiKey);
    }
    // The attempt the kill cut short left no record; the one that came through did.
    expect(log.data).toMatchObject({ count: 1, deliveries: [{ attempt: 1, statusCode: 200 }] });
  });
});
