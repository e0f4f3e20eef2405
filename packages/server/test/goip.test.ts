// The GoIP "SMS server" protocol over real UDP on 127.0.0.1, against a server started with
// GOIP_UDP_PORT, on SQLite and Postgres: keepalives put a line's number online (LOGOUT and a silent
// line take it offline), an SMS is answered `RECEIVE <recvid> OK` and delivered once, a wrong password
// is refused and logged. Lines are added with `fastpva admin supplier goip add`.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePacket } from '../src/api/goip/listener.js';
import { loadConfig } from '../src/config.js';
import { ManualClock } from '../src/domain/clock.js';
import { startServer, type RunningServer } from '../src/server.js';
import { hereJson, runHere } from './helpers/cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './helpers/databases.js';
import { expectLedgerConsistent } from './helpers/platform.js';

/** A GoIP: one UDP socket that sends a packet and waits for the answer (undefined when none comes). */
async function goipClient(port: number) {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const replies: string[] = [];
  const waiting: ((reply: string) => void)[] = [];
  socket.on('message', (message) => {
    const next = waiting.shift();
    if (next) next(message.toString('utf8'));
    else replies.push(message.toString('utf8'));
  });
  return {
    send(packet: string, waitMs = 3000): Promise<string | undefined> {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(done), 1);
          resolve(undefined);
        }, waitMs);
        const done = (reply: string) => {
          clearTimeout(timer);
          resolve(reply);
        };
        waiting.push(done);
        socket.send(packet, port, '127.0.0.1');
      });
    },
    /** Answers that came when nobody waited: there must be none. */
    stray: replies,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

const keepalive = (count: number, line: string, pass: string, num: string, status = 'LOGIN') =>
  `req:${count};id:${line};pass:${pass};num:${num};signal:23;gsm_status:${status};voip_status:LOGIN;imei:862365032166543;imsi:234150000000001;iccid:8944100000000000001;`;

describe('GoIP packets', () => {
  it('reads keepalives and messages, a message taking the rest of the packet', () => {
    expect(parsePacket('req:10;id:goipid1;pass:password1;num:12345;signal:23;gsm_status:LOGIN;voip_status:LOGIN;')).toEqual({
      command: 'req',
      sequence: '10',
      fields: new Map([['id', 'goipid1'], ['pass', 'password1'], ['num', '12345'], ['signal', '23'], ['gsm_status', 'LOGIN'], ['voip_status', 'LOGIN']]),
    });
    expect(parsePacket('RECEIVE:1768228600;id:l1;password:pw;srcnum:+447700900999;msg:a;b:c')?.fields.get('msg')).toBe('a;b:c');
    expect(parsePacket('not a packet')).toBeUndefined();
  });
});

