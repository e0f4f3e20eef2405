// Crash safety: a bounded random workload over real HTTP against `fastpva serve` processes (one on
// SQLite, two on one Postgres) that are killed with SIGKILL at random moments and restarted. Afterwards,
// on the database itself: the ledger balances, every hold is resolved at most once (exactly once when
// its order ended), a number has at most one active order, and everything a server acknowledged is
// there. A request that a dying server never answered proves nothing either way: it is not counted.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlatform } from '../src/domain/platform.js';
import { Store } from '../src/store/store.js';
import { startCli } from './helpers/cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './helpers/databases.js';
import { expectLedgerConsistent, seedUserAndSupplier } from './helpers/platform.js';

/** Requests answered per run (failed ones come on top): enough for every path, bounded in time. */
const ANSWERED = 300;
const KILLS = 4;
const WORKERS = 12;
/** The last project is free: its orders have no hold. */
const PRICES = [7, 9, 12, 0];

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

interface Setup {
  keys: string[];
  supplierKey: string;
  myPids: number[];
}

/** What the servers said yes to. */
interface Acknowledged {
  orders: Map<string, { key: string; number: string }>;
  /** Message id -> the order it was delivered to (null: no live order). */
  sms: Map<string, string | null>;
  /** Released or shielded. */
  ended: Set<string>;
  recharges: Set<string>;
}

async function setUp(url: string): Promise<Setup> {
  const store = await Store.open(url);
  try {
    const platform = await createPlatform(store);
    const alice = await seedUserAndSupplier(platform, { balance: 100_000, count: 30 });
    const bob = await platform.users.create({ username: 'bob', balance: 100_000 });
    const myPids: number[] = [];
    for (const [i, price] of PRICES.entries()) myPids.push((await platform.catalog.createProject({ enname: `Crash${i}-C6`, price })).myPid);
    return { keys: [alice.apiKey, bob.apiKey], supplierKey: alice.supplierKey, myPids };
  } finally {
    await store.close();
  }
}

/** The server processes on one database; a slot being restarted has no url. */
class Cluster {
  private readonly nodes: ({ child: ChildProcess; url: string } | undefined)[];

  constructor(
    private readonly databaseUrl: string,
    size: number,
  ) {
    this.nodes = Array<undefined>(size).fill(undefined);
  }

  get size(): number {
    return this.nodes.length;
  }

