// `fastpva supplier push-sms` as smstools3's eventhandler and Gammu SMSD's RunOnReceive call it, against
// a running server: smstools message files in the layout of smstools' documentation (ISO and UCS2),
// Gammu's environment for a single and a multipart SMS, retries with backoff, and refusals.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startServer, type RunningServer } from '../src/server.js';
import { runCli, runHere } from './helpers/cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './helpers/databases.js';

describe.each(DIALECTS)('fastpva supplier push-sms against a server on %s', (dialect) => {
  let database: TestDatabase;
  let server: RunningServer;
  let dir: string;
  let key: string;
  let userId: number;
  let myPid: number;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    server = await startServer(loadConfig({}, { databaseUrl: database.url, port: 0, host: '127.0.0.1', logLevel: 'silent' }));
    const p = server.platform;
    const supplier = await p.suppliers.create({ name: 'USB modem pool' });
    key = supplier.key;
    const numbers = ['447700900501', '447700900502', '447700900503', '447700900504'];
    await p.suppliers.registerNumbers(supplier.id, numbers.map((number) => ({ number, country: 'GB' })));
    await p.suppliers.setOnline(supplier.id, numbers);
    userId = (await p.users.create({ username: 'buyer', balance: 1000 })).id;
    myPid = (await p.catalog.createProject({ enname: 'Telegram', price: 30, service: 'Telegram' })).myPid;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastpva-smstools-'));
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const push = (format: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    runHere(['supplier', 'push-sms', '--url', server.url, '--key', key, '--format', format, ...args, '--json'], { env });
  const take = (number: string) => server.platform.orders.acquire({ userId, myPid, number });
  const codeOf = async (orderId: string) => (await server.platform.orders.getCode(userId, orderId)).sms;

  /** A received-message file as smsd writes it: 8-bit header lines, a blank line, the text in the Alphabet's encoding. */
  function smstoolsFile(name: string, headers: string[], text: Buffer): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.concat([Buffer.from(`${headers.join('\n')}\n\n`, 'latin1'), text]));
    return file;
  }

  it('pushes an smstools file when smsd calls it with RECEIVED FILE, once however often it is called', async () => {
    const live = await take('447700900501');
    const file = smstoolsFile(
      'GSM1.xyz123',
      ['From: 491721234567', 'From_SMSC: 491722270333', 'Sent: 26-01-12 14:36:20', 'Received: 26-01-12 14:36:25', 'Subject: GSM1', 'Alphabet: ISO', 'UDH: false'],
      Buffer.from('Telegram code: 24816 für dich', 'latin1'),
    );
    // As smsd runs the eventhandler: the built binary, its own process.
    const first = await runCli(['supplier', 'push-sms', '--url', server.url, '--key', key, '--format', 'smstools', '--to', '447700900501', 'RECEIVED', file]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^SMS smstools-[0-9a-f]{32} from 491721234567 to 447700900501: delivered to order ${live.orderId}\n$`));
    expect(await codeOf(live.orderId)).toEqual({ code: '24816', content: 'Telegram code: 24816 für dich' });
    const again = JSON.parse((await push('smstools', ['--to', '447700900501', 'RECEIVED', file])).stdout);
    expect(again).toMatchObject({ accepted: true, orderId: live.orderId, duplicate: true, from: '491721234567', to: '447700900501' });
    const row = await server.platform.store.kysely.selectFrom('inbound_sms').selectAll().where('receiver', '=', '447700900501').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ source: 'supplier-push', received_at: new Date(2026, 0, 12, 14, 36, 25).getTime() });
  });

  it('decodes Alphabet: UCS2, and takes the receiving number from a modem named after it', async () => {
    const live = await take('447700900502');
    const text = 'Код Telegram: 97531. Никому не сообщайте';
    const file = smstoolsFile(
      'GSM2.ucs',
      ['From: Telegram', 'From_TOA: D0 alphanumeric, 7-bit', 'Sent: 26-01-12 14:36:20', 'Received: 26-01-12 14:36:25', 'Subject: 447700900502', 'Modem: 447700900502', 'IMSI: 234150000000002', 'Report: no', 'Alphabet: UCS2', 'Length: 40'],
      Buffer.from(text, 'utf16le').swap16(),
    );
    const result = await push('smstools', ['RECEIVED', file]);
    expect(JSON.parse(result.stdout)).toMatchObject({ accepted: true, orderId: live.orderId, to: '447700900502' });
    expect(await codeOf(live.orderId)).toEqual({ code: '97531', content: text });
  });

  it('ignores the other smstools events, and says what is missing', async () => {
    expect(JSON.parse((await push('smstools', ['SENT', path.join(dir, 'out.sms')])).stdout)).toEqual({ pushed: false, event: 'SENT' });
    const noModemNumber = smstoolsFile('GSM1.abc', ['From: 491721234567', 'Subject: GSM1', 'Alphabet: ISO'], Buffer.from('hello'));
    const refused = await runHere(['supplier', 'push-sms', '--url', server.url, '--key', key, '--format', 'smstools', 'RECEIVED', noModemNumber]);
    expect(refused).toEqual({ code: 1, stdout: '', stderr: expect.stringMatching(/^fastpva: Which number received it\? Give --to NUMBER/) });
    expect((await runHere(['supplier', 'push-sms', '--url', server.url, '--key', key, '--format', 'smstools'])).code).toBe(2);
    expect((await runHere(['supplier', 'push-sms', '--url', server.url, '--key', key, '--format', 'smstools', '--to', '447700900503', path.join(dir, 'missing')])).stderr).toMatch(/^fastpva: Cannot read .*missing: ENOENT\n$/);
  });

  it("pushes what Gammu SMSD's RunOnReceive hands over, joining a multipart SMS", async () => {
    const single = await take('447700900503');
    const env = { SMS_MESSAGES: '1', DECODED_PARTS: '0', SMS_1_NUMBER: '+420800123456', SMS_1_TEXT: 'Telegram code: 86420', SMS_1_CLASS: '-1', PHONE_ID: '447700900503' };
    const result = await push('gammu', ['IN20260112_143625_00_+420800123456_00.txt'], env);
    expect(JSON.parse(result.stdout)).toMatchObject({ accepted: true, orderId: single.orderId, to: '447700900503', from: '+420800123456' });
    expect(await codeOf(single.orderId)).toEqual({ code: '86420', content: 'Telegram code: 86420' });

    const multipart = await take('447700900504');
    const long = `Telegram code: 11235. ${'Do not give this code to anyone, even if they say they are from Telegram! '.repeat(3)}`;
    const parts = { SMS_MESSAGES: '2', SMS_1_NUMBER: 'Telegram', SMS_1_TEXT: long.slice(0, 153), SMS_2_NUMBER: 'Telegram', SMS_2_TEXT: long.slice(153), DECODED_PARTS: '1', DECODED_1_TEXT: long };
    expect(JSON.parse((await push('gammu', ['--to', '447700900504', '41', '42'], parts)).stdout)).toMatchObject({ orderId: multipart.orderId });
    expect(await codeOf(multipart.orderId)).toEqual({ code: '11235', content: long });
    // SMSD may run it again for the same rows: the same id, processed once.
    expect(JSON.parse((await push('gammu', ['--to', '447700900504', '41', '42'], parts)).stdout)).toMatchObject({ duplicate: true });
    expect(JSON.parse((await push('gammu', ['--to', '447700900504'], {})).stdout)).toEqual({ error: { code: 'refused', message: expect.stringMatching(/^No SMS_MESSAGES in the environment/) } });
  });

  it('retries with backoff while the server is away or busy, and gives up on a refusal', async () => {
    // A proxy in front of the server: the first call meets a 503 with Retry-After, as during a restart.
    let calls = 0;
    const proxy = http.createServer(async (req, res) => {
      calls++;
      const body = await new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => resolve(Buffer.concat(chunks)));
      });
      if (calls === 1) {
        res.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"error":{"code":"unavailable","message":"restarting"}}');
        return;
      }
      const answer = await fetch(`${server.url}${req.url}`, { method: req.method, headers: { authorization: req.headers.authorization!, 'content-type': 'application/json' }, body });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = proxy.address() as { port: number };
      const file = smstoolsFile('GSM1.retry', ['From: 491721234567', 'Received: 26-01-12 14:40:00', 'Alphabet: ISO'], Buffer.from('hello after a restart'));
      const result = await runHere(['supplier', 'push-sms', '--url', `http://127.0.0.1:${port}/`, '--key', key, '--format', 'smstools', '--to', '447700900503', file]);
      expect(result).toMatchObject({ code: 0, stderr: 'fastpva: HTTP 503: restarting; retrying in 1 s\n' });
      expect(calls).toBe(2);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }

    const file = path.join(dir, 'GSM1.xyz123');
    expect(await runHere(['supplier', 'push-sms', '--url', server.url, '--key', 'f'.repeat(32), '--format', 'smstools', '--to', '447700900501', file])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'fastpva: The server refused the SMS (HTTP 401: Unknown supplier key)\n',
    });
    // A port nothing listens on: the server is down.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const down = await runHere(['supplier', 'push-sms', '--url', `http://127.0.0.1:${port}`, '--key', key, '--format', 'smstools', '--to', '447700900501', '--retry-for', '0', file]);
    expect(down).toEqual({ code: 1, stdout: '', stderr: expect.stringMatching(/^fastpva: Could not push the SMS after 1 attempts: .*ECONNREFUSED/) });
  });
});
