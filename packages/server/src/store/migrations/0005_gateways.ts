import { sql, type Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';

// Real SIM hardware: gateway webhooks (one URL token each), GoIP lines, where a number's SIM sits
// (device and slot), and a heartbeat per number.
// `any`: a migration describes the schema as it was then, not as the current types say.
export async function up(db: Kysely<any>, dialect: DialectSupport): Promise<void> {
  const id = dialect.idType;

  await db.schema
    .createTable('gateways')
    .addColumn('id', id, (c) => dialect.idColumn(c))
    .addColumn('supplier_id', id, (c) => c.notNull().references('suppliers.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_prefix', 'text', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('gateways_supplier').on('gateways').column('supplier_id').execute();

  await db.schema
    .createTable('goip_lines')
    .addColumn('id', id, (c) => dialect.idColumn(c))
    .addColumn('supplier_id', id, (c) => c.notNull().references('suppliers.id'))
    .addColumn('line', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('country', 'text')
    .addColumn('number_id', id, (c) => c.references('numbers.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('numbers').addColumn('device', 'text').execute();
  await db.schema.alterTable('numbers').addColumn('slot', 'integer').execute();
  await db.schema.alterTable('numbers').addColumn('last_seen_at', 'bigint').execute();
  // A slot holds one SIM: a gateway that reports no receiving number names its device and slot.
  await db.schema
    .createIndex('numbers_device_slot')
    .unique()
    .on('numbers')
    .columns(['supplier_id', 'device', 'slot'])
    .where(sql.ref('device'), 'is not', null)
    .execute();
  // The heartbeat sweep walks online numbers by the time they were last seen.
  await db.schema.createIndex('numbers_heartbeat').on('numbers').column('last_seen_at').where(sql.ref('online'), '=', sql.lit(1)).execute();
  // Numbers online before the heartbeat existed get one full period for their supplier to report them.
  await sql`update numbers set last_seen_at = ${Date.now()} where online = 1`.execute(db);
}
