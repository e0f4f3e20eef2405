// Order history by page and by the `after=` cursor (our extension), on SQLite and Postgres: the cursor
// walks every order once, newest first, with and without filters; page/limit answer as before; the
// count comes from the account's counter when unfiltered and stays exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hereJson } from './helpers/cli.js';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, seedUserAndSupplier, type Seeded, type TestPlatform } from './helpers/platform.js';
import { WebClient } from './helpers/web.js';

interface Item {
  _id: string;
  number: string;
  numberStatus: string;
  smsStatus: string;
  createdAt: string;
}

const NUMBERS = 4;
const PROJECTS = 6;
const PASSWORD = 'correct horse battery';

describe.each(DIALECTS)('order history paging on %s', (dialect) => {
  let t: TestPlatform;
  let alice: Seeded;
  let bob: Seeded;
  /** Every order of alice's, newest first, as one page of 100 shows them. */
  let all: Item[];

  const orders = async (apiKey: string, query: string): Promise<{ code: number; data: any }> => {
    const response = await t.app.inject({ method: 'GET', url: `/pvapublic/sms/orders?apikey=${apiKey}&${query}` });
    return response.json();
  };
  const page = async (query: string): Promise<{ count: number; orders: Item[] }> => {
    const body = await orders(alice.apiKey, query);
    expect(body.code).toBe(1);
    return body.data;
  };
  /** Every page by the cursor, `limit` at a time, from the first; each page's count with it. */
  const walk = async (filter: string, limit: number): Promise<{ items: Item[]; counts: Set<number> }> => {
    const items: Item[] = [];
    const counts = new Set<number>();
    for (let after = ''; ; ) {
      const { count, orders: rows } = await page(`page=1&limit=${limit}${filter}${after ? `&after=${after}` : ''}`);
      counts.add(count);
      items.push(...rows);
      if (rows.length < limit) return { items, counts };
      after = rows.at(-1)!._id;
    }
  };

  beforeAll(async () => {
    t = await createTestPlatform(dialect);
    const p = t.platform;
    // Alice signs in to the web app too, so she is made with a password.
    const user = await p.users.create({ username: 'alice', password: PASSWORD, balance: 100_000 });
    const sims = await seedUserAndSupplier(p, { username: 'carol', supplier: 'sims', count: NUMBERS, prefix: '4477301' });
    alice = { ...sims, apiKey: user.apiKey, userId: user.id };
    bob = await seedUserAndSupplier(p, { username: 'bob', supplier: 'more sims', balance: 100_000, count: 2, prefix: '4477302' });
    // Each number serves each project once: 24 orders of alice's, every third with its SMS, a minute apart.
    let sms = 0;
    for (let j = 0; j < PROJECTS; j++) {
      const project = await p.catalog.createProject({ enname: `Service${j}`, price: 10 });
      for (let n = 0; n < NUMBERS; n++) {
        const order = await p.orders.acquire({ userId: alice.userId, myPid: project.myPid, number: alice.numbers[n] });
        if (++sms % 3 === 0) {
          await p.inboundSms.receive({ source: 'supplier-push', sourceKey: `m${sms}`, supplierId: alice.supplierId, receiver: order.number, sender: `Service${j}`, text: `Service${j} code 1234${sms % 10}`, receivedAt: t.clock.now() });
        }
        t.clock.advance(60_000);
        await p.orders.release(alice.userId, order.orderId);
      }
      if (j < 2) await p.orders.acquire({ userId: bob.userId, myPid: project.myPid, number: bob.numbers[j] });
    }
    // Two still live, waiting for their SMS.
    const last = await p.catalog.createProject({ enname: 'Live', price: 10 });
    for (let n = 0; n < 2; n++) await p.orders.acquire({ userId: alice.userId, myPid: last.myPid, number: alice.numbers[n] });
    all = (await page('page=1&limit=100')).orders;
  });
  afterAll(async () => t?.close());

  it('counts every order, unfiltered from the counter kept as orders are taken', async () => {
    expect(all).toHaveLength(NUMBERS * PROJECTS + 2);
    expect((await page('page=1&limit=1')).count).toBe(all.length);
    expect((await orders(bob.apiKey, 'page=1&limit=1')).data.count).toBe(2);
    // The audit counts every customer's orders and compares them with the counters.
    await expectLedgerConsistent(t.platform);
    const audit = await t.platform.ledger.audit(t.store);
    expect(audit.accounts.find((a) => a.ordersTaken === all.length)?.derivedOrdersTaken).toBe(all.length);
    // Newest first, as ObjectIds sort.
    expect(all.map((o) => o._id)).toEqual(all.map((o) => o._id).sort().reverse());
  });

  it('pages by page and limit as before: every order once, in order, the same count on each page', async () => {
    const seen: Item[] = [];
    for (let n = 1; ; n++) {
      const { count, orders: rows } = await page(`page=${n}&limit=7`);
      expect(count).toBe(all.length);
      seen.push(...rows);
      if (rows.length < 7) break;
    }
    expect(seen).toEqual(all);
  });

  it('walks every order once by the cursor, newest first', async () => {
    for (const limit of [1, 5, 26, 100]) {
      const { items, counts } = await walk('', limit);
      expect(items).toEqual(all);
      expect([...counts]).toEqual([all.length]);
    }
  });

  it('walks a filtered history by the cursor: the same orders as the filter by page, and the right ones', async () => {
    const from = new Date(all[20]!.createdAt);
    const to = new Date(all[5]!.createdAt);
    const filters: Array<[string, (o: Item) => boolean]> = [
      ['&smsStatus=received', (o) => o.smsStatus === 'received'],
      ['&smsStatus=waiting', (o) => o.smsStatus === 'waiting'],
      ['&numberStatus=receiving', (o) => o.numberStatus === 'receiving'],
      [`&number=${alice.numbers[1]}`, (o) => o.number === alice.numbers[1]],
      [`&startTime=${from.toISOString()}&endTime=${to.toISOString()}`, (o) => new Date(o.createdAt) >= from && new Date(o.createdAt) <= to],
      [`&smsStatus=failed&number=${alice.numbers[2]}`, (o) => o.smsStatus === 'failed' && o.number === alice.numbers[2]],
      // The two live orders were taken in the same instant: the cursor tells them apart by id.
      [`&startTime=${all[3]!.createdAt}`, (o) => o.createdAt >= all[3]!.createdAt],
    ];
    expect(all[0]!.createdAt).toBe(all[1]!.createdAt);
    for (const [filter, keep] of filters) {
      const expected = all.filter(keep);
      expect(expected.length).toBeGreaterThan(0);
      for (const limit of [1, 2]) expect((await walk(filter, limit)).items, filter).toEqual(expected);
      const { items, counts } = await walk(filter, 2);
      expect(items, filter).toEqual(expected);
      expect([...counts], filter).toEqual([expected.length]);
      expect((await page(`page=1&limit=100${filter}`)).orders, filter).toEqual(expected);
    }
  });

  it('counts page from the cursor, and refuses a cursor that names no order of yours', async () => {
    const cursor = all[3]!._id;
    expect((await page(`page=2&limit=4&after=${cursor}`)).orders).toEqual(all.slice(8, 12));
    const bobs = (await orders(bob.apiKey, 'page=1&limit=10')).data.orders as Item[];
    for (const after of [bobs[0]!._id, 'ffffffffffffffffffffffff', 'nonsense']) {
      expect(await orders(alice.apiKey, `page=1&limit=10&after=${after}`)).toEqual({ code: -1, data: `after: no order ${after}` });
    }
  });

  it('pages the web history and the admin list by the cursor', async () => {
    const p = t.platform;
    await p.users.create({ username: 'root', password: PASSWORD, role: 'admin' });
    const web = new WebClient(t.app);
    await web.signIn('alice', PASSWORD);
    const mine: string[] = [];
    for (let after = ''; ; ) {
      const { count, orders: rows } = await web.ok<{ count: number; orders: { orderId: string }[] }>('GET', `/orders?limit=5${after ? `&after=${after}` : ''}`);
      expect(count).toBe(all.length);
      mine.push(...rows.map((o) => o.orderId));
      if (rows.length < 5) break;
      after = rows.at(-1)!.orderId;
    }
    expect(mine).toEqual(all.map((o) => o._id));

    const admin = new WebClient(t.app);
    await admin.signIn('root', PASSWORD);
    const first = await admin.ok<{ count: number; orders: { orderId: string }[] }>('GET', '/admin/orders?limit=100');
    expect(first.count).toBe(all.length + 2);
    const everyone: string[] = [];
    for (let after = ''; ; ) {
      const { count, orders: rows } = await admin.ok<{ count: number; orders: { orderId: string }[] }>('GET', `/admin/orders?limit=3${after ? `&after=${after}` : ''}`);
      expect(count).toBe(all.length + 2);
      everyone.push(...rows.map((o) => o.orderId));
      if (rows.length < 3) break;
      after = rows.at(-1)!.orderId;
    }
    expect(everyone).toEqual(first.orders.map((o) => o.orderId));
    const received = await admin.ok<{ count: number; orders: { orderId: string }[] }>('GET', `/admin/orders?limit=100&status=received&user=alice&after=${all[0]!._id}`);
    expect(received.orders.map((o) => o.orderId)).toEqual(all.slice(1).filter((o) => o.smsStatus === 'received').map((o) => o._id));
    expect(received.count).toBe(all.filter((o) => o.smsStatus === 'received').length);
  });

  it('pages `fastpva admin order list` by --after', async () => {
    const list = (...args: string[]) => hereJson<{ count: number; orders: { orderId: string }[] }>(['admin', 'order', 'list', '--user', 'alice', ...args, '--db', t.database.url]);
    const next = await list('--limit', '4', '--after', all[9]!._id);
    expect(next.orders.map((o) => o.orderId)).toEqual(all.slice(10, 14).map((o) => o._id));
    expect(next.count).toBe(all.length);
  });
});
