// Long-poll (`wait=` on getCode and codes): a held request answers as soon as an SMS is delivered, on
// this process or another (Postgres LISTEN/NOTIFY, Redis pub/sub), with exactly the bytes it would
// have without waiting; a wait that runs out answers the waiting reply; no wake-up is lost between
// the first read and the registration; client disconnects and server close free the waiter; a thousand
// waiters hold no database connection. Deadlines below are far shorter than the waits asked for: a
// reply before one proves a wake-up, not a timeout. No test measures speed.
import type { ChildProcess } from 'node:child_process';
import { once as event } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createPlatform, type Platform } from '../src/domain/platform.js';
import { startServer, type RunningServer } from '../src/server.js';
import { Store } from '../src/store/store.js';
import { startCli } from './helpers/cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './helpers/databases.js';
import { seedUserAndSupplier, type Seeded } from './helpers/platform.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Far below every wait asked for: a reply by then was woken, not timed out. */
const WOKEN_WITHIN_MS = 15_000;

/** Polls `condition` until it holds; fails with `what` after 15 s. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/** `close` run once, however many call it. */
const once = (close: () => Promise<void>) => {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
};

const get = async (url: string, signal: AbortSignal = AbortSignal.timeout(WOKEN_WITHIN_MS)) => (await fetch(url, { signal })).text();

interface Setup extends Seeded {
  myPid: number;
}

async function seed(platform: Platform, count = 5): Promise<Setup> {
  const seeded = await seedUserAndSupplier(platform, { count, balance: 100_000 });
  const { myPid } = await platform.catalog.createProject({ enname: 'Telegram-C6', price: 30 });
  return { ...seeded, myPid };
}

/** An SMS with a code for the supplier's number `to`; `id` is the supplier's message id. */
const sms = (s: Seeded, to: string, id: string, code = '31415') => ({
  source: 'test',
  sourceKey: id,
  supplierId: s.supplierId,
  receiver: to,
  sender: 'Telegram',
  text: `Telegram code: ${code}`,
  receivedAt: Date.now(),
});

