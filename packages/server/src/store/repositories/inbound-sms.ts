import type { Kysely } from 'kysely';
import type { Database, InboundSmsRow, NewInboundSms, UndeliveredReason } from '../schema.js';

export class InboundSmsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Claims the source's idempotency key. Returns the new id, or nothing when the key was seen before. */
  async insertIfNew(sms: NewInboundSms): Promise<number | undefined> {
    const row = await this.db
      .insertInto('inbound_sms')
      .values(sms)
      .onConflict((oc) => oc.columns(['source', 'supplier_id', 'source_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return row?.id;
  }

  findBySourceKey(source: string, supplierId: number, sourceKey: string): Promise<InboundSmsRow | undefined> {
    return this.db
      .selectFrom('inbound_sms')
      .selectAll()
      .where('source', '=', source)
      .where('supplier_id', '=', supplierId)
      .where('source_key', '=', sourceKey)
      .executeTakeFirst();
  }

  /** Delivered to the order. */
  async attach(id: number, match: { orderId: number; code: string | null; codeMethod: string | null }): Promise<void> {
    await this.db
      .updateTable('inbound_sms')
      .set({ order_id: match.orderId, code: match.code, code_method: match.codeMethod, reason: null })
      .where('id', '=', id)
      .execute();
  }

  /** Kept from the live order it was judged against. */
  async withhold(id: number, verdict: { candidateOrderId: number; reason: UndeliveredReason }): Promise<void> {
    await this.db
      .updateTable('inbound_sms')
      .set({ candidate_order_id: verdict.candidateOrderId, reason: verdict.reason })
      .where('id', '=', id)
      .execute();
  }

  /** SMS no order took, newest first, with the public id of the order each was kept from: for admins to review. */
  listUnmatched(limit: number): Promise<(InboundSmsRow & { candidate_public_id: string | null })[]> {
    return this.db
      .selectFrom('inbound_sms as s')
      .leftJoin('orders as o', 'o.id', 's.candidate_order_id')
      .selectAll('s')
      .select('o.public_id as candidate_public_id')
      .where('s.order_id', 'is', null)
      .orderBy('s.id', 'desc')
      .limit(limit)
      .execute();
  }

  /** The SMS delivered to the order, oldest first. */
  deliveredTo(orderId: number): Promise<InboundSmsRow[]> {
    return this.db.selectFrom('inbound_sms').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
  }

  /** The SMS delivered to each of these orders, in arrival order (a page of order history). */
  deliveredToAny(orderIds: number[]): Promise<InboundSmsRow[]> {
    if (orderIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('inbound_sms').selectAll().where('order_id', 'in', orderIds).orderBy('id').execute();
  }

  /** The SMS delivered to the order, and those kept from it (a reason says why), in arrival order. */
  forOrder(orderId: number): Promise<InboundSmsRow[]> {
    return this.db
      .selectFrom('inbound_sms')
      .selectAll()
      .where((eb) => eb.or([eb('order_id', '=', orderId), eb('candidate_order_id', '=', orderId)]))
      .orderBy('id')
      .execute();
  }
}
