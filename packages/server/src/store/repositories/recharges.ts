import type { Insertable, Kysely } from 'kysely';
import type { Database, RechargeOrderRow, RechargeOrdersTable } from '../schema.js';

/** As customers see it: an unpaid order past its expiry is expired. */
export type RechargeState = 'paid' | 'unpaid' | 'expired';

export interface RechargeFilter {
  userId?: number | undefined;
  publicId?: string | undefined;
  status?: RechargeState | undefined;
  /** The time that decides whether an unpaid order has expired. */
  now: number;
  createdFrom?: number | undefined;
  createdTo?: number | undefined;
}

export class RechargeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(order: Insertable<RechargeOrdersTable>): Promise<number> {
    const row = await this.db.insertInto('recharge_orders').values(order).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  findByPublicId(publicId: string): Promise<RechargeOrderRow | undefined> {
    return this.db.selectFrom('recharge_orders').selectAll().where('public_id', '=', publicId).executeTakeFirst();
  }

  /** unpaid -> paid, once. Returns false when it was already paid. */
  async markPaid(id: number, orderAmt: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('recharge_orders')
      .set({ status: 'paid', order_amt: orderAmt, paid_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'unpaid')
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** Unpaid orders of the user that have not expired. */
  async countOpen(userId: number, now: number): Promise<number> {
    const row = await this.db
      .selectFrom('recharge_orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('status', '=', 'unpaid')
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Newest first, each with its user's name (admins list every user's). */
  list(filter: RechargeFilter, page: { offset: number; limit: number }): Promise<(RechargeOrderRow & { username: string })[]> {
    let q = this.db.selectFrom('recharge_orders as r').innerJoin('users as u', 'u.id', 'r.user_id').selectAll('r').select('u.username');
    if (filter.userId !== undefined) q = q.where('r.user_id', '=', filter.userId);
    if (filter.publicId !== undefined) q = q.where('r.public_id', '=', filter.publicId);
    if (filter.status === 'paid') q = q.where('r.status', '=', 'paid');
    else if (filter.status === 'unpaid') q = q.where('r.status', '=', 'unpaid').where((eb) => eb.or([eb('r.expires_at', 'is', null), eb('r.expires_at', '>', filter.now)]));
    else if (filter.status === 'expired') q = q.where('r.status', '=', 'unpaid').where('r.expires_at', '<=', filter.now);
    if (filter.createdFrom !== undefined) q = q.where('r.created_at', '>=', filter.createdFrom);
    if (filter.createdTo !== undefined) q = q.where('r.created_at', '<=', filter.createdTo);
    return q.orderBy('r.id', 'desc').offset(page.offset).limit(page.limit).execute();
  }
}
