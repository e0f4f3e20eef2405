import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { DialectSupport } from '../dialect.js';
import { Batches } from '../batches.js';
import { prepared } from '../prepared.js';
import type { Database, EndReason, NewOrder, NumberStatus, OrderRow, SmsStatus } from '../schema.js';
import { AccountRepository, orderCap } from './accounts.js';
import { freeNumberArgs, freeNumberQuery, NumberRepository, type FreeNumber, type FreeNumberArgs, type FreeNumberQuery } from './numbers.js';
import { TransferRepository } from './transfers.js';

/** What getCode and codes answer with: the order's latest SMS and the owner's available balance. */
export interface CodeView {
  public_id: string;
  number: string;
  sms_status: SmsStatus;
  code: string | null;
  content: string | null;
  available: number;
}

export interface OrderFilter {
  /** undefined: every user's orders (admins). */
  userId?: number | undefined;
  publicId?: string | undefined;
  number?: string | undefined;
  projectId?: number | undefined;
  createdFrom?: number | undefined;
  createdTo?: number | undefined;
  numberStatus?: NumberStatus | undefined;
  smsStatus?: SmsStatus | undefined;
}

/** What OrderRepository.open needs: the number to look for, what it costs, the hold and the order. */
export interface OrderOpening {
  /** A given number, or a walk over the pool from a random draw that wraps around once. */
  find: FreeNumberQuery;
  /** The price in these countries, and `otherwise` in any other. Cents. */
  prices: ReadonlyMap<string, number>;
  otherwise: number;
  /** Whose balance holds the price, against which live-order cap (0 = none), and the account the hold is for. */
  hold: { userId: number; defaultCap: number; creditAccountId: number };
  order: { publicId: string; projectId: number; expiresAt: number; now: number };
}

export type OrderOpened =
  | { outcome: 'opened'; number: FreeNumber; price: number; orderId: number; available: number }
  /** No free number matched. */
  | { outcome: 'no-number' }
  /** A number was free, but the balance was short of `price` or every live-order slot taken. Nothing was written. */
  | { outcome: 'refused'; price: number }
  /** Another order took the number between finding and claiming it. */
  | { outcome: 'taken' };

/** A page of a list: `offset` rows skipped after the cursor `after` (an order), if any. */
export interface OrderPage {
  offset: number;
  limit: number;
  after?: OrderCursor | undefined;
}

/** Where a page starts: an order's id and creation time. */
export interface OrderCursor {
  id: number;
  createdAt: number;
}

export type OrderListRow = OrderRow & { enname: string; service: string; username: string; supplier: string; operator: string };

/** Narrows a query on `orders as o` (joined or not) to the filter. */
function filtered<Q extends SelectQueryBuilder<any, any, any>>(q: Q, filter: OrderFilter): Q {
  let f = q;
  if (filter.userId !== undefined) f = f.where('o.user_id', '=', filter.userId) as Q;
  if (filter.publicId !== undefined) f = f.where('o.public_id', '=', filter.publicId) as Q;
  if (filter.number !== undefined) f = f.where('o.number', '=', filter.number) as Q;
  if (filter.projectId !== undefined) f = f.where('o.project_id', '=', filter.projectId) as Q;
  if (filter.createdFrom !== undefined) f = f.where('o.created_at', '>=', filter.createdFrom) as Q;
  if (filter.createdTo !== undefined) f = f.where('o.created_at', '<=', filter.createdTo) as Q;
  // A literal (a closed set of words), so that 'receiving' reads the partial index of live orders.
  if (filter.numberStatus !== undefined) f = f.where('o.number_status', '=', sql.lit(filter.numberStatus)) as Q;
  if (filter.smsStatus !== undefined) f = f.where('o.sms_status', '=', filter.smsStatus) as Q;
  return f;
}

const codeViews = (db: Kysely<Database>) =>
  db
    .selectFrom('orders as o')
    .innerJoin('accounts as a', 'a.user_id', 'o.user_id')
    .select(['o.public_id', 'o.number', 'o.sms_status', 'o.code', 'o.content', sql<number>`a.balance - a.held`.as('available')]);