describe.each(DIALECTS)('long-poll on %s', (dialect) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  async function createDb(): Promise<TestDatabase> {
    const database = await createTestDatabase(dialect);
    cleanup.push(() => database.drop());
    return database;
  }

  /** A server in this process, on a fresh database; closed at the end unless a test closed it. */
  async function server(env: NodeJS.ProcessEnv = {}, poolSize = 16): Promise<{ server: RunningServer; database: TestDatabase }> {
    const database = await createDb();
    const running = await startServer(loadConfig({ RATE_LIMITS: 'off', ...env }, { databaseUrl: database.url, port: 0, host: '127.0.0.1', logLevel: 'warn', dbPoolSize: poolSize }));
    const close = once(running.close);
    running.close = close;
    cleanup.push(close);
    return { server: running, database };
  }

  it('answers getCode and codes as soon as the SMS is delivered, byte for byte as without wait', async () => {
    const { server: s } = await server();
    const setup = await seed(s.platform);
    const [a, b] = [await s.platform.orders.acquire({ userId: setup.userId, myPid: setup.myPid }), await s.platform.orders.acquire({ userId: setup.userId, myPid: setup.myPid })];
    const base = `${s.url}/pvapublic/sms`;
    const key = `apikey=${setup.apiKey}`;

    const heldCode = get(`${base}/getCode?orderId=${a.orderId}&wait=60&${key}`);
    const heldCodes = get(`${base}/codes?ordersId=${a.orderId}_${b.orderId}&wait=60&${key}`);
    await until(() => s.platform.waits.size === 2, 'both requests wait');
    // Still held: nothing has come.
    expect(s.platform.waits.size).toBe(2);

    await s.platform.inboundSms.receive(sms(setup, b.number, 'm-b1'));
    // The SMS went to b: codes answers; getCode on a keeps waiting.
    expect(await heldCodes).toBe(await get(`${base}/codes?ordersId=${a.orderId}_${b.orderId}&${key}`));
    expect(JSON.parse(await get(`${base}/codes?ordersId=${a.orderId}_${b.orderId}&${key}`)).code).toBe(1);
    await until(() => s.platform.waits.size === 1, 'codes has answered');

    await s.platform.inboundSms.receive(sms(setup, a.number, 'm-a1', '27182'));
    const answered = await heldCode;
    expect(answered).toBe(await get(`${base}/getCode?orderId=${a.orderId}&${key}`));
    expect(JSON.parse(answered)).toMatchObject({ code: 1, data: { code: '27182', number: a.number } });
    expect(s.platform.waits.size).toBe(0);

    // An order that already has its SMS answers at once, waiting for nothing.
    expect(await get(`${base}/getCode?orderId=${a.orderId}&wait=60&${key}`)).toBe(answered);
  });

  it('holds SMS-Activate getStatus/getStatusV2 and 5SIM check the same way', async () => {
    const { server: s } = await server();
    const setup = await seed(s.platform);
    const order = await s.platform.orders.acquire({ userId: setup.userId, myPid: setup.myPid });
    const sa = (action: string, wait = '') => `${s.url}/stubs/handler_api.php?api_key=${setup.apiKey}&action=${action}&id=${order.activationId}${wait}`;
    const check = (wait = '') => fetch(`${s.url}/v1/user/check/${order.activationId}${wait}`, { headers: { authorization: `Bearer ${setup.apiKey}` }, signal: AbortSignal.timeout(WOKEN_WITHIN_MS) }).then((r) => r.text());

    // Nothing comes: the wait runs out and the plain answer follows.
    expect(await get(sa('getStatus', '&wait=1'))).toBe('STATUS_WAIT_CODE');
    const heldStatus = get(sa('getStatus', '&wait=60'));
    const heldStatusV2 = get(sa('getStatusV2', '&wait=60'));
    const heldCheck = check('?wait=60');
    await until(() => s.platform.waits.size === 3, 'all three wait');

    await s.platform.inboundSms.receive(sms(setup, order.number, 'sa-1', '16180'));
    expect(await heldStatus).toBe('STATUS_OK:16180');
    expect(await heldStatusV2).toBe(await get(sa('getStatusV2')));
    expect(JSON.parse(await heldCheck)).toMatchObject({ id: order.activationId, status: 'RECEIVED', sms: [{ code: '16180' }] });
    // 5SIM clients that send wait=true (a loop of their own) wait not at all.
    expect(JSON.parse(await check('?wait=true'))).toMatchObject({ status: 'RECEIVED' });
  });

  it('answers the plain waiting reply when the wait runs out, caps long waits, and refuses a malformed one', async () => {
    const { server: s } = await server();
    const setup = await seed(s.platform);
    const order = await s.platform.orders.acquire({ userId: setup.userId, myPid: setup.myPid });
    const base = `${s.url}/pvapublic/sms`;
    const key = `apikey=${setup.apiKey}`;
    const waiting = await get(`${base}/getCode?orderId=${order.orderId}&${key}`);
    expect(JSON.parse(waiting).code).toBe(-1);

    expect(await get(`${base}/getCode?orderId=${order.orderId}&wait=1&${key}`)).toBe(waiting);
    expect(await get(`${base}/codes?ordersId=${order.orderId}&wait=1&${key}`)).toBe(await get(`${base}/codes?ordersId=${order.orderId}&${key}`));
    expect(await get(`${base}/getCode?orderId=${order.orderId}&wait=0&${key}`)).toBe(waiting);
    expect(await get(`${base}/getCode?orderId=${order.orderId}&wait=abc&${key}`)).toBe('{"code":-1,"data":"Invalid parameter: wait"}');
    expect(await get(`${base}/getCode?orderId=${'0'.repeat(24)}&wait=5&${key}`)).toBe('{"code":-1,"data":"Invalid order ID"}');
    // Longer than the maximum is cut to it, not refused: 60 s, or less to fit the handler timeout
    // (6 s leaves 1 s); the reply comes long before the hour asked for.
    expect(s.platform.config.maxWaitMs).toBe(60_000);
    const { server: short } = await server({ HANDLER_TIMEOUT_MS: '6000' });
    expect(short.platform.config.maxWaitMs).toBe(1000);
    const other = await seed(short.platform);
    const late = await short.platform.orders.acquire({ userId: other.userId, myPid: other.myPid });
    expect(JSON.parse(await get(`${short.url}/pvapublic/sms/getCode?orderId=${late.orderId}&wait=3600&apikey=${other.apiKey}`)).code).toBe(-1);
  });

  it('answers at once when the order ends, and keeps no waiter for a client that went away', async () => {
    const { server: s } = await server({ RELEASE_AFTER_SECONDS: '0' });
    const setup = await seed(s.platform);
    const order = await s.platform.orders.acquire({ userId: setup.userId, myPid: setup.myPid });
    const url = `${s.url}/pvapublic/sms/getCode?orderId=${order.orderId}&wait=60&apikey=${setup.apiKey}`;

    const gone = new AbortController();
    const abandoned = fetch(url, { signal: gone.signal }).catch(() => 'aborted');
    await until(() => s.platform.waits.size === 1, 'the request waits');
    gone.abort();
    expect(await abandoned).toBe('aborted');
    await until(() => s.platform.waits.size === 0, 'the waiter of the client that went away is freed');

    const held = get(url);
    await until(() => s.platform.waits.size === 1, 'the request waits');
    await s.platform.orders.release(setup.userId, order.orderId);
    expect(JSON.parse(await held)).toEqual({ code: -1, data: { number: order.number, balance: 100_000 } });
  });

  it('answers held requests when the server closes, and the close does not wait for their timeout', async () => {
    const { server: s } = await server();
    const setup = await seed(s.platform);
    const order = await s.platform.orders.acquire({ userId: setup.userId, myPid: setup.myPid });
    const held = get(`${s.url}/pvapublic/sms/getCode?orderId=${order.orderId}&wait=60&apikey=${setup.apiKey}`);
    await until(() => s.platform.waits.size === 1, 'the request waits');
    const closing = s.close();
    expect(JSON.parse(await held)).toEqual({ code: -1, data: { number: order.number, balance: 99_970 } });
    await closing;
  });

  it('loses no SMS that lands between the first read and the wait', async () => {
    const { server: s } = await server();
    const setup = await seed(s.platform);
    const order = await s.platform.orders.acquire({ userId: setup.userId, myPid: setup.myPid });
    // The SMS commits right after the waiter's first look at the order, before it starts to wait.
    const orders = s.platform.store.read.orders;
    const read = orders.waitStates.bind(orders);
    let first = true;
    orders.waitStates = async (...args) => {
      const states = await read(...args);
      if (first) {
        first = false;
        await s.platform.inboundSms.receive(sms(setup, order.number, 'm-race'));
      }
      return states;
    };
    const woken = s.platform.waits.forSms(setup.userId, [order.orderId], 60_000);
    const deadline = sleep(WOKEN_WITHIN_MS, 'lost');
    expect(await Promise.race([woken, deadline])).toBe(true);
    expect(first).toBe(false);
  });

  it('lets go at once of a client that went away while the wait was reading', async () => {
    const { server: s } = await server();
    const setup = await seed(s.platform);
    const order = await s.platform.orders.acquire({ userId: setup.userId, myPid: setup.myPid });
    const gone = new AbortController();
    const orders = s.platform.store.read.orders;
    const read = orders.waitStates.bind(orders);
    orders.waitStates = async (...args) => {
      gone.abort();
      return read(...args);
    };
    const waited = s.platform.waits.forSms(setup.userId, [order.orderId], 60_000, gone.signal);
    expect(await Promise.race([waited, sleep(WOKEN_WITHIN_MS, 'held')])).toBe(false);
    expect(s.platform.waits.size).toBe(0);
  });

  it('holds 1,200 waiters on one process without a database connection each', async () => {
    const poolSize = 4;
    const { server: s, database } = await server({}, poolSize);
    const setup = await seed(s.platform, 20);
    const orders = [];
    for (let i = 0; i < 20; i++) orders.push(await s.platform.orders.acquire({ userId: setup.userId, myPid: setup.myPid }));
    const base = `${s.url}/pvapublic/sms`;
    const key = `apikey=${setup.apiKey}`;
    const all = orders.map((o) => o.orderId).join('_');
    const urls = [...Array(1200)].map((_, i) =>
      i % 6 === 5 ? `${base}/codes?ordersId=${all}&wait=60&${key}` : `${base}/getCode?orderId=${orders[i % 20]!.orderId}&wait=60&${key}`,
    );
    const held = urls.map((url) => get(url, AbortSignal.timeout(60_000)));
    await until(() => s.platform.waits.size === 1200, 'all 1,200 requests wait');

    // The server goes on serving while they wait, and none of them holds a connection.
    expect(JSON.parse(await get(`${s.url}/pvapublic/user/info?${key}`)).code).toBe(1);
    if (dialect === 'postgres') {
      const name = new URL(database.url).pathname.slice(1);
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
        // The pool and the one LISTEN connection, whatever the number of waiters.
        expect(Number(rows[0]!.n)).toBeLessThanOrEqual(poolSize + 1);
      } finally {
        await admin.end();
      }
    }

    for (const [i, o] of orders.entries()) await s.platform.inboundSms.receive(sms(setup, o.number, `m-many-${i}`));
    const replies = await Promise.all(held);
    for (const reply of replies) expect(JSON.parse(reply).code).toBe(1);
    expect(s.platform.waits.size).toBe(0);
  });
});

