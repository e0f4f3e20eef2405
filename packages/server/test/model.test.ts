// Model-based property test: random sequences of acquire / SMS / release / shield / expire /
// recharge / adjust / payout / clock moves, run against the real domain on a real database and, after
// every step, compared with a small in-memory model: balances, holds, order states, one active order
// per number, every hold resolved once, money conserved (ledger audit), the active-order cap, shields
// per user with a quorum, the limit on open recharge orders, and numbers resting after orders in a
// row without an SMS.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError, type DomainErrorCode } from '../src/domain/errors.js';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, type TestPlatform } from './helpers/platform.js';

const TTL = 15 * 60_000;
const RELEASE_AFTER = 10_000;
const PRICES = [5, 9, 0];
const NUMBERS = 4;
const USERS = 3;
/** Small enough that random sequences reach them. */
const CAP = 2;
const QUORUM = 2;
const OPEN_RECHARGES = 2;
const RECHARGE_TTL = 60 * 60_000;
const REST_AFTER = 2;
const REST_MS = 30 * 60_000;

interface ModelOrder {
  id: string;
  user: number;
  project: number;
  number: number;
  price: number;
  sms: boolean;
  active: boolean;
  createdAt: number;
  expiresAt: number;
}

interface Model {
  users: { posted: number; held: number }[];
  /** The supplier's balance: its shares less its payouts. */
  supplierShare: number;
  /** Per number: orders in a row that ended without an SMS, and until when it rests (0: not resting). */
  failures: number[];
  restedUntil: number[];
  orders: ModelOrder[];
  used: Set<string>;
  /** "number:project" -> users who shielded it. */
  shields: Map<string, Set<number>>;
  blacklisted: Set<string>;
  /** Unpaid recharge orders and when they expire. */
  unpaidRecharges: { user: number; expiresAt: number }[];
}

interface Real {
  t: TestPlatform;
  userIds: number[];
  usernames: string[];
  supplierId: number;
  supplierName: string;
  supplierAccount: number;
  numbers: string[];
  projects: number[];
}

let smsCounter = 0;

async function expectRefusal(promise: Promise<unknown>, code: DomainErrorCode): Promise<void> {
  await expect(promise).rejects.toSatisfy((e: unknown) => isDomainError(e, code));
}

/** Everything the model says must be true of the database right now. */
async function checkAgainstModel(m: Model, r: Real): Promise<void> {
  const p = r.t.platform;
  for (const [i, userId] of r.userIds.entries()) {
    const expected = m.users[i]!;
    expect((await p.users.info(userId)).balance, `user ${i} available`).toBe(expected.posted - expected.held);
    const listed = (await p.orders.list(userId, { page: 1, limit: 100 })).orders;
    const mine = m.orders.filter((o) => o.user === i);
    expect(listed.length).toBe(mine.length);
    for (const o of mine) {
      const row = listed.find((l) => l.orderId === o.id);
      expect(row, `order ${o.id}`).toBeDefined();
      expect(row!.numberStatus).toBe(o.active ? 'receiving' : 'released');
      expect(row!.smsStatus).toBe(o.sms ? 'received' : o.active ? 'waiting' : 'failed');
    }
  }
  for (let n = 0; n < NUMBERS; n++) {
    const active = m.orders.filter((o) => o.number === n && o.active);
    expect(active.length).toBeLessThanOrEqual(1);
    const row = await p.store.read.numbers.findByNumber(r.numbers[n]!);
    const expectedOrder = active[0] ? await p.store.read.orders.lock({ userId: r.userIds[active[0].user]!, publicId: active[0].id }) : undefined;
    expect(row!.active_order_id).toBe(expectedOrder?.id ?? null);
    expect({ failures: row!.consecutive_failures, restedUntil: row!.rested_until ?? 0 }, `number ${n} health`).toEqual({
      failures: m.failures[n],
      restedUntil: m.restedUntil[n],
    });
  }
  expect((await p.store.read.accounts.findById(r.supplierAccount))!.balance).toBe(m.supplierShare);
  await expectLedgerConsistent(p);
}

class Acquire implements fc.AsyncCommand<Model, Real> {
  constructor(readonly user: number, readonly project: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const now = r.t.clock.now();
    const free = [...Array(NUMBERS).keys()].filter(
      (n) =>
        !m.orders.some((o) => o.number === n && o.active) &&
        !m.used.has(`${n}:${this.project}`) &&
        !m.blacklisted.has(`${n}:${this.project}`) &&
        !m.shields.get(`${n}:${this.project}`)?.has(this.user) &&
        m.restedUntil[n]! <= now,
    );
    const price = PRICES[this.project]!;
    const account = m.users[this.user]!;
    const request = r.t.platform.orders.acquire({ userId: r.userIds[this.user]!, myPid: r.projects[this.project]! });
    if (free.length === 0) return expectRefusal(request, 'NO_NUMBERS');
    if (m.orders.filter((o) => o.user === this.user && o.active).length >= CAP) return expectRefusal(request, 'TOO_MANY_ACTIVE_ORDERS');
    if (account.posted - account.held < price) return expectRefusal(request, 'INSUFFICIENT_BALANCE');
    const order = await request;
    const number = r.numbers.indexOf(order.number);
    expect(free).toContain(number);
    account.held += price;
    m.orders.push({ id: order.orderId, user: this.user, project: this.project, number, price, sms: false, active: true, createdAt: now, expiresAt: now + TTL });
    await checkAgainstModel(m, r);
  }
  toString = () => `acquire(user ${this.user}, project ${this.project})`;
}

