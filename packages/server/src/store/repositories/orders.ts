import { sql, type Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';
import { prepared } from '../prepared.js';
import type { Database, NewOrder, NumberStatus, OrderRow, SmsStatus } from '../schema.js';

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
  createdFrom?: number | undefined;
  createdTo?: number | undefined;
  numberStatus?: NumberStatus | undefined;
  smsStatus?: SmsStatus | undefined;
}

export type OrderListRow = OrderRow & { enname: string; username: string; supplier: string };

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

  /** Reads the order for a change; on Postgres the row stays locked until the transaction ends. */
  lock(by: { id: number } | { userId: number; publicId: string }): Promise<OrderRow | undefined> {
    let q = this.db.selectFrom('orders').selectAll();
    q = 'id' in by ? q.where('id', '=', by.id) : q.where('public_id', '=', by.publicId).where('user_id', '=', by.userId);
    if (this.dialect.rowLocks) q = q.forUpdate();
    return q.executeTakeFirst();
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
        balance_after: sms.balanceAfter,
        updated_at: sms.now,
      }))
      .where('id', '=', id)
      .execute();
  }

  async end(id: number, change: { smsStatus: SmsStatus; balanceAfter: number; now: number }): Promise<void> {
    await this.db
      .updateTable('orders')
      .set({ number_status: 'released', sms_status: change.smsStatus, balance_after: change.balanceAfter, ended_at: change.now, updated_at: change.now })
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

  async list(filter: OrderFilter, page: { offset: number; limit: number }): Promise<{ count: number; rows: OrderListRow[] }> {
    let q = this.db.selectFrom('orders as o');
    if (filter.userId !== undefined) q = q.where('o.user_id', '=', filter.userId);
    if (filter.publicId !== undefined) q = q.where('o.public_id', '=', filter.publicId);
    if (filter.number !== undefined) q = q.where('o.number', '=', filter.number);
    if (filter.createdFrom !== undefined) q = q.where('o.created_at', '>=', filter.createdFrom);
    if (filter.createdTo !== undefined) q = q.where('o.created_at', '<=', filter.createdTo);
    if (filter.numberStatus !== undefined) q = q.where('o.number_status', '=', filter.numberStatus);
    if (filter.smsStatus !== undefined) q = q.where('o.sms_status', '=', filter.smsStatus);
    const [total, rows] = await Promise.all([
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      q
        .innerJoin('projects as p', 'p.id', 'o.project_id')
        .innerJoin('users as u', 'u.id', 'o.user_id')
        .innerJoin('suppliers as s', 's.id', 'o.supplier_id')
        .selectAll('o')
        .select(['p.enname', 'u.username', 's.name as supplier'])
        .orderBy('o.id', 'desc')
        .offset(page.offset)
        .limit(page.limit)
        .execute(),
    ]);
    return { count: Number(total.n), rows };
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
