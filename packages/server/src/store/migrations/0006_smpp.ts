import { sql, type Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';

// SMPP: a supplier's credentials for binding to our SMPP server, and the parts of concatenated
// messages that have arrived so far. Parts live here rather than in memory because each is
// acknowledged on arrival: an acknowledged part must survive a restart.
// `any`: a migration describes the schema as it was then, not as the current types say.
export async function up(db: Kysely<any>, dialect: DialectSupport): Promise<void> {
  const id = dialect.idType;

  await db.schema
    .createTable('smpp_accounts')
    .addColumn('supplier_id', id, (c) => c.primaryKey().references('suppliers.id'))
    .addColumn('system_id', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    // null: the server's SMPP_MAX_PER_SECOND.
    .addColumn('max_per_second', 'integer', (c) => c.check(sql`max_per_second > 0`))
    .addColumn('gsm7', 'text', (c) => c.notNull().defaultTo('unpacked').check(sql`gsm7 in ('unpacked', 'packed')`))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // One row per concatenated message still missing parts: `parts` is a JSON array with each part's
  // code units as hex, null where a part has not arrived.
  await db.schema
    .createTable('smpp_partials')
    .addColumn('supplier_id', id, (c) => c.notNull().references('suppliers.id'))
    .addColumn('message_key', 'text', (c) => c.notNull())
    .addColumn('parts', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('smpp_partials_pk', ['supplier_id', 'message_key'])
    .execute();
  // Expired partials are deleted per supplier, oldest first.
  await db.schema.createIndex('smpp_partials_age').on('smpp_partials').columns(['supplier_id', 'created_at']).execute();
}