class Sms implements fc.AsyncCommand<Model, Real> {
  constructor(readonly number: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const now = r.t.clock.now();
    const order = m.orders.find((o) => o.number === this.number && o.active && o.expiresAt > now);
    const result = await r.t.platform.inboundSms.receive({
      source: 'model',
      sourceKey: String(++smsCounter),
      supplierId: r.supplierId,
      receiver: r.numbers[this.number]!,
      sender: 'Service',
      text: `Your code is ${100000 + smsCounter}`,
      receivedAt: now,
    });
    expect(result.orderId).toBe(order?.id ?? null);
    if (order && !order.sms) {
      order.sms = true;
      const account = m.users[order.user]!;
      account.held -= order.price;
      account.posted -= order.price;
      m.supplierShare += Math.floor((order.price * 7000) / 10_000);
      m.used.add(`${order.number}:${order.project}`);
      m.failures[order.number] = 0;
    }
    await checkAgainstModel(m, r);
  }
  toString = () => `sms(number ${this.number})`;
}

/** Release or shield the k-th order (modulo how many there are). */
class End implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number, readonly shield: boolean) {}
  check = (m: Readonly<Model>) => m.orders.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const order = m.orders[this.pick % m.orders.length]!;
    const now = r.t.clock.now();
    const userId = r.userIds[order.user]!;
    const call = () => (this.shield ? r.t.platform.orders.shield(userId, order.id) : r.t.platform.orders.release(userId, order.id));
    if (order.active && now < order.createdAt + RELEASE_AFTER) return expectRefusal(call(), 'RELEASE_TOO_EARLY');
    const refunded = order.active && !order.sms && order.price > 0;
    expect(await call()).toEqual({ refunded });
    if (order.active && !order.sms) {
      m.users[order.user]!.held -= order.price;
      failedOn(m, order.number, now);
    }
    order.active = false;
    if (this.shield) {
      const key = `${order.number}:${order.project}`;
      const shields = m.shields.get(key) ?? new Set<number>();
      m.shields.set(key, shields.add(order.user));
      if (shields.size >= QUORUM) m.blacklisted.add(key);
    }
    await checkAgainstModel(m, r);
  }
  toString = () => `${this.shield ? 'shield' : 'release'}(#${this.pick})`;
}

/** An order on the number ended without an SMS: one more in a row, and a rest once there are enough. */
function failedOn(m: Model, number: number, now: number): void {
  m.failures[number]! += 1;
  if (m.failures[number]! >= REST_AFTER) m.restedUntil[number] = now + REST_MS;
}

class Advance implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    r.t.clock.advance(this.ms);
    await checkAgainstModel(m, r);
  }
  toString = () => `advance(${this.ms}ms)`;
}

class Expire implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const now = r.t.clock.now();
    await r.t.platform.orders.expireDue(10_000);
    for (const o of m.orders.filter((o) => o.active && o.expiresAt <= now)) {
      if (!o.sms) {
        m.users[o.user]!.held -= o.price;
        failedOn(m, o.number, now);
      }
      o.active = false;
    }
    await checkAgainstModel(m, r);
  }
  toString = () => 'expire()';
}

/** Opens a recharge order and pays it at once, or leaves it unpaid (it then counts until it expires). */
class Recharge implements fc.AsyncCommand<Model, Real> {
  constructor(readonly user: number, readonly amount: number, readonly pay: boolean) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const p = r.t.platform;
    const now = r.t.clock.now();
    const request = p.recharges.open(r.userIds[this.user]!, this.amount, 'manual');
    if (m.unpaidRecharges.filter((x) => x.user === this.user && x.expiresAt > now).length >= OPEN_RECHARGES) {
      return expectRefusal(request, 'TOO_MANY_OPEN_RECHARGES');
    }
    const recharge = await request;
    if (this.pay) {
      await p.recharges.markPaid(recharge.rechargeId);
      m.users[this.user]!.posted += this.amount;
    } else {
      m.unpaidRecharges.push({ user: this.user, expiresAt: now + RECHARGE_TTL });
    }
    await checkAgainstModel(m, r);
  }
  toString = () => `recharge(user ${this.user}, ${this.amount}${this.pay ? '' : ', unpaid'})`;
}

