import type { Kysely } from 'kysely';
import type { Database, InboundSmsRow, NewInboundSms } from '../schema.js';

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

  async attach(id: number, match: { orderId: number; code: string | null; codeMethod: string | null }): Promise<void> {
    await this.db
      .updateTable('inbound_sms')
      .set({ order_id: match.orderId, code: match.code, code_method: match.codeMethod })
      .where('id', '=', id)
      .execute();
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

  /** SMS that matched no live order, newest first: for admins to review. */
  listUnmatched(limit: number): Promise<InboundSmsRow[]> {
    return this.db.selectFrom('inbound_sms').selectAll().where('order_id', 'is', null).orderBy('id', 'desc').limit(limit).execute();
  }
}
