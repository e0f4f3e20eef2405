// 64 simultaneous getNumber calls on 20 free numbers, over real HTTP: exactly 20 orders, no number
// twice, every other call a clean error, balances exact. Then the same across two server processes
// sharing one Postgres.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createPlatform, type Platform } from '../src/domain/platform.js';
import { startServer, type RunningServer } from '../src/server.js';
import { Store } from '../src/store/store.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './helpers/databases.js';
import { startCli } from './helpers/cli.js';
import { expectLedgerConsistent, seedUserAndSupplier, type Seeded } from './helpers/platform.js';

const NOT_AVAILABLE = 'The phone number is not available. Please try again later. Suggestion: Try another country or another channel';

async function seed(platform: Platform, balance: number): Promise<Seeded & { myPid: number }> {
  const seeded = await seedUserAndSupplier(platform, { balance, count: 20, prefix: '4477009' });
  const { myPid } = await platform.catalog.createProject({ enname: 'Telegram-C6', price: 7 });
  return { ...seeded, myPid };
}

/** Fires every request at once and returns the parsed replies. */
async function storm(urls: string[]): Promise<{ code: number; data: unknown }[]> {
  const replies = await Promise.all(urls.map((url) => fetch(url).then((r) => r.json() as Promise<{ code: number; data: unknown }>)));
  return replies;
}

function expectExactlyOrders(replies: { code: number; data: unknown }[], count: number, errors: string[]): string[] {
  const won = replies.filter((r) => r.code === 1).map((r) => (r.data as { number: string }).number);
  const lost = replies.filter((r) => r.code === -1).map((r) => r.data as string);
  expect(won).toHaveLength(count);
  expect(new Set(won).size).toBe(count);
  expect(lost).toHaveLength(replies.length - count);
  for (const message of lost) expect(errors).toContain(message);
  return won;
}

describe.each(DIALECTS)('concurrent getNumber on %s', (dialect) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  async function serverOnFreshDatabase(): Promise<{ server: RunningServer; database: TestDatabase }> {
    const database = await createTestDatabase(dialect);
    cleanup.push(() => database.drop());
    const server = await startServer(loadConfig({}, { databaseUrl: database.url, port: 0, host: '127.0.0.1', logLevel: 'warn', dbPoolSize: 16 }));
    cleanup.push(() => server.close());
    return { server, database };
  }

  it('hands out each of 20 numbers once to 64 simultaneous callers', async () => {
    const { server } = await serverOnFreshDatabase();
    const s = await seed(server.platform, 1000);
    const url = `${server.url}/pvapublic/sms/getNumber?myPid=${s.myPid}&apikey=${s.apiKey}`;
    const won = expectExactlyOrders(await storm(Array(64).fill(url)), 20, [NOT_AVAILABLE]);
    expect(won.sort()).toEqual([...s.numbers].sort());
    expect((await server.platform.users.info(s.userId)).balance).toBe(1000 - 20 * 7);
    expect((await server.platform.stats.live()).holds.count).toBe(20);
    await expectLedgerConsistent(server.platform);
  });

  it('never lets the balance go below zero under contention', async () => {
    const { server } = await serverOnFreshDatabase();
    const s = await seed(server.platform, 70); // enough for exactly 10 orders
    const url = `${server.url}/pvapublic/sms/getNumber?myPid=${s.myPid}&apikey=${s.apiKey}`;
    expectExactlyOrders(await storm(Array(64).fill(url)), 10, ['Insufficient balance', NOT_AVAILABLE]);
    expect((await server.platform.users.info(s.userId)).balance).toBe(0);
    await expectLedgerConsistent(server.platform);
  });

  // On Postgres one customer's simultaneous orders share a statement: each must still see what the
  // ones before it took, as if they had run one after another.
  it.each([
    { limit: 'the balance', balance: 30, cap: undefined, opened: 4, refusal: 'INSUFFICIENT_BALANCE' },
    { limit: 'the live-order cap', balance: 1000, cap: 3, opened: 3, refusal: 'TOO_MANY_ACTIVE_ORDERS' },
  ])('stops one customer’s simultaneous orders at $limit, each with the balance it left', async ({ balance, cap, opened, refusal }) => {
    const { server } = await serverOnFreshDatabase();
    const p = server.platform;
    const s = await seed(p, balance);
    if (cap !== undefined) await p.users.setLimits('alice', { maxActiveOrders: cap });
    const outcomes = await Promise.allSettled([...Array(8)].map(() => p.orders.acquire({ userId: s.userId, myPid: s.myPid })));
    const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as { code?: string }).code] : []));
    expect(won).toHaveLength(opened);
    expect(new Set(won.map((w) => w.number)).size).toBe(opened);
    expect(won.map((w) => w.balance).sort((a, b) => b - a)).toEqual([...Array(opened)].map((_, i) => balance - 7 * (i + 1)));
    expect(refused).toEqual(Array(8 - opened).fill(refusal));
    expect((await p.stats.live()).holds.count).toBe(opened);
    await expectLedgerConsistent(p);
  });

  it('keeps each customer’s balance apart when several customers’ simultaneous orders share a statement', async () => {
    const { server } = await serverOnFreshDatabase();
    const p = server.platform;
    const s = await seed(p, 14); // alice: enough for two orders
    const bob = await p.users.create({ username: 'bob', balance: 1000 });
    const outcomes = await Promise.allSettled(
      [...Array(8)].map((_, i) => p.orders.acquire({ userId: i % 2 ? bob.id : s.userId, myPid: s.myPid }).then((order) => ({ user: i % 2 ? 'bob' : 'alice', order }))),
    );
    const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const balances = (user: string) => won.filter((w) => w.user === user).map((w) => w.order.balance).sort((a, b) => b - a);
    expect(balances('alice')).toEqual([7, 0]);
    expect(balances('bob')).toEqual([993, 986, 979, 972]);
    expect(new Set(won.map((w) => w.order.number)).size).toBe(6);
    expect(outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as { code?: string }).code] : []))).toEqual(['INSUFFICIENT_BALANCE', 'INSUFFICIENT_BALANCE']);
    expect((await p.users.info(s.userId)).balance).toBe(0);
    await expectLedgerConsistent(p);
  });
});

describe.runIf(DIALECTS.includes('postgres'))('two server processes on one Postgres', () => {
  const children: ChildProcess[] = [];
  let database: TestDatabase | undefined;
  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
    await database?.drop();
  });

  async function spawnServer(url: string): Promise<string> {
    const { child, line } = await startCli(['serve', '--port', '0', '--host', '127.0.0.1', '--db', url, '--json'], /^\{"url"/);
    children.push(child);
    return (JSON.parse(line) as { url: string }).url;
  }

  it('hands out each of 20 numbers once to 64 callers spread over both processes', async () => {
    database = await createTestDatabase('postgres');
    const store = await Store.open(database.url);
    try {
      const platform = await createPlatform(store);
      const s = await seed(platform, 1000);
      const [a, b] = await Promise.all([spawnServer(database.url), spawnServer(database.url)]);
      const urls = [...Array(64)].map((_, i) => `${i % 2 ? a : b}/pvapublic/sms/getNumber?myPid=${s.myPid}&apikey=${s.apiKey}`);
      expectExactlyOrders(await storm(urls), 20, [NOT_AVAILABLE]);
      expect((await platform.users.info(s.userId)).balance).toBe(1000 - 20 * 7);
      await expectLedgerConsistent(platform);
    } finally {
      await store.close();
    }
  });
});