describe.each(DIALECTS)('GoIP SMS server on %s', (dialect) => {
  let database: TestDatabase;
  let server: RunningServer;
  let goip: Awaited<ReturnType<typeof goipClient>>;
  const clock = new ManualClock(Date.UTC(2026, 0, 12, 14, 36, 26));
  const logs: string[] = [];
  let userId: number;
  let myPid: number;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const config = loadConfig({}, { databaseUrl: database.url, port: 0, host: '127.0.0.1', goipUdpPort: 0, logLevel: 'info' });
    server = await startServer(config, { clock, logStream: { write: (line) => void logs.push(line) } });
    const p = server.platform;
    await p.suppliers.create({ name: 'GoIP rack' });
    userId = (await p.users.create({ username: 'buyer', balance: 1000 })).id;
    myPid = (await p.catalog.createProject({ enname: 'Telegram', price: 30, service: 'Telegram' })).myPid;
    const admin = (...args: string[]) => hereJson(['admin', 'supplier', 'goip', ...args, '--db', database.url]);
    expect(await admin('add', '--supplier', 'GoIP rack', '--line', 'goip1', '--password', 'secret1', '--country', 'GB')).toMatchObject({ line: 'goip1', supplier: 'GoIP rack', country: 'GB', number: null });
    await admin('add', '--supplier', 'GoIP rack', '--line', 'goip2', '--password', 'secret2');
    goip = await goipClient(server.goipPort!);
  });
  afterAll(async () => {
    await goip?.close();
    await server?.close();
    await database?.drop();
  });

  const numberRow = async (number: string) => server.platform.store.read.numbers.findByNumber(number);
  const stored = () => server.platform.store.kysely.selectFrom('inbound_sms').select(['source_key', 'sender', 'text']).where('source', '=', 'goip').execute();

  it('puts the number of a line that keeps alive online, and answers reg:<count>;status:200;', async () => {
    expect(await goip.send(keepalive(1, 'goip1', 'secret1', '+447700900901'))).toBe('reg:1;status:200;');
    // Registered for the line's supplier in the line's country, online, seen now.
    expect(await numberRow('447700900901')).toMatchObject({ country: 'GB', online: 1, last_seen_at: clock.now() });
    expect(await hereJson(['admin', 'supplier', 'goip', 'list', '--supplier', 'GoIP rack', '--db', database.url])).toEqual([
      expect.objectContaining({ line: 'goip1', number: '447700900901', online: true, lastSeenAt: new Date(clock.now()).toISOString() }),
      expect.objectContaining({ line: 'goip2', number: null, online: false }),
    ]);
  });

  it('answers RECEIVE <recvid> OK, delivers the code once per (line, recvid)', async () => {
    const order = await server.platform.orders.acquire({ userId, myPid, number: '447700900901' });
    const sms = 'RECEIVE:1768228600;id:goip1;password:secret1;srcnum:Telegram;msg:Telegram code: 13579; do not share it';
    expect(await goip.send(sms)).toBe('RECEIVE 1768228600 OK\n');
    // The GoIP sends it again when our answer is lost.
    expect(await goip.send(sms)).toBe('RECEIVE 1768228600 OK\n');
    expect(await stored()).toEqual([{ source_key: 'goip1:1768228600', sender: 'Telegram', text: 'Telegram code: 13579; do not share it' }]);
    expect((await server.platform.orders.getCode(userId, order.orderId)).sms).toEqual({ code: '13579', content: 'Telegram code: 13579; do not share it' });
    await expectLedgerConsistent(server.platform);
  });

  it('refuses a wrong password, logging it: no keepalive ack, an ERROR for a message, nothing written', async () => {
    expect(await goip.send(keepalive(2, 'goip1', 'guess', '+447700900901', 'LOGOUT'), 500)).toBeUndefined();
    expect((await numberRow('447700900901'))?.online).toBe(1);
    expect(await goip.send('RECEIVE:1768228700;id:goip1;password:guess;srcnum:Telegram;msg:Telegram code: 66666')).toBe('RECEIVE 1768228700 ERROR wrong id or password\n');
    expect(await goip.send(keepalive(3, 'nosuchline', 'x', '+447700900999'), 500)).toBeUndefined();
    expect(await stored()).toHaveLength(1);
    expect(await numberRow('447700900999')).toBeUndefined();
    const refusals = logs.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'GoIP packet refused: wrong line id or password');
    expect(refusals.map((entry) => [entry.line, entry.command])).toEqual([['goip1', 'req'], ['goip1', 'RECEIVE'], ['nosuchline', 'req']]);
    expect(logs.join('\n')).not.toContain('guess');
  });

  it('takes the number offline on LOGOUT and when the line goes silent; a keepalive without a number keeps the last one', async () => {
    expect(await goip.send(keepalive(4, 'goip1', 'secret1', '+447700900901', 'LOGOUT'))).toBe('reg:4;status:200;');
    expect((await numberRow('447700900901'))?.online).toBe(0);
    expect(await goip.send(keepalive(5, 'goip1', 'secret1', ''))).toBe('reg:5;status:200;');
    expect((await numberRow('447700900901'))?.online).toBe(1);
    // A few keepalives (every 30 s) go missing past SUPPLIER_HEARTBEAT_SECONDS: the heartbeat job takes it offline.
    clock.advance(300_001);
    expect(await server.platform.numbers.takeStaleOffline()).toBe(1);
    expect((await numberRow('447700900901'))?.online).toBe(0);
    expect(await goip.send(keepalive(6, 'goip1', 'secret1', '+447700900901'))).toBe('reg:6;status:200;');
    expect((await numberRow('447700900901'))?.online).toBe(1);
  });

  it('acknowledges a line whose number is not registered, says why in the log, and puts it online once registered', async () => {
    expect(await goip.send(keepalive(1, 'goip2', 'secret2', '+447700900902'))).toBe('reg:1;status:200;');
    expect(await numberRow('447700900902')).toBeUndefined();
    expect(logs.some((line) => line.includes('447700900902 is not registered: register it, or give the line a country'))).toBe(true);
    const supplier = (await server.platform.store.read.suppliers.findByName('GoIP rack'))!;
    await server.platform.suppliers.registerNumbers(supplier.id, [{ number: '447700900902', country: 'GB' }]);
    expect(await goip.send(keepalive(2, 'goip2', 'secret2', '+447700900902'))).toBe('reg:2;status:200;');
    expect((await numberRow('447700900902'))?.online).toBe(1);
    // Other packets of a line, such as a delivery report, are acknowledged the same way.
    expect(await goip.send('DELIVER:1768228800;id:goip2;password:secret2;sms_no:1;state:0;num:+447700900999')).toBe('DELIVER 1768228800 OK\n');
    expect(goip.stray).toEqual([]);
  });

  it('takes the number a line is given when its GoIP does not report one', async () => {
    const admin = (...args: string[]) => runHere(['admin', 'supplier', 'goip', 'add', '--supplier', 'GoIP rack', ...args, '--db', database.url]);
    expect((await admin('--line', 'goip3', '--password', 'secret3', '--number', '447700900903')).stderr).toBe(
      'fastpva: 447700900903 is not registered: register it, or give the line a country\n',
    );
    expect((await admin('--line', 'goip3', '--password', 'secret3', '--number', '+44 7700 900903', '--country', 'GB', '--json')).stdout).toContain('"number":"447700900903"');
    expect(await goip.send(keepalive(1, 'goip3', 'secret3', ''))).toBe('reg:1;status:200;');
    expect((await numberRow('447700900903'))?.online).toBe(1);
    expect((await admin('--line', 'goip3', '--password', 'x')).stderr).toBe('fastpva: A GoIP line goip3 exists\n');
  });

  it('removes a line: its packets are refused from then on', async () => {
    expect((await runHere(['admin', 'supplier', 'goip', 'remove', '--line', 'goip2', '--supplier', 'Another', '--db', database.url])).stderr).toBe('fastpva: No supplier Another\n');
    expect(await hereJson(['admin', 'supplier', 'goip', 'remove', '--line', 'goip2', '--db', database.url])).toEqual({ removed: 'goip2' });
    expect(await goip.send(keepalive(3, 'goip2', 'secret2', '+447700900902'), 500)).toBeUndefined();
  });
});

describe('GOIP_UDP_PORT', () => {
  it('is off unless set, and its port is freed when the server closes', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const base = { databaseUrl: database.url, port: 0, host: '127.0.0.1', logLevel: 'silent' };
      const plain = await startServer(loadConfig({}, base));
      expect(plain.goipPort).toBeUndefined();
      await plain.close();
      const config = loadConfig({ GOIP_UDP_PORT: '0' }, base);
      const server = await startServer(config);
      const port = server.goipPort!;
      await expect(startServer(loadConfig({ GOIP_UDP_PORT: String(port) }, base))).rejects.toThrow(`GOIP_UDP_PORT=${port}: the port is in use (choose another port)`);
      await server.close();
      const again = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        again.once('error', reject);
        again.bind(port, '127.0.0.1', resolve);
      });
      again.close();
    } finally {
      await database.drop();
    }
  });
});
