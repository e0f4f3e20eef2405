// Several `fastpva serve` processes on one Postgres, as a cluster behind a load balancer runs: a key
// disabled or rotated on one process (a node, or the operator's `fastpva admin` command) is refused by
// the others at once (the bus, not the cache's time
// limit, which is set to ten minutes here), and three processes under a concurrent workload of
// getNumber, SMS and release keep every invariant: no number handed out twice, each hold resolved
// once, money conserved, the ledger audit clean.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { connectBus } from '../src/bus.js';
import { createPlatform, type Platform } from '../src/domain/platform.js';
import { Store } from '../src/store/store.js';
import pg from 'pg';
import { hereJson, runCli, startCli } from './helpers/cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './helpers/databases.js';
import { expectLedgerConsistent, seedUserAndSupplier } from './helpers/platform.js';

/** Far longer than any test here: a refusal seen within it came through the bus. */
const CACHE_TTL_MS = '600000';
const silent = { warn: () => undefined, info: () => undefined } as unknown as Parameters<typeof connectBus>[1]['log'];

/** Polls `condition` every 20 ms until it holds; fails with `what` after `ms`. */
async function until(condition: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(20);
  }
}

const getJson = async (url: string) => (await fetch(url)).json() as Promise<{ code: number; data: unknown }>;