class Adjust implements fc.AsyncCommand<Model, Real> {
  constructor(readonly user: number, readonly amount: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const account = m.users[this.user]!;
    const request = r.t.platform.users.adjustBalance(r.usernames[this.user]!, this.amount, 'model');
    if (this.amount < 0 && account.posted - account.held < -this.amount) return expectRefusal(request, 'INSUFFICIENT_BALANCE');
    expect(await request).toBe(account.posted - account.held + this.amount);
    account.posted += this.amount;
    await checkAgainstModel(m, r);
  }
  toString = () => `adjust(user ${this.user}, ${this.amount})`;
}

/** Money paid to the supplier: at most what it is owed. */
class Payout implements fc.AsyncCommand<Model, Real> {
  constructor(readonly amount: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const request = r.t.platform.suppliers.payout({ id: null, name: 'model' }, { supplier: r.supplierName, amount: this.amount });
    if (this.amount > m.supplierShare) return expectRefusal(request, 'INSUFFICIENT_BALANCE');
    expect((await request).balance).toBe(m.supplierShare - this.amount);
    m.supplierShare -= this.amount;
    await checkAgainstModel(m, r);
  }
  toString = () => `payout(${this.amount})`;
}

const commands = [
  fc.tuple(fc.nat(USERS - 1), fc.nat(PRICES.length - 1)).map(([u, p]) => new Acquire(u, p)),
  fc.nat(NUMBERS - 1).map((n) => new Sms(n)),
  fc.tuple(fc.nat(50), fc.boolean()).map(([k, shield]) => new End(k, shield)),
  fc.constantFrom(1_000, 5_000, 11_000, 60_000, TTL, RECHARGE_TTL).map((ms) => new Advance(ms)),
  fc.constant(new Expire()),
  fc.tuple(fc.nat(USERS - 1), fc.integer({ min: 1, max: 30 }), fc.boolean()).map(([u, a, pay]) => new Recharge(u, a, pay)),
  fc.tuple(fc.nat(USERS - 1), fc.integer({ min: -30, max: 30 }).filter((a) => a !== 0)).map(([u, a]) => new Adjust(u, a)),
  fc.integer({ min: 1, max: 8 }).map((a) => new Payout(a)),
];

describe.each(DIALECTS)('the domain against its model on %s', (dialect) => {
  let t: TestPlatform;
  let run = 0;
  beforeAll(async () => {
    t = await createTestPlatform(dialect, {
      orderTtlMs: TTL,
      releaseAfterMs: RELEASE_AFTER,
      maxActiveOrders: CAP,
      shieldQuorum: QUORUM,
      maxOpenRecharges: OPEN_RECHARGES,
      rechargeTtlMs: RECHARGE_TTL,
      restAfterFailures: REST_AFTER,
      restMs: REST_MS,
    });
  });
  afterAll(async () => t?.close());

  /** Each run gets its own users, supplier, channel, numbers and projects in the shared database. */
  async function setup(): Promise<{ model: Model; real: Real }> {
    const p = t.platform;
    const r = ++run;
    const usernames = [...Array(USERS)].map((_, i) => `run${r}user${i}`);
    const userIds = [];
    for (const username of usernames) userIds.push((await p.users.create({ username, balance: 20 })).id);
    // A channel of its own: every supplier on a channel feeds one pool.
    const channel = 100 + r;
    const supplier = await p.suppliers.create({ name: `run${r}supplier`, channels: [channel] });
    const numbers = [...Array(NUMBERS)].map((_, i) => `4477${String(r).padStart(5, '0')}${i}`);
    await p.suppliers.registerNumbers(supplier.id, numbers.map((number) => ({ number, country: 'GB' })));
    await p.suppliers.setOnline(supplier.id, numbers);
    const projects = [];
    for (const [i, price] of PRICES.entries()) projects.push((await p.catalog.createProject({ enname: `run${r}project${i}`, price, channel })).myPid);
    const payee = await p.store.read.suppliers.payee(supplier.id);
    return {
      model: {
        users: userIds.map(() => ({ posted: 20, held: 0 })),
        supplierShare: 0,
        failures: numbers.map(() => 0),
        restedUntil: numbers.map(() => 0),
        orders: [],
        used: new Set(),
        shields: new Map(),
        blacklisted: new Set(),
        unpaidRecharges: [],
      },
      real: { t, userIds, usernames, supplierId: supplier.id, supplierName: supplier.name, supplierAccount: payee!.accountId, numbers, projects },
    };
  }

  it('keeps every invariant through random command sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: 'large' }), (sequence) => fc.asyncModelRun(setup, sequence)),
      { numRuns: dialect === 'sqlite' ? 60 : 20 },
    );
  }, 300_000);
});
