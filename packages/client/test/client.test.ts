// The typed client against a real fastpva server on 127.0.0.1 (its HTTP, its jobs, a SQLite file):
// the whole customer story through the client, long-poll waits, refusals as FastpvaError with the
// server's words, and a real webhook delivery checked with the client's verifier. The server's own
// tests cover both databases; the client only sees HTTP, so one database is enough here.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.js';
import { startServer, type RunningServer } from '../../server/src/server.js';
import { createTestDatabase, type TestDatabase } from '../../server/test/helpers/databases.js';
import { seedUserAndSupplier, type Seeded } from '../../server/test/helpers/platform.js';
import { FastpvaClient, FastpvaError, parseWebhook, SIGNATURE_HEADER, verifyWebhook, type WebhookEvent } from '../src/index.js';

describe('@fastpva/client against a running server', () => {
  let database: TestDatabase;
  let server: RunningServer;
  let s: Seeded;
  let client: FastpvaClient;
  let telegram: number;
  let smsId = 0;

  const push = async (to: string, text: string) => {
    const res = await fetch(`${server.url}/supplier/v1/sms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.supplierKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: `c${++smsId}`, to, from: 'Telegram', text }),
    });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    const env = { RATE_LIMITS: 'off', RELEASE_AFTER_SECONDS: '1', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '1000' };
    server = await startServer(loadConfig(env, { databaseUrl: database.url, port: 0, host: '127.0.0.1', logLevel: 'warn' }));
    s = await seedUserAndSupplier(server.platform, { balance: 1000, count: 6 });
    telegram = (await server.platform.catalog.createProject({ enname: 'Telegram-C6', price: 30, channel: 6 })).myPid;
    client = new FastpvaClient({ baseUrl: `${server.url}/`, apiKey: s.apiKey });
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it('lists projects and favourites, and tells who the user is', async () => {
    const { count, projects } = await client.projects({ keyword: 'telegram' });
    expect(count).toBe(1);
    expect(projects[0]).toMatchObject({ myPid: telegram, enname: 'Telegram-C6', sellingPrice: 30, supportCountry: false });
    await client.collect(telegram);
    expect((await client.collects()).collects.map((p) => p.myPid)).toEqual([telegram]);
    await client.uncollect(telegram);
    expect((await client.collects()).count).toBe(0);
    expect(await client.userInfo()).toMatchObject({ username: 'alice', balance: 1000 });
    expect(await client.stock(telegram)).toEqual({ myPid: telegram, countries: [{ country: 'GB', count: 6 }] });
  });

  it('takes a number, waits for its code by long-poll, and releases it', async () => {
    const { number, orderId } = await client.getNumber({ myPid: telegram });
    expect(await client.getCode(orderId)).toBeNull();
    expect(await client.codes([orderId])).toEqual({ orders: {}, balance: 970 });

    const waiting = client.waitForCode(orderId, { timeoutMs: 30_000 });
    await sleep(200); // the long-poll is held by now, or picks the SMS up when it starts
    await push(number, 'Telegram code: 24680');
    expect(await waiting).toEqual({ code: '24680', content: 'Telegram code: 24680', number, balance: 970 });
    expect((await client.codes([orderId], { wait: 5 })).orders[orderId]).toMatchObject({ code: '24680' });

    await sleep(1000); // the release rule of this server: one second
    await client.releaseNumber(orderId);
    const { orders } = await client.orders({ orderId });
    expect(orders[0]).toMatchObject({ _id: orderId, number, numberStatus: 'released', smsStatus: 'received', code: '24680' });
  });

  it('gives up waiting when no SMS comes, and refunds on release', async () => {
    const { orderId } = await client.getNumber({ myPid: telegram });
    expect(await client.waitForCode(orderId, { timeoutMs: 1000 })).toBeNull();
    await client.shieldNumber(orderId);
    expect((await client.userInfo()).balance).toBe(970);
  });

  it("turns refusals into FastpvaError carrying the server's words", async () => {
    const refusal = (promise: Promise<unknown>) => promise.then(() => 'no error', (e: unknown) => (e instanceof FastpvaError ? e.message : `other: ${e}`));
    expect(await refusal(client.getNumber({ myPid: 999_999 }))).toBe('Invalid Service ID');
    expect(await refusal(client.getCode('65a14e6ed68aa4097a1781f5'))).toBe('Invalid order ID');
    const { orderId } = await client.getNumber({ myPid: telegram });
    expect(await refusal(client.releaseNumber(orderId))).toMatch(/^Number release failed: The number can be released/);
    expect(await refusal(new FastpvaClient({ baseUrl: server.url, apiKey: 'wrong' }).userInfo())).toBe('No user found.');
  });

  it('opens and lists recharge orders', async () => {
    const recharge = await client.createRecharge(500, 'USDT-TRC20');
    expect(recharge).toMatchObject({ status: 'unpaid', amount: 500, payment: 'USDT-TRC20' });
    expect((await client.rechargeOrders({ status: 'unpaid' })).map((r) => r._id)).toContain(recharge._id);
  });

  it('sets a webhook and verifies a real delivery with the signature checker', async () => {
    const received: { header: string; body: string }[] = [];
    const receiver = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ header: String(request.headers[SIGNATURE_HEADER]), body });
        response.end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const { secret } = await client.setWebhook(url);
      expect(await client.webhook()).toMatchObject({ url });

      const { number, orderId } = await client.getNumber({ myPid: telegram });
      await push(number, 'Telegram code: 11235');
      const deadline = Date.now() + 15_000;
      while (received.length === 0 && Date.now() < deadline) await sleep(50);
      const [delivery] = received;
      expect(verifyWebhook(secret, delivery!.header, delivery!.body)).toBe(true);
      const event: WebhookEvent = parseWebhook(secret, delivery!.header, Buffer.from(delivery!.body));
      expect(event).toMatchObject({ type: 'sms.received', data: { orderId, number, myPid: telegram, code: '11235' } });

      // A changed byte, another secret or an old timestamp do not verify.
      expect(verifyWebhook(secret, delivery!.header, delivery!.body.replace('11235', '11236'))).toBe(false);
      expect(verifyWebhook('whsec_other', delivery!.header, delivery!.body)).toBe(false);
      expect(verifyWebhook(secret, delivery!.header, delivery!.body, { now: Date.now() + 301_000 })).toBe(false);
      expect(() => parseWebhook(secret, undefined, delivery!.body)).toThrow(/signature/);

      const { deliveries } = await client.webhookDeliveries();
      expect(deliveries[0]).toMatchObject({ eventId: event.id, type: 'sms.received', attempt: 1, statusCode: 200 });
      await client.clearWebhook();
      expect(await client.webhook()).toBeNull();
    } finally {
      receiver.close();
    }
  });
});
