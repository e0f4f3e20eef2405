import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { DialectSupport } from '../dialect.js';
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

/**
 * A whole getNumber on Postgres in one statement: find and lock a free number (SKIP LOCKED, walking
 * from the draw, then before it), take a live-order slot and reserve the price on the account, record
 * the hold, insert the order, mark the number busy. Autocommitted, it holds the account row only while
 * the statement runs (a round trip per step inside a transaction held it for four, and serialised one
 * busy customer's orders at 180-270/s). Built around the same free-number query as findFree.
 */
function openQueryFor(wanted: boolean) {
  return prepared(
    (
      db,
      ...[projectId0, channelId, userId0, restNow, bound, countries, operators, prefixes, priceCountries, priceAmounts, otherwise, userId, defaultCap, creditAccountId, publicId, projectId, expiresAt, now]: [
        ...FreeNumberArgs,
        priceCountries: string[],
        priceAmounts: number[],
        otherwise: number,
        userId: number,
        defaultCap: number,
        creditAccountId: number,
        publicId: string,
        projectId: number,
        expiresAt: number,
        now: number,
      ]
    ) => {
      // Every value is its own argument, as prepared() binds them (scalars and arrays of scalars).
      const find: FreeNumberArgs = [projectId0, channelId, userId0, restNow, bound, countries, operators, prefixes];
      const free = (shape: 'number' | 'from-draw' | 'before-draw') => freeNumberQuery(db, shape, true, ...find);
      const price = priceCountries.length
        ? sql`case f.country ${sql.join(priceCountries.map((c, i) => sql`when ${c} then ${priceAmounts[i]}::bigint`), sql` `)} else ${otherwise}::bigint end`
        : sql`${otherwise}::bigint`;
      const cap = orderCap(userId, defaultCap);
      const found = wanted
        ? sql`found as (select f.*, ${price} as price from (${free('number')}) f)`
        : sql`after_draw as (${free('from-draw')}),
          before_draw as (${free('before-draw').where(sql<boolean>`not exists (select 1 from after_draw)`)}),
          found as (select f.*, ${price} as price from (select * from after_draw union all select * from before_draw) f)`;
      const statement = sql<{ id: number; number: string; supplier_id: number; country: string; operator: string; price: number; available: number | null; order_id: number | null }>`
        with ${found},
        account as (
          update accounts set held = held + found.price, active_orders = active_orders + 1
          from found
          where user_id = ${userId} and balance - held >= found.price and (${cap} = 0 or active_orders < ${cap})
          returning accounts.id, accounts.balance - accounts.held as available, found.price
        ),
        hold as (
          insert into transfers (kind, debit_account_id, credit_account_id, amount, created_at)
          select 'hold', account.id, ${creditAccountId}, account.price, ${now} from account where account.price > 0
          returning id
        ),
        opened as (
          insert into orders (public_id, user_id, project_id, number_id, supplier_id, number, country, price, hold_id,
            number_status, sms_status, sms_count, balance_after, expires_at, created_at, updated_at)
          select ${publicId}, ${userId}, ${projectId}, found.id, found.supplier_id, found.number, found.country, found.price,
            (select id from hold), 'receiving', 'waiting', 0, account.available, ${expiresAt}, ${now}, ${now}
          from found, account
          returning id, number_id
        ),
        claimed as (
          update numbers set active_order_id = opened.id, updated_at = ${now} from opened where numbers.id = opened.number_id
        )
        select found.id, found.number, found.supplier_id, found.country, found.operator, found.price, account.available, opened.id as order_id
        from found left join account on true left join opened on true`;
      return { compile: () => statement.compile(db) };
    },
  );
}

const openQueries = { wanted: openQueryFor(true), walk: openQueryFor(false) };

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
   * the order, or nothing at all. One statement on Postgres (see openQueryFor); SQLite, whose writers
   * are serialised anyway, runs the same steps one after another in the caller's transaction.
   */
  async open(opening: OrderOpening): Promise<OrderOpened> {
    const find = freeNumberArgs(opening.find);
    if (!find) return { outcome: 'no-number' };
    if (!this.dialect.rowLocks) return this.openInSteps(opening);
    const { hold, order } = opening;
    const run = opening.find.number !== undefined ? openQueries.wanted : openQueries.walk;
    const [row] = (
      await run(this.db, this.dialect.name, ...find, [...opening.prices.keys()], [...opening.prices.values()], opening.otherwise, hold.userId, hold.defaultCap, hold.creditAccountId, order.publicId, order.projectId, order.expiresAt, order.now)
    ).rows;
    if (!row) return { outcome: 'no-number' };
    if (row.order_id === null || row.available === null) return { outcome: 'refused', price: row.price };
    const { id, number, supplier_id, country, operator, price, available, order_id } = row;
    return { outcome: 'opened', number: { id, number, supplier_id, country, operator }, price, orderId: order_id, available };
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