describe.runIf(DIALECTS.includes('postgres'))('server processes on one Postgres', () => {
  const children: ChildProcess[] = [];
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
    for (const step of cleanup.reverse()) await step();
  });

  /** A database, a platform on it in this process (one more node, with its bus), and `count` server processes. */
  async function cluster(count: number): Promise<{ database: TestDatabase; platform: Platform; urls: string[] }> {
    const database = await createTestDatabase('postgres');
    cleanup.push(() => database.drop());
    const store = await Store.open(database.url, { poolSize: 4 });
    cleanup.push(() => store.close());
    const platform = await createPlatform(store);
    const { bus } = await connectBus([platform.feed, platform.caches], { redisUrl: undefined, store, log: silent });
    cleanup.push(async () => bus?.close());
    // Few connections each: the Postgres of a test machine serves many test runs at once. Numbers are
    // never rested: the rounds release orders without SMS on purpose, and need the numbers again.
    const env = { RATE_LIMITS: 'off', DB_POOL_SIZE: '4', CACHE_TTL_MS, RELEASE_AFTER_SECONDS: '0', MAX_ACTIVE_ORDERS: '0', REST_AFTER_FAILURES: '0' };
    const urls = await Promise.all(
      [...Array(count)].map(async () => {
        const { child, line } = await startCli(['serve', '--port', '0', '--host', '127.0.0.1', '--db', database.url, '--json'], /^\{"url"/, { env });
        children.push(child);
        return (JSON.parse(line) as { url: string }).url;
      }),
    );
    return { database, platform, urls };
  }

  it('refuses a key disabled or rotated on one process on the other processes within a second', async () => {
    const { database, platform, urls } = await cluster(2);
    const s = await seedUserAndSupplier(platform, { username: 'carol' });
    const info = (url: string, key: string) => getJson(`${url}/pvapublic/user/info?apikey=${key}`);
    const refused = async (key: string) => (await Promise.all(urls.map((url) => info(url, key)))).every((r) => r.code === -1 && r.data === 'No user found.');
    // Both processes have the key in their caches now.
    for (const url of urls) expect((await info(url, s.apiKey)).code).toBe(1);

    await platform.users.setDisabled('carol', true);
    await until(() => refused(s.apiKey), 'the disabled key is refused everywhere', 1000);

    await platform.users.setDisabled('carol', false);
    await until(async () => !(await refused(s.apiKey)), 'the key works again', 1000);
    // The operator's command is a process of its own too: it tells the servers on the same bus.
    const { apikey: rotated } = await hereJson<{ apikey: string }>(['admin', 'user', 'rotate-key', '--username', 'carol', '--db', database.url]);
    await until(() => refused(s.apiKey), 'the old key is refused everywhere', 1000);
    for (const url of urls) expect((await info(url, rotated)).code).toBe(1);
  });

  it('keeps every invariant with three processes under concurrent getNumber, SMS and release', async () => {
    const { platform, urls } = await cluster(3);
    // A number that served the project never serves it again, so the rounds use the pool up: from the
    // fifth, fewer numbers are left than there are callers.
    const s = await seedUserAndSupplier(platform, { username: 'user0', count: 120, balance: 2_000 });
    const keys = [s.apiKey];
    for (let i = 1; i < 4; i++) keys.push((await platform.users.create({ username: `user${i}`, balance: 2_000 })).apiKey);
    const { myPid } = await platform.catalog.createProject({ enname: 'Telegram-C6', price: 7 });
    const at = (i: number) => urls[i % urls.length]!;
    let messages = 0;

    for (let round = 0; round < 6; round++) {
      // 48 callers, four customers, three processes.
      const replies = await Promise.all(
        [...Array(48)].map(async (_, i) => ({ key: keys[i % keys.length]!, reply: await getJson(`${at(i + round)}/pvapublic/sms/getNumber?myPid=${myPid}&apikey=${keys[i % keys.length]}`) })),
      );
      const won = replies.filter((r) => r.reply.code === 1).map((r) => ({ key: r.key, ...(r.reply.data as { number: string; orderId: string }) }));
      expect(won.length).toBeGreaterThan(0);
      expect(new Set(won.map((o) => o.number)).size).toBe(won.length);
      // Every other order gets its SMS on one process while another releases it: whichever wins,
      // the hold is charged or refunded, once.
      await Promise.all(
        won.flatMap((o, i) => [
          ...(i % 2 === 0
            ? [
                fetch(`${at(i)}/supplier/v1/sms`, {
                  method: 'POST',
                  headers: { authorization: `Bearer ${s.supplierKey}`, 'content-type': 'application/json' },
                  body: JSON.stringify({ id: `m${messages++}`, to: o.number, from: 'Telegram', text: 'Telegram code: 27182' }),
                }),
              ]
            : []),
          getJson(`${at(i + 1)}/pvapublic/sms/releaseNumber?orderId=${o.orderId}&apikey=${o.key}`),
        ]),
      );
      // Released orders give their numbers back; an order whose SMS came is released again if the first release lost the race.
      for (const o of won) await getJson(`${at(0)}/pvapublic/sms/releaseNumber?orderId=${o.orderId}&apikey=${o.key}`);
    }

    const db = platform.store.kysely;
    const live = await db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('number_status', '=', 'receiving').executeTakeFirstOrThrow();
    const busy = await db.selectFrom('numbers').select((eb) => eb.fn.countAll<number>().as('n')).where('active_order_id', 'is not', null).executeTakeFirstOrThrow();
    expect(Number(live.n)).toBe(0);
    expect(Number(busy.n)).toBe(0);
    const audit = await platform.ledger.audit(platform.store);
    expect(audit.holdsResolvedTwice).toEqual([]);
    expect(audit.total).toBe(0);
    await expectLedgerConsistent(platform);
  });

  it('serves one port from `serve --workers 3`, three processes each with its own bus connection', async () => {
    const database = await createTestDatabase('postgres');
    cleanup.push(() => database.drop());
    const args = ['serve', '--workers', '3', '--port', '0', '--host', '127.0.0.1', '--db', database.url, '--json'];
    const { child, line } = await startCli(args, /^\{"url"/, { env: { RATE_LIMITS: 'off', DB_POOL_SIZE: '2' } });
    children.push(child);
    const announced = JSON.parse(line) as { url: string; workers: number };
    expect(announced.workers).toBe(3);
    expect(await (await fetch(`${announced.url}/healthz`)).json()).toMatchObject({ status: 'ok' });
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const listeners = await admin.query(`select pid from pg_stat_activity where datname = current_database() and application_name = 'fastpva-listen'`);
      expect(listeners.rowCount).toBe(3);
    } finally {
      await admin.end();
    }
  });
});

describe('serve --workers on SQLite', () => {
  it('is refused with the reason, creating nothing', async () => {
    const result = await runCli(['serve', '--workers', '2', '--db', 'sqlite:/nonexistent-dir/fastpva.db', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        code: 'invalid_configuration',
        message: '--workers needs a Postgres database (DATABASE_URL=postgres://...): SQLite is served by one process, which already uses the cores SQLite can',
      },
    });
  });
});
