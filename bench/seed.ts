// Puts the bench's data in place through the domain, as an operator's scripts would; only the
// million past usages go straight into their table (the domain records them one SMS at a time).
import { sql } from 'kysely';
import { createPlatform, type Platform } from '../packages/server/src/domain/platform.js';
import { MAX_PER_SECOND_LIMIT } from '../packages/server/src/domain/smpp.js';
import { Store } from '../packages/server/src/store/store.js';

/** Plenty for every order the bench takes at a price of 1 cent. */
const BALANCE = 100_000_000;

export async function withPlatform<T>(url: string, work: (p: Platform, store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(url);
  try {
    const result = await work(await createPlatform(store), store);
    // Postgres plans by its statistics, which autovacuum gathers within a minute of a bulk load in
    // production (it is off on some dev machines). Gathering them now makes every run plan alike.
    // SQLite is left alone: fastpva never runs ANALYZE on it, so production has no statistics there.
    if (store.dialect.name === 'postgres') await sql`analyze`.execute(store.kysely);
    return result;
  } finally {
    await store.close();
  }
}

export interface CodesSeed {
  apiKey: string;
  waitingOrderId: string;
  receivedOrderId: string;
}

/** One user with two live orders: one still waiting for its SMS, one that has its code. */
export function seedCodes(url: string): Promise<CodesSeed> {
  return withPlatform(url, async (p) => {
    const user = await p.users.create({ username: 'bench', balance: BALANCE });
    const project = await p.catalog.createProject({ enname: 'Telegram', price: 1 });
    const supplier = await p.suppliers.create({ name: 'bench sims' });
    const numbers = ['447700900001', '447700900002'];
    await p.suppliers.registerNumbers(supplier.id, numbers.map((number) => ({ number, country: 'GB' })));
    await p.suppliers.setOnline(supplier.id, numbers);
    const waiting = await p.orders.acquire({ userId: user.id, myPid: project.myPid });
    const received = await p.orders.acquire({ userId: user.id, myPid: project.myPid });
    await p.inboundSms.receive({
      source: 'bench',
      sourceKey: '1',
      supplierId: supplier.id,
      receiver: received.number,
      sender: 'Telegram',
      text: 'Telegram code 56032',
      receivedAt: Date.now(),
    });
    return { apiKey: user.apiKey, waitingOrderId: waiting.orderId, receivedOrderId: received.orderId };
  });
}

export interface PoolSeed {
  /** One per customer; every order goes to one of them in turn. */
  apiKeys: string[];
  myPid: number;
  /** Numbers that already served the requested project: getNumber must never hand them out. */
  usedForProject: Set<string>;
  usages: number;
}

export const POOL_SIZE = 100_000;
const PER_SUPPLIER = 50_000; // the domain's limit per registerNumbers / setOnline call
const USED_FOR_PROJECT = 90_000;
const OTHER_PROJECTS = 50;
const OTHER_USAGES = 910_000;

/** mulberry32: a seeded PRNG, so every run (and both dialects) get the same history. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * 100,000 online GB numbers on channel 6 from two suppliers, and `customers` customers. With
 * `history`, 1,000,000 past usages: 90,000 numbers already served the requested project, 910,000
 * usages spread over 50 others.
 */
export function seedPool(url: string, history: boolean, customers: number, log: (line: string) => void): Promise<PoolSeed> {
  return withPlatform(url, async (p, store) => {
    const user = await p.users.create({ username: 'bench', balance: BALANCE });
    const apiKeys = [user.apiKey];
    for (let i = 1; i < customers; i++) apiKeys.push((await p.users.create({ username: `bench${i}`, balance: BALANCE })).apiKey);
    const project = await p.catalog.createProject({ enname: 'Telegram', price: 1 });
    for (let s = 0; s < POOL_SIZE / PER_SUPPLIER; s++) {
      const supplier = await p.suppliers.create({ name: `bench sims ${s}` });
      const numbers = Array.from({ length: PER_SUPPLIER }, (_, i) => `44770${String(s * PER_SUPPLIER + i).padStart(7, '0')}`);
      await p.suppliers.registerNumbers(supplier.id, numbers.map((number) => ({ number, country: 'GB' })));
      await p.suppliers.setOnline(supplier.id, numbers);
    }
    log(`${POOL_SIZE} numbers online`);
    if (!history) return { apiKeys, myPid: project.myPid, usedForProject: new Set(), usages: 0 };

    const others: number[] = [];
    for (let i = 0; i < OTHER_PROJECTS; i++) others.push((await p.catalog.createProject({ enname: `Other ${i}`, price: 1 })).myPid);
    const numbers = await store.kysely.selectFrom('numbers').select(['id', 'number']).orderBy('id').execute();

    // Which numbers served the project: a seeded shuffle, so used and free numbers interleave in draw order.
    const random = prng(42);
    const order = numbers.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const rows: Array<{ number_id: number; project_id: number; user_id: number; order_id: number; created_at: number }> = [];
    const now = Date.now();
    const usedForProject = new Set<string>();
    for (const i of order.slice(0, USED_FOR_PROJECT)) {
      usedForProject.add(numbers[i]!.number);
      rows.push({ number_id: numbers[i]!.id, project_id: project.myPid, user_id: user.id, order_id: rows.length + 1, created_at: now });
    }
    // Usage t goes to number t mod N and project (7k + n) mod 50 with k = t div N: k < 10 and 7 is
    // coprime with 50, so no (number, project) pair repeats.
    for (let t = 0; t < OTHER_USAGES; t++) {
      const n = t % numbers.length;
      const k = Math.floor(t / numbers.length);
      rows.push({ number_id: numbers[n]!.id, project_id: others[(7 * k + n) % OTHER_PROJECTS]!, user_id: user.id, order_id: rows.length + 1, created_at: now });
    }

    // 500 rows x 5 values stay under SQLite's bound-parameter limit (Postgres takes 65,535, so 5,000
    // rows there); one transaction per 50,000 rows.
    const BATCH = store.dialect.name === 'sqlite' ? 500 : 5000;
    const PER_TRANSACTION = 50_000;
    for (let start = 0; start < rows.length; start += PER_TRANSACTION) {
      await store.kysely.transaction().execute(async (trx) => {
        for (let b = start; b < Math.min(start + PER_TRANSACTION, rows.length); b += BATCH) {
          await trx.insertInto('number_usages').values(rows.slice(b, b + BATCH)).execute();
        }
      });
    }
    log(`${rows.length} past usages`);
    return { apiKeys, myPid: project.myPid, usedForProject, usages: rows.length };
  });
}

export interface LiveOrder {
  apiKey: string;
  orderId: string;
  number: string;
}

export interface LiveOrdersSeed {
  supplierId: number;
  supplierKey: string;
  /** Each waiting for its first SMS, each on a number of its own. */
  orders: LiveOrder[];
}

/** Customers that share the orders: one user's orders queue on its account row on Postgres. */
const ORDER_USERS = 16;
const SUPPLIER_NAME = 'bench gateways';

/**
 * `count` live orders of a Telegram project (every SMS below is a Telegram code, delivered and charged),
 * spread over 16 users with no active-order cap, each on its own number of one supplier.
 */
async function liveOrders(p: Platform, count: number, log: (line: string) => void): Promise<LiveOrdersSeed> {
  const project = await p.catalog.createProject({ enname: 'Telegram', price: 1 });
  const supplier = await p.suppliers.create({ name: SUPPLIER_NAME });
  for (let start = 0; start < count; start += PER_SUPPLIER) {
    const numbers = Array.from({ length: Math.min(PER_SUPPLIER, count - start) }, (_, i) => `44771${String(start + i).padStart(7, '0')}`);
    await p.suppliers.registerNumbers(supplier.id, numbers.map((number) => ({ number, country: 'GB' })));
    await p.suppliers.setOnline(supplier.id, numbers);
  }
  const users = [];
  for (let u = 0; u < ORDER_USERS; u++) {
    const user = await p.users.create({ username: `bench${u}`, balance: BALANCE });
    // What `fastpva admin user limits --max-active-orders 0` does: this customer holds thousands at once.
    await p.users.setLimits(`bench${u}`, { maxActiveOrders: 0 });
    users.push(user);
  }
  const orders: LiveOrder[] = [];
  let next = 0;
  // One taker per user, so the users' orders are taken side by side.
  await Promise.all(
    users.map(async (user) => {
      while (next < count) {
        next++;
        const order = await p.orders.acquire({ userId: user.id, myPid: project.myPid });
        orders.push({ apiKey: user.apiKey, orderId: order.orderId, number: order.number });
      }
    }),
  );
  log(`${count} live orders`);
  return { supplierId: supplier.id, supplierKey: supplier.key, orders };
}

/** Live orders only: what long-poll waiters wait on. */
export function seedLiveOrders(url: string, count: number, log: (line: string) => void): Promise<LiveOrdersSeed> {
  return withPlatform(url, (p) => liveOrders(p, count, log));
}

export interface IngestSeed extends LiveOrdersSeed {
  /** `/ingest/android-sms-gateway/<token>` */
  androidPath: string;
  androidSigningKey: string;
  smpp: { systemId: string; password: string };
}

/**
 * Live orders, plus the supplier's other two doors: an SMS Gateway for Android webhook (as
 * `fastpva admin supplier gateway add --kind android-sms-gateway` makes it) and SMPP credentials with
 * the highest rate a supplier may be given (`fastpva admin supplier smpp --max-per-second`), so that
 * the bench measures the server, not the throttle.
 */
export function seedIngest(url: string, count: number, log: (line: string) => void): Promise<IngestSeed> {
  return withPlatform(url, async (p) => {
    const seed = await liveOrders(p, count, log);
    const androidSigningKey = 'bench-signing-key';
    const gateway = await p.gateways.add({ supplier: SUPPLIER_NAME, kind: 'android-sms-gateway', signingKey: androidSigningKey });
    const account = await p.smpp.configure(SUPPLIER_NAME, { maxPerSecond: MAX_PER_SECOND_LIMIT });
    return { ...seed, androidPath: gateway.path, androidSigningKey, smpp: { systemId: account.systemId, password: account.password! } };
  });
}
