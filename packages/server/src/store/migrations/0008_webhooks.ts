import { sql, type Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';

// Signed webhooks: a user's endpoint, the outbox its events are written to in the same transaction as
// the change they announce, and every delivery attempt.
// `any`: a migration describes the schema as it was then, not as the current types say.
export async function up(db: Kysely<any>, dialect: DialectSupport): Promise<void> {
  const id = dialect.idType;

  // One endpoint per user. The secret is kept as is: signing needs it (API keys, only checked, are hashed).
  await db.schema
    .createTable('webhooks')
    .addColumn('user_id', id, (c) => c.primaryKey().references('users.id'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // The outbox. `body` is the exact JSON sent; a delivery signs it with the endpoint's secret of the moment.
  await db.schema
    .createTable('webhook_events')
    .addColumn('id', id, (c) => dialect.idColumn(c))
    .addColumn('public_id', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', id, (c) => c.notNull().references('users.id'))
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('sms.received', 'order.ended')`))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'delivered', 'failed', 'cancelled')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // Due time of the next attempt; a claimed event's is pushed past its delivery (a lease).
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .execute();
  // Every node looks for due events each second: through pending events only, never the history.
  await db.schema
    .createIndex('webhook_events_due')
    .on('webhook_events')
    .column('next_attempt_at')
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute();
  await db.schema.createIndex('webhook_events_user').on('webhook_events').columns(['user_id', 'id']).execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', id, (c) => dialect.idColumn(c))
    .addColumn('event_id', id, (c) => c.notNull().references('webhook_events.id'))
    .addColumn('user_id', id, (c) => c.notNull().references('users.id'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    // null: no HTTP answer (refused address, DNS, connection, timeout); `error` says which.
    .addColumn('status_code', 'integer')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_deliveries_user').on('webhook_deliveries').columns(['user_id', 'id']).execute();
}
