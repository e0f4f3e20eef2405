import type { Insertable, Kysely } from 'kysely';
import type { Database, RechargeOrderRow, RechargeOrdersTable, RechargeStatus } from '../schema.js';

export interface RechargeFilter {
  userId?: number | undefined;
  publicId?: string | undefined;
  status?: RechargeStatus | undefined;
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

  list(filter: RechargeFilter, page: { offset: number; limit: number }): Promise<RechargeOrderRow[]> {
    let q = this.db.selectFrom('recharge_orders').selectAll();
    if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
    if (filter.publicId !== undefined) q = q.where('public_id', '=', filter.publicId);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.createdFrom !== undefined) q = q.where('created_at', '>=', filter.createdFrom);
    if (filter.createdTo !== undefined) q = q.where('created_at', '<=', filter.createdTo);
    return q.orderBy('id', 'desc').offset(page.offset).limit(page.limit).execute();
  }
}
