import { sql, type Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';

// A pool that looks after itself (DESIGN §3): each number counts the orders in a row that ended
// without an SMS and is rested for a while after too many; its health and each supplier's days are
// read from the orders through two indexes; and payouts to suppliers become a transfer kind.
const KINDS = sql`kind in ('hold', 'charge', 'refund', 'expire', 'supplier_share', 'recharge', 'adjustment', 'payout')`;

// `any`: a migration describes the schema as it was then, not as the current types say.
export async function up(db: Kysely<any>, dialect: DialectSupport): Promise<void> {
  await db.schema.alterTable('numbers').addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('numbers').addColumn('rested_until', 'bigint').execute();

  // A number's health per project (orders taken, SMS delivered), and a supplier's orders by day.
  await db.schema.createIndex('orders_number_health').on('orders').columns(['number_id', 'project_id', 'sms_status']).execute();
  await db.schema.createIndex('orders_supplier_day').on('orders').columns(['supplier_id', 'created_at', 'sms_status']).execute();

  if (dialect.name === 'postgres') {
    // Postgres names a column's CHECK <table>_<column>_check.
    await sql`alter table transfers drop constraint transfers_kind_check`.execute(db);
    await sql`alter table transfers add constraint transfers_kind_check check (${KINDS})`.execute(db);
  } else {
    await rebuildSqliteTransfers(db, dialect);
  }
  // A supplier's earnings by day: the shares credited to its account.
  await db.schema.createIndex('transfers_credit_day').on('transfers').columns(['credit_account_id', 'kind', 'created_at', 'amount']).execute();
}

/**
 * SQLite cannot change a CHECK in place: the table is rebuilt. The old one is renamed first, which
 * points its own pending_id reference at the old name, so dropping it checks nothing against the new
 * table (no other table references transfers). Its indexes, whichever migrations made them, go with
 * it and are made again from their own definitions.
 */
async function rebuildSqliteTransfers(db: Kysely<any>, dialect: DialectSupport): Promise<void> {
  const { rows: indexes } = await sql<{ sql: string }>`
    select sql from sqlite_master where type = 'index' and tbl_name = 'transfers' and sql is not null order by name`.execute(db);
  await sql`alter table transfers rename to transfers_before_payouts`.execute(db);
  await db.schema
    .createTable('transfers')
    .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
    .addColumn('kind', 'text', (c) => c.notNull().check(KINDS))
    .addColumn('debit_account_id', dialect.idType, (c) => c.notNull().references('accounts.id'))
    .addColumn('credit_account_id', dialect.idType, (c) => c.notNull().references('accounts.id'))
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('pending_id', dialect.idType, (c) => c.references('transfers.id'))
    .addColumn('order_id', dialect.idType, (c) => c.references('orders.id'))
    .addColumn('recharge_id', dialect.idType)
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  const columns = sql.raw('id, kind, debit_account_id, credit_account_id, amount, pending_id, order_id, recharge_id, note, created_at');
  await sql`insert into transfers (${columns}) select ${columns} from transfers_before_payouts order by id`.execute(db);
  await sql`drop table transfers_before_payouts`.execute(db);
  for (const index of indexes) await sql.raw(index.sql).execute(db);
}
