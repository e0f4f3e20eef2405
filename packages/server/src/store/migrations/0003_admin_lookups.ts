import { sql, type Kysely } from 'kysely';

// Admins read an order with every SMS kept from it (`fastpva admin order show`): SMS delivered to an
// order are found through inbound_sms_order, those kept from it through this index.
// `any`: a migration describes the schema as it was then, not as the current types say.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('inbound_sms_candidate')
    .on('inbound_sms')
    .column('candidate_order_id')
    .where(sql.ref('candidate_order_id'), 'is not', null)
    .execute();
}