/** Two `fastpva serve` processes on one database, and a seeded customer and supplier. */
async function twoProcesses(databaseUrl: string, env: NodeJS.ProcessEnv, children: ChildProcess[]) {
  const store = await Store.open(databaseUrl);
  let setup: Setup;
  try {
    setup = await seed(await createPlatform(store));
  } finally {
    await store.close();
  }
  const spawn = async () => {
    const { child, line } = await startCli(['serve', '--port', '0', '--host', '127.0.0.1', '--db', databaseUrl, '--json'], /^\{"url"/, { env: { RATE_LIMITS: 'off', ...env } });
    children.push(child);
    return (JSON.parse(line) as { url: string }).url;
  };
  const [a, b] = await Promise.all([spawn(), spawn()]);
  const waitsOn = async (url: string) => Number(/^fastpva_sms_waits (\d+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1]);

  /** A waiter on process A, the SMS pushed to process B: A answers with the code. */
  async function wakeAcross(id: string, code: string): Promise<void> {
    const order = JSON.parse(await get(`${a}/pvapublic/sms/getNumber?myPid=${setup.myPid}&apikey=${setup.apiKey}`)).data as { number: string; orderId: string };
    const held = get(`${a}/pvapublic/sms/getCode?orderId=${order.orderId}&wait=60&apikey=${setup.apiKey}`);
    await until(async () => (await waitsOn(a)) === 1, 'process A holds the request');
    const pushed = await fetch(`${b}/supplier/v1/sms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${setup.supplierKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, to: order.number, from: 'Telegram', text: `Telegram code: ${code}` }),
    });
    expect(await pushed.json()).toEqual({ accepted: true, orderId: order.orderId });
    expect(JSON.parse(await held)).toMatchObject({ code: 1, data: { code, number: order.number } });
  }
  return { wakeAcross };
}

describe('long-poll across two server processes', () => {
  const children: ChildProcess[] = [];
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await event(child, 'exit');
      }
    }
    for (const database of databases) await database.drop();
  });

  it.runIf(DIALECTS.includes('postgres'))('wakes a waiter on process A with an SMS pushed to process B, through Postgres LISTEN/NOTIFY, also after the LISTEN connections were cut', async () => {
    const database = await createTestDatabase('postgres');
    databases.push(database);
    const { wakeAcross } = await twoProcesses(database.url, {}, children);
    await wakeAcross('cross-1', '27182');

    // Postgres drops both processes' LISTEN connections; each opens a new one and goes on.
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const listeners = `select pid from pg_stat_activity where datname = current_database() and application_name = 'fastpva-listen'`;
      const before = (await admin.query<{ pid: number }>(listeners)).rows.map((r) => r.pid);
      expect(before).toHaveLength(2);
      await admin.query(`select pg_terminate_backend(pid) from (${listeners}) l`);
      await until(async () => {
        const now = (await admin.query<{ pid: number }>(listeners)).rows.map((r) => r.pid);
        return now.length === 2 && now.every((pid) => !before.includes(pid));
      }, 'both processes listen again');
    } finally {
      await admin.end();
    }
    await wakeAcross('cross-2', '14142');
  });

  it('does the same through Redis pub/sub when REDIS_URL is set (here on one SQLite file, which has no NOTIFY)', async () => {
    const database = await createTestDatabase('sqlite');
    databases.push(database);
    const { wakeAcross } = await twoProcesses(database.url, { REDIS_URL }, children);
    await wakeAcross('cross-1', '27182');
  });
});
