import type { Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';

// The web user center and admin panel: sessions kept on the server, admins' second factor, the audit
// log of admin actions, and what the admin overview's charts read.
// `any`: a migration describes the schema as it was then, not as the current types say.
export async function up(db: Kysely<any>, dialect: DialectSupport): Promise<void> {
  const id = dialect.idType;

  // A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a leaked
  // database signs nobody in. The CSRF token is not secret from its own page, only from other sites.
  await db.schema
    .createTable('web_sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', id, (c) => c.notNull().references('users.id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  // Revoking a user's sessions (password change, disabled) and sweeping expired ones.
  await db.schema.createIndex('web_sessions_user').on('web_sessions').column('user_id').execute();
  await db.schema.createIndex('web_sessions_expiry').on('web_sessions').column('expires_at').execute();

  // TOTP (RFC 6238) second factor; enabled_at is null while it is set up but not yet confirmed with a
  // code. last_step: the time step of the last code accepted, so a code signs in once.
  await db.schema
    .createTable('user_totp')
    .addColumn('user_id', id, (c) => c.primaryKey().references('users.id'))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('enabled_at', 'bigint')
    .addColumn('last_step', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();

  // Every admin action: who, what, on what, when, and the state before and after (JSON text).
  await db.schema
    .createTable('audit_log')
    .addColumn('id', id, (c) => dialect.idColumn(c))
    .addColumn('actor_id', id, (c) => c.references('users.id'))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_target').on('audit_log').columns(['target', 'id']).execute();

  // Numbers online over time: one sample per interval, whichever node takes it first.
  await db.schema
    .createTable('online_samples')
    .addColumn('at', 'bigint', (c) => c.primaryKey())
    .addColumn('online', 'integer', (c) => c.notNull())
    .execute();

  // The overview's charts read the last days of orders and money by time. Both indexes cover what
  // the charts read, so a chart reads only its days' index entries, never the history's rows.
  await db.schema.createIndex('orders_outcomes').on('orders').columns(['created_at', 'sms_status', 'project_id', 'country', 'supplier_id']).execute();
  await db.schema.createIndex('transfers_by_day').on('transfers').columns(['kind', 'created_at', 'amount']).execute();
}