  async start(slot: number): Promise<void> {
    const env = {
      DATABASE_URL: this.databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      DB_POOL_SIZE: '8',
      RELEASE_AFTER_SECONDS: '0',
      // Orders expire during the run, so the sweeper's refunds are crashed into too.
      ORDER_TTL_SECONDS: '2',
      SWEEP_INTERVAL_MS: '100',
      MAX_ACTIVE_ORDERS: '0',
      RATE_LIMITS: 'off',
    };
    const { child, line } = await startCli(['serve', '--json'], /^\{"url"/, { env });
    this.nodes[slot] = { child, url: (JSON.parse(line) as { url: string }).url };
  }

  url(): string | undefined {
    return pick(this.nodes.filter((n) => n !== undefined))?.url;
  }

  async kill(slot: number): Promise<void> {
    const node = this.nodes[slot];
    this.nodes[slot] = undefined;
    if (!node || node.child.exitCode !== null || node.child.signalCode !== null) return;
    node.child.kill('SIGKILL');
    await once(node.child, 'exit');
  }
}

/** Customers and the supplier at once, until ANSWERED requests were answered and every kill is done. */
async function workload(cluster: Cluster, setup: Setup): Promise<{ acked: Acknowledged; kills: number }> {
  const acked: Acknowledged = { orders: new Map(), sms: new Map(), ended: new Set(), recharges: new Set() };
  const live: string[] = [];
  const sent: { id: string; to: string; from: string; text: string }[] = [];
  let answered = 0;
  let chaosDone = false;

  /** The parsed answer, or undefined when no server answered (down, or killed under the request). */
  async function call(path: string, init?: RequestInit): Promise<any> {
    const base = cluster.url();
    try {
      if (!base) throw new Error('every server is restarting');
      const response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(20_000) });
      const body: unknown = await response.json();
      answered++;
      return body;
    } catch {
      await sleep(10);
      return undefined;
    }
  }

  async function customer(): Promise<void> {
    const roll = Math.random();
    if (roll < 0.3 || live.length === 0) {
      const key = pick(setup.keys);
      const reply = await call(`/pvapublic/sms/getNumber?myPid=${pick(setup.myPids)}&apikey=${key}`);
      if (reply?.code === 1) {
        acked.orders.set(reply.data.orderId, { key, number: reply.data.number });
        live.push(reply.data.orderId);
      }
      return;
    }
    const orderId = pick(live);
    const { key, number } = acked.orders.get(orderId)!;
    if (roll < 0.6) {
      // A new SMS, or now and then the supplier's retry of an earlier one (same id and body).
      const retry = sent.length > 0 && Math.random() < 0.2;
      const sms = retry ? pick(sent) : { id: `m${sent.length}`, to: number, from: 'Crash', text: `Your code is ${100_000 + sent.length}` };
      if (!retry) sent.push(sms);
      const reply = await call('/supplier/v1/sms', {
        method: 'POST',
        headers: { authorization: `Bearer ${setup.supplierKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(sms),
      });
      if (reply?.accepted === true) acked.sms.set(sms.id, reply.orderId);
    } else if (roll < 0.7) {
      await call(`/pvapublic/sms/getCode?orderId=${orderId}&apikey=${key}`);
    } else if (roll < 0.95) {
      const route = roll < 0.9 ? 'releaseNumber' : 'shieldNumber';
      const reply = await call(`/pvapublic/sms/${route}?orderId=${orderId}&apikey=${key}`);
      if (reply?.code === 1) {
        acked.ended.add(orderId);
        if (live.includes(orderId)) live.splice(live.indexOf(orderId), 1); // two workers may both end it
      }
    } else {
      const reply = await call(`/pvapublic/recharge/create?amount=500&payment=USDT-TRC20&apikey=${key}`);
      if (reply?.code === 1) acked.recharges.add(reply.data._id);
    }
  }

  let chaosError: unknown;
  const kills = chaos(cluster, () => answered)
    .catch((error: unknown) => {
      chaosError = error; // a server that failed to restart ends the run
      return 0;
    })
    .finally(() => (chaosDone = true));
  await Promise.all(
    [...Array(WORKERS)].map(async () => {
      while (chaosError === undefined && (answered < ANSWERED || !chaosDone)) await customer();
    }),
  );
  if (chaosError !== undefined) throw chaosError;
  return { acked, kills: await kills };
}

/** KILLS times at random points of the workload: SIGKILL one server (on Postgres, now and then both), restart it. */
async function chaos(cluster: Cluster, answered: () => number): Promise<number> {
  const at = [...Array(KILLS)].map(() => Math.floor(ANSWERED * (0.1 + 0.8 * Math.random()))).sort((a, b) => a - b);
  let kills = 0;
  for (const threshold of at) {
    while (answered() < threshold) await sleep(2);
    await sleep(Math.random() * 20); // somewhere inside the requests in flight
    const all = [...Array(cluster.size).keys()];
    const victims = cluster.size > 1 && Math.random() < 0.3 ? all : [pick(all)];
    await Promise.all(victims.map((slot) => cluster.kill(slot)));
    kills++;
    await Promise.all(victims.map((slot) => cluster.start(slot)));
  }
  return kills;
}

async function verify(url: string, acked: Acknowledged): Promise<void> {
  const store = await Store.open(url);
  try {
    await expectLedgerConsistent(await createPlatform(store));
    const db = store.kysely;
    const [orders, transfers, numbers, inbound, recharges, accounts] = await Promise.all([
      db.selectFrom('orders').selectAll().execute(),
      db.selectFrom('transfers').selectAll().execute(),
      db.selectFrom('numbers').select(['id', 'active_order_id']).execute(),
      db.selectFrom('inbound_sms').select(['source_key', 'order_id']).where('source', '=', 'supplier-push').execute(),
      db.selectFrom('recharge_orders').select('public_id').execute(),
      db.selectFrom('accounts').select(['id', 'user_id']).where('kind', '=', 'user').execute(),
    ]);

    // Every hold belongs to one order, and is resolved as that order's state says: open while the
    // order waits, charged once by its first SMS, else refunded or expired once when it ended.
    const holds = new Map(transfers.filter((t) => t.kind === 'hold').map((t) => [t.id, t]));
    const resolutions = new Map<number, string[]>();
    for (const t of transfers) if (t.pending_id !== null) resolutions.set(t.pending_id, [...(resolutions.get(t.pending_id) ?? []), t.kind]);
    for (const holdId of resolutions.keys()) expect(holds.has(holdId), `transfer resolving ${holdId}, not a hold`).toBe(true);
    const byNumber = (a: number, b: number) => a - b;
    expect(orders.flatMap((o) => (o.hold_id === null ? [] : [o.hold_id])).sort(byNumber)).toEqual([...holds.keys()].sort(byNumber));
    const accountOf = new Map(accounts.map((a) => [a.user_id, a.id]));
    for (const o of orders) {
      const label = `order ${o.public_id} (${o.number_status}, ${o.sms_status})`;
      expect(['receiving waiting', 'receiving received', 'released received', 'released failed'], label).toContain(`${o.number_status} ${o.sms_status}`);
      if (o.hold_id === null) {
        expect(o.price, label).toBe(0);
        continue;
      }
      expect(holds.get(o.hold_id), label).toMatchObject({ amount: o.price, debit_account_id: accountOf.get(o.user_id) });
      const resolved = resolutions.get(o.hold_id) ?? [];
      if (o.sms_status === 'waiting') expect(resolved, label).toEqual([]);
      else if (o.sms_status === 'received') expect(resolved, label).toEqual(['charge']);
      else expect([['refund'], ['expire']], label).toContainEqual(resolved);
    }

    // At most one active order per number, and the number says which.
    const active = orders.filter((o) => o.number_status === 'receiving');
    expect(new Set(active.map((o) => o.number_id)).size).toBe(active.length);
    for (const n of numbers) expect(n.active_order_id, `number ${n.id}`).toBe(active.find((o) => o.number_id === n.id)?.id ?? null);

    // Everything acknowledged is there.
    const order = new Map(orders.map((o) => [o.public_id, o]));
    for (const [id, { number }] of acked.orders) expect(order.get(id)?.number, `acknowledged order ${id}`).toBe(number);
    for (const id of acked.ended) expect(order.get(id)?.number_status, `acknowledged release of ${id}`).toBe('released');
    const sms = new Map(inbound.map((s) => [s.source_key, s.order_id]));
    for (const [id, orderId] of acked.sms) {
      expect(sms.has(id), `acknowledged SMS ${id}`).toBe(true);
      expect(sms.get(id), `the order of SMS ${id}`).toBe(orderId === null ? null : order.get(orderId)?.id);
      if (orderId !== null) expect(order.get(orderId)?.sms_status).toBe('received');
    }
    const rechargeIds = new Set(recharges.map((r) => r.public_id));
    for (const id of acked.recharges) expect(rechargeIds.has(id), `acknowledged recharge ${id}`).toBe(true);
  } finally {
    await store.close();
  }
}

describe.each(DIALECTS)('crash safety on %s', (dialect) => {
  let database: TestDatabase | undefined;
  let cluster: Cluster | undefined;
  afterAll(async () => {
    if (cluster) for (let slot = 0; slot < cluster.size; slot++) await cluster.kill(slot);
    await database?.drop();
  });

  it('keeps every acknowledged write and a balanced ledger through repeated SIGKILLs', async () => {
    database = await createTestDatabase(dialect);
    const setup = await setUp(database.url);
    const servers = cluster = new Cluster(database.url, dialect === 'sqlite' ? 1 : 2);
    await Promise.all([...Array(servers.size).keys()].map((slot) => servers.start(slot)));

    const { acked, kills } = await workload(servers, setup);
    // The last crash: nothing is shut down cleanly before the checks.
    for (let slot = 0; slot < servers.size; slot++) await servers.kill(slot);

    expect(kills).toBeGreaterThanOrEqual(3);
    expect(acked.orders.size).toBeGreaterThan(0);
    expect(acked.sms.size).toBeGreaterThan(0);
    expect(acked.ended.size).toBeGreaterThan(0);
    await verify(database.url, acked);
  });
});
