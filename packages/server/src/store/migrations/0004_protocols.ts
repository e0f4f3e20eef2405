import { sql, type Kysely } from 'kysely';
import { COUNTRIES } from '../../domain/vocabulary/countries.js';
import { resolveService } from '../../domain/otp/services.js';
import { PROTOCOL_COUNTRIES } from '../../domain/vocabulary/protocol-countries.js';
import { KNOWN_SERVICES } from '../../domain/vocabulary/services.js';

// The SMS-Activate and 5SIM surfaces: how each protocol names services and countries (tables seeded
// from the vocabulary files, which admins may then edit), and the order state those protocols need.
// `any`: a migration describes the schema as it was then, not as the current types say.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sms_activate', 'text', (c) => c.unique())
    .addColumn('fivesim', 'text', (c) => c.notNull().unique())
    .execute();
  for (const s of KNOWN_SERVICES) {
    await db.insertInto('services').values({ id: s.id, name: s.name, sms_activate: s.smsActivate ?? null, fivesim: s.fivesim }).execute();
  }

  await db.schema
    .createTable('countries')
    .addColumn('iso', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sms_activate', 'integer', (c) => c.unique())
    .addColumn('fivesim', 'text', (c) => c.unique())
    .execute();
  const protocol = new Map(PROTOCOL_COUNTRIES.map((c) => [c.iso, c]));
  for (const [iso, name] of Object.entries(COUNTRIES)) {
    const p = protocol.get(iso);
    await db.insertInto('countries').values({ iso, name, sms_activate: p?.smsActivate ?? null, fivesim: p?.fivesim ?? null }).execute();
  }

  // A project's service is the canonical id where the vocabulary knows it ("Telegram-C6" -> telegram),
  // so that a protocol's service code finds its projects with one indexed comparison.
  const projects = await db.selectFrom('projects').select(['id', 'service']).execute();
  for (const p of projects) {
    const id = resolveService(p.service as string)?.id;
    if (id && id !== p.service) await db.updateTable('projects').set({ service: id }).where('id', '=', p.id).execute();
  }
  await db.schema.createIndex('projects_service').on('projects').columns(['service', 'id']).execute();

  // "Request another SMS" (SMS-Activate status 3): the wait goes on from this time. And how an order
  // ended, which 5SIM tells its clients (CANCELED, TIMEOUT, FINISHED, BANNED).
  await db.schema.alterTable('orders').addColumn('retry_at', 'bigint').execute();
  // A customer's live orders (getActiveActivations, 5SIM's pending orders) without reading their history.
  await db.schema.createIndex('orders_user_live').on('orders').columns(['user_id', 'id']).where(sql.ref('number_status'), '=', sql.lit('receiving')).execute();
  await db.schema
    .alterTable('orders')
    .addColumn('end_reason', 'text', (c) => c.check(sql`end_reason in ('release', 'shield', 'expire', 'finish')`))
    .execute();
}