/**
 * Live orders (the number still receiving) by SMS status, how many hold money and how much: a hold
 * is open exactly while its order is live and waiting. Read through the partial index of live
 * orders, so a scrape never reads history; the literal (not a bound parameter) lets both planners
 * match that index's predicate.
 */
export const liveStatsQuery = (db: Kysely<Database>) =>
  db
    .selectFrom('orders')
    .select((eb) => [
      'sms_status',
      eb.fn.countAll<number | string>().as('orders'),
      eb.fn.count<number | string>('hold_id').as('holds'),
      eb.fn.coalesce(eb.fn.sum<number | string>('price'), eb.lit(0)).as('held'),
    ])
    .where('number_status', '=', sql.lit('receiving'))
    .groupBy('sms_status');

const insertQuery = prepared((db, order: NewOrder) => db.insertInto('orders').values(order).returning('id'));

/** getCode's read, on every poll of every customer script. */
const codeViewQuery = prepared((db, publicId: string, userId: number) =>
  codeViews(db).where('o.public_id', '=', publicId).where('o.user_id', '=', userId),
);

const priceOf = (opening: OrderOpening, country: string) => opening.prices.get(country) ?? opening.otherwise;

/** What one order of a batch brings of its own (the rest of its opening is common to the batch). */
interface BatchedOrder {
  k: number;
  user_id: number;
  public_id: string;
  now: number;
  expires_at: number;
}

/**
 * Whole getNumbers on Postgres, a batch of them in one statement (one customer's, or several
 * customers' orders of one project): find and lock up to N free numbers (SKIP LOCKED, walking from the
 * draw, then before it; the k-th order gets the k-th number), lock the customers' accounts and take, for
 * each customer in order, as many orders as the balance and the live-order cap allow (each order's
 * balance_after is what that customer's orders before it left, as if they had run one after another),
 * reserve each customer's sum in one update, record a hold per order, insert the orders, mark the
 * numbers busy. Ids come from the tables' sequences up front so that each order names its hold.
 * Autocommitted: the accounts are locked for this one statement and its flush, whatever N is. Built
 * around the same free-number query as findFree.
 */
