import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { DialectSupport } from '../dialect.js';
import { prepared } from '../prepared.js';
import type { Database, EndReason, NewOrder, NumberStatus, OrderRow, SmsStatus } from '../schema.js';

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
  if (filter.numberStatus !== undefined) f = f.where('o.number_status', '=', filter.numberStatus) as Q;
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

  /** Newest first unless `direction` says 'asc' (5SIM's order history without `reverse`). */
  async list(filter: OrderFilter, page: { offset: number; limit: number }, direction: 'asc' | 'desc' = 'desc'): Promise<{ count: number; rows: OrderListRow[] }> {
    const [total, rows] = await Promise.all([
      filtered(this.db.selectFrom('orders as o'), filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      filtered(this.listed(), filter).orderBy('o.id', direction).offset(page.offset).limit(page.limit).execute(),
    ]);
    return { count: Number(total.n), rows };
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

  /** Live orders by SMS status, with their holds (see liveStatsQuery). */
  async liveStats(): Promise<{ sms_status: SmsStatus; orders: number; holds: number; held: number }[]> {
    const rows = await liveStatsQuery(this.db).execute();
    return rows.map((r) => ({ sms_status: r.sms_status, orders: Number(r.orders), holds: Number(r.holds), held: Number(r.held) }));
  }
}