function openQueryFor(wanted: boolean) {
  return prepared(
    (
      db,
      ...[projectId0, channelId, userId, restNow, bound, countries, operators, prefixes, priceCountries, priceAmounts, otherwise, defaultCap, creditAccountId, projectId, size, orders]: [
        ...FreeNumberArgs,
        priceCountries: string[],
        priceAmounts: number[],
        otherwise: number,
        defaultCap: number,
        creditAccountId: number,
        projectId: number,
        /** N, a value of its own so that the planner sees it (a LIMIT it cannot see is planned as a tenth of the pool). */
        size: number,
        /** JSON of BatchedOrder[]: one value whatever N is, so N needs no statement of its own. */
        orders: string,
      ]
    ) => {
      // Every value is its own argument, as prepared() binds them (scalars and arrays of scalars).
      const find: FreeNumberArgs = [projectId0, channelId, userId, restNow, bound, countries, operators, prefixes];
      const price = priceCountries.length
        ? sql`case f.country ${sql.join(priceCountries.map((c, i) => sql`when ${c} then ${priceAmounts[i]}::bigint`), sql` `)} else ${otherwise}::bigint end`
        : sql`${otherwise}::bigint`;
      // A number any customer of the batch shielded is passed over for the whole batch (shields are rare).
      const free = (shape: 'number' | 'from-draw' | 'before-draw') => freeNumberQuery(db, shape, true, size, sql<number>`(select user_id from batch)`, ...find);
      // FOR UPDATE may not stand in a UNION arm: each walk is a CTE of its own. A CTE is read only as
      // far as needed, so the walk before the draw runs only when the one from it found too few.
      const found = wanted
        ? sql`found as (select f.*, ${price} as price, row_number() over () as k from (${free('number')}) f)`
        : sql`after_draw as (${free('from-draw')}),
          before_draw as (${free('before-draw')}),
          found as (select f.*, ${price} as price, row_number() over () as k from (select * from after_draw union all select * from before_draw limit ${size}) f)`;
      const statement = sql<{ k: number; id: number | null; number: string; supplier_id: number; country: string; operator: string; price: number; order_id: number | null; available: number | null }>`
        with batch as (
          select * from json_to_recordset(${orders}::json) as o(k bigint, user_id bigint, public_id text, now bigint, expires_at bigint)
        ),
        ${found},
        priced as (
          select found.*, b.user_id, b.public_id, b.now, b.expires_at,
            sum(found.price) over (partition by b.user_id order by found.k) as total,
            row_number() over (partition by b.user_id order by found.k) as nth
          from found join batch b on b.k = found.k
        ),
        account as (
          select a.id, a.user_id, a.balance - a.held as available, a.active_orders, ${orderCap(sql<number>`a.user_id`, defaultCap)} as cap
          from accounts a where a.user_id in (select user_id from batch) order by a.id for update
        ),
        taken as (
          select p.id, p.supplier_id, p.number, p.country, p.price, p.k, p.user_id, p.public_id, p.now, p.expires_at, account.id as account_id,
            (account.available - p.total)::bigint as available,
            nextval(pg_get_serial_sequence('orders', 'id')) as order_id,
            case when p.price > 0 then nextval(pg_get_serial_sequence('transfers', 'id')) end as hold_id
          from priced p join account on account.user_id = p.user_id
          where p.total <= account.available and (account.cap = 0 or account.active_orders + p.nth <= account.cap)
        ),
        reserved as (
          update accounts set held = accounts.held + t.price, active_orders = accounts.active_orders + t.n
          from (select account_id, sum(price)::bigint as price, count(*) as n from taken group by account_id) t
          where accounts.id = t.account_id
        ),
        holds as (
          insert into transfers (id, kind, debit_account_id, credit_account_id, amount, created_at)
          select hold_id, 'hold', account_id, ${creditAccountId}, price, now from taken where hold_id is not null
        ),
        opened as (
          insert into orders (id, public_id, user_id, project_id, number_id, supplier_id, number, country, price, hold_id,
            number_status, sms_status, sms_count, balance_after, expires_at, created_at, updated_at)
          select order_id, public_id, user_id, ${projectId}, id, supplier_id, number, country, price, hold_id,
            'receiving', 'waiting', 0, available, expires_at, now, now
          from taken
        ),
        claimed as (
          update numbers set active_order_id = taken.order_id, updated_at = taken.now from taken where numbers.id = taken.id
        )
        select b.k, f.id, f.number, f.supplier_id, f.country, f.operator, f.price, t.order_id, t.available
        from batch b left join found f on f.k = b.k left join taken t on t.k = b.k
        order by b.k`;
      return { compile: () => statement.compile(db) };
    },
  );
}

const openQueries = { wanted: openQueryFor(true), walk: openQueryFor(false) };

/** Most orders in one statement: a batch holds its customers' account rows for one flush. */
const MAX_BATCH = 64;

/** Per database handle (the pool, or a transaction), the batches of openings waiting or running. */
const openingBatches = new WeakMap<Kysely<Database>, Batches<OrderOpening, OrderOpened>>();

/**
 * Openings that may share a statement: everything but the customer, the order's own id and times and
 * the draw is alike. An order for a given number checks that customer's own past use of it, so those
 * batch per customer.
 */
function batchKey({ find, prices, otherwise, hold, order }: OrderOpening): string {
  return JSON.stringify([find.projectId, find.channelId, find.number, find.number === undefined ? null : find.userId, find.countries, find.operators, find.excludePrefixes, [...prices], otherwise, hold.defaultCap, hold.creditAccountId, order.projectId]);
}

export class OrderRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectSupport,
  ) {}

  /** `order` names every column (one statement shape, compiled once). */
  async insert(order: Required<Omit<NewOrder, 'id'>>): Promise<number> {
    const { rows } = await insertQuery(this.db, this.dialect.name, order);
    return rows[0]!.id;
  }

  /**
   * Opens an order on a free number (DESIGN §3): the number, the hold on the customer's balance and
   * the order, or nothing at all. On Postgres one statement (see openQueryFor) for this opening and
   * those alike (any customer's, see batchKey) that arrive while the previous such statement runs; SQLite,
   * whose writers are serialised anyway, runs the same steps one after another in the caller's transaction.
   */
  async open(opening: OrderOpening): Promise<OrderOpened> {
    if (!freeNumberArgs(opening.find)) return { outcome: 'no-number' };
    if (!this.dialect.rowLocks) return this.openInSteps(opening);
    let batches = openingBatches.get(this.db);
    if (!batches) openingBatches.set(this.db, (batches = new Batches((openings) => this.openBatch(openings), MAX_BATCH)));
    return batches.submit(batchKey(opening), opening);
  }

  /** One statement for openings alike but for their orders' ids and times (see openQueryFor). */
  private async openBatch(openings: OrderOpening[]): Promise<OrderOpened[]> {
    const { find, prices, otherwise, hold, order } = openings[0]!;
    // The walk starts at the first order's draw; resting is judged at the latest order's moment.
    const args = freeNumberArgs({ ...find, now: openings.at(-1)!.find.now })!;
    const batch: BatchedOrder[] = openings.map((o, i) => ({ k: i + 1, user_id: o.hold.userId, public_id: o.order.publicId, now: o.order.now, expires_at: o.order.expiresAt }));
    const run = find.number !== undefined ? openQueries.wanted : openQueries.walk;
    const { rows } = await run(this.db, this.dialect.name, ...args, [...prices.keys()], [...prices.values()], otherwise, hold.defaultCap, hold.creditAccountId, order.projectId, batch.length, JSON.stringify(batch));
    return rows.map((row): OrderOpened => {
      if (row.id === null) return { outcome: 'no-number' };
      if (row.order_id === null || row.available === null) return { outcome: 'refused', price: row.price };
      const { id, number, supplier_id, country, operator, price, available, order_id } = row;
      return { outcome: 'opened', number: { id, number, supplier_id, country, operator }, price, orderId: order_id, available };
    });
  }

  private async openInSteps(opening: OrderOpening): Promise<OrderOpened> {
    const numbers = new NumberRepository(this.db, this.dialect);
    const { find } = opening;
    const found = (await numbers.findFree(find, 'from-draw')) ?? (find.number === undefined ? await numbers.findFree(find, 'before-draw') : undefined);
    if (!found) return { outcome: 'no-number' };
    return this.openOn(found, priceOf(opening, found.country), opening);
  }

  /**
   * Opens an order on a number already found (by the steps above, or just bought from a remote
   * supplier): the hold, the order and the number's claim, in the caller's transaction, or nothing.
   */
  async openOn(found: FreeNumber, price: number, { hold, order }: Pick<OrderOpening, 'hold' | 'order'>): Promise<OrderOpened> {
    const numbers = new NumberRepository(this.db, this.dialect);
    const account = await new AccountRepository(this.db, this.dialect).openOrder(hold.userId, price, hold.defaultCap);
    if (!account) return { outcome: 'refused', price };
    const holdId =
      price === 0
        ? null
        : await new TransferRepository(this.db, this.dialect).insert({
            kind: 'hold',
            debit_account_id: account.id,
            credit_account_id: hold.creditAccountId,
            amount: price,
            created_at: order.now,
          });
    const orderId = await this.insert({
      public_id: order.publicId,
      user_id: hold.userId,
      project_id: order.projectId,
      number_id: found.id,
      supplier_id: found.supplier_id,
      number: found.number,
      country: found.country,
      price,
      hold_id: holdId,
      number_status: 'receiving',
      sms_status: 'waiting',
      code: null,
      content: null,
      sms_count: 0,
      retry_at: null,
      end_reason: null,
      balance_after: account.available,
      expires_at: order.expiresAt,
      ended_at: null,
      created_at: order.now,
      updated_at: order.now,
    });
    if (!(await numbers.claim(found.id, orderId, order.now))) return { outcome: 'taken' };
    return { outcome: 'opened', number: found, price, orderId, available: account.available };
  }

  async codeView(userId: number, publicId: string): Promise<CodeView | undefined> {
    return (await codeViewQuery(this.db, this.dialect.name, publicId, userId)).rows[0];
  }

  codeViewsOf(userId: number, publicIds: string[]): Promise<CodeView[]> {
    return codeViews(this.db).where('o.public_id', 'in', publicIds).where('o.user_id', '=', userId).execute();
  }

  /**
   * Reads the order for a change; on Postgres the row stays locked until the transaction ends. A
   * customer names an order by its public id or, on the SMS-Activate and 5SIM surfaces, its id.
   */
  lock(by: { id: number; userId?: number } | { userId: number; publicId: string }): Promise<OrderRow | undefined> {
    let q = this.db.selectFrom('orders').selectAll();
    q = 'publicId' in by ? q.where('public_id', '=', by.publicId) : q.where('id', '=', by.id);
    if (by.userId !== undefined) q = q.where('user_id', '=', by.userId);
    if (this.dialect.rowLocks) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  /** One order of a user with its project, by public id or id, without locking it. */
  find(userId: number, by: { id: number } | { publicId: string }): Promise<OrderListRow | undefined> {
    const q = this.listed().where('o.user_id', '=', userId);
    return ('id' in by ? q.where('o.id', '=', by.id) : q.where('o.public_id', '=', by.publicId)).executeTakeFirst();
  }

  /** A user's live orders, newest first (through the partial index of live orders per user). */
  live(userId: number): Promise<OrderListRow[]> {
    return this.listed().where('o.user_id', '=', userId).where('o.number_status', '=', 'receiving').orderBy('o.id', 'desc').execute();
  }

  /** What a long-poll needs to know of the user's orders, named by id or public id. */
  waitStates(userId: number, by: { ids: number[]; publicIds: string[] }): Promise<Pick<OrderRow, 'number_status' | 'sms_status' | 'retry_at'>[]> {
    return this.db
      .selectFrom('orders')
      .select(['number_status', 'sms_status', 'retry_at'])
      .where('user_id', '=', userId)
      .where((eb) => eb.or([...(by.ids.length ? [eb('id', 'in', by.ids)] : []), ...(by.publicIds.length ? [eb('public_id', 'in', by.publicIds)] : [])]))
      .execute();
  }

  async retryFrom(id: number, now: number): Promise<void> {
    await this.db.updateTable('orders').set({ retry_at: now, updated_at: now }).where('id', '=', id).execute();
  }

  async publicIdOf(id: number): Promise<string | undefined> {
    const row = await this.db.selectFrom('orders').select('public_id').where('id', '=', id).executeTakeFirst();
    return row?.public_id;
  }

  async recordSms(id: number, sms: { code: string; content: string; balanceAfter: number; now: number }): Promise<void> {
    await this.db
      .updateTable('orders')
      .set((eb) => ({
        sms_status: 'received',
        code: sms.code,
        content: sms.content,
        sms_count: eb('sms_count', '+', 1),
        // The SMS asked for with "another SMS" has come.
        retry_at: null,
        balance_after: sms.balanceAfter,
        updated_at: sms.now,
      }))
      .where('id', '=', id)
      .execute();
  }

  async end(id: number, change: { smsStatus: SmsStatus; reason: EndReason; balanceAfter: number; now: number }): Promise<void> {
    await this.db
      .updateTable('orders')
      .set({
        number_status: 'released',
        sms_status: change.smsStatus,
        end_reason: change.reason,
        balance_after: change.balanceAfter,
        ended_at: change.now,
        updated_at: change.now,
      })
      .where('id', '=', id)
      .execute();
  }

  async dueForExpiry(now: number, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('orders')
      .select('id')
      .where('number_status', '=', 'receiving')
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * Newest first unless `direction` says 'asc' (5SIM's order history without `reverse`). The page's
   * ids come from the filter's index alone, and only they are joined to their names: skipping rows
   * (`offset`) reads index entries, never whole rows, and a cursor (`after`) skips nothing at all.
   * A time window is read in creation order through its own index (orders_user_time), so a wide
   * window is not sorted whole and a narrow one far back is not searched for from the newest order;
   * ids follow creation time, so both orders agree but for orders taken in the same instant.
   */
  async list(filter: OrderFilter, page: OrderPage, direction: 'asc' | 'desc' = 'desc'): Promise<{ count: number; rows: OrderListRow[] }> {
    const byTime = filter.createdFrom !== undefined || filter.createdTo !== undefined;
    let ids = filtered(this.db.selectFrom('orders as o'), filter).select('o.id');
    const { after } = page;
    if (after !== undefined) {
      const past = direction === 'desc' ? '<' : '>';
      ids = byTime ? ids.where((eb) => eb(eb.refTuple('o.created_at', 'o.id'), past, eb.tuple(after.createdAt, after.id))) : ids.where('o.id', past, after.id);
    }
    const ordered = <Q extends SelectQueryBuilder<any, 'o', any>>(q: Q): Q => (byTime ? q.orderBy('o.created_at', direction) : q).orderBy('o.id', direction) as Q;
    const [count, rows] = await Promise.all([
      this.count(filter),
      ordered(this.listed().where('o.id', 'in', ordered(ids).offset(page.offset).limit(page.limit))).execute(),
    ]);
    return { count, rows };
  }

  /**
   * How many orders match. Unfiltered, it is the owners' counters (accounts.orders_taken, kept by a
   * trigger), so a million-order history is not counted on every page; a filter counts its index range.
   */
  private async count(filter: OrderFilter): Promise<number> {
    const narrowed = Object.entries(filter).some(([key, value]) => key !== 'userId' && value !== undefined);
    if (narrowed) {
      const total = await filtered(this.db.selectFrom('orders as o'), filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(total.n);
    }
    const taken = this.db.selectFrom('accounts').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('orders_taken'), sql.lit(0)).as('n'));
    const total = await (filter.userId === undefined ? taken.where('user_id', 'is not', null) : taken.where('user_id', '=', filter.userId)).executeTakeFirstOrThrow();
    return Number(total.n);
  }

  /** Where a page after this order (of this user, when given) starts. */
  async cursorAt(publicId: string, userId?: number): Promise<OrderCursor | undefined> {
    let q = this.db.selectFrom('orders').select(['id', 'created_at']).where('public_id', '=', publicId);
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    const row = await q.executeTakeFirst();
    return row && { id: row.id, createdAt: row.created_at };
  }

  /** The user's latest order on this number for a project of this service (5SIM reuse). */
  lastOnNumber(userId: number, number: string, service: string): Promise<OrderListRow | undefined> {
    return this.listed().where('o.user_id', '=', userId).where('o.number', '=', number).where('p.service', '=', service).orderBy('o.id', 'desc').limit(1).executeTakeFirst();
  }

  /** Orders with their project, customer and supplier names. */
  private listed() {
    return this.db
      .selectFrom('orders as o')
      .innerJoin('projects as p', 'p.id', 'o.project_id')
      .innerJoin('users as u', 'u.id', 'o.user_id')
      .innerJoin('suppliers as s', 's.id', 'o.supplier_id')
      .innerJoin('numbers as n', 'n.id', 'o.number_id')
      .selectAll('o')
      .select(['p.enname', 'p.service', 'u.username', 's.name as supplier', 'n.operator']);
  }


  /** Live orders per user (read through the partial index on live orders, not the whole history). */
  async liveByUser(): Promise<Map<number, number>> {
    const rows = await this.db
      .selectFrom('orders')
      .select(['user_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('number_status', '=', 'receiving')
      .groupBy('user_id')
      .execute();
    return new Map(rows.map((r) => [r.user_id, Number(r.n)]));
  }

  /** Every order per user (the ledger audit's check of accounts.orders_taken; reads the whole history). */
  async takenByUser(): Promise<Map<number, number>> {
    const rows = await this.db.selectFrom('orders').select(['user_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('user_id').execute();
    return new Map(rows.map((r) => [r.user_id, Number(r.n)]));
  }

  /** Live orders by SMS status, with their holds (see liveStatsQuery). */
  async liveStats(): Promise<{ sms_status: SmsStatus; orders: number; holds: number; held: number }[]> {
    const rows = await liveStatsQuery(this.db).execute();
    return rows.map((r) => ({ sms_status: r.sms_status, orders: Number(r.orders), holds: Number(r.holds), held: Number(r.held) }));
  }
}
