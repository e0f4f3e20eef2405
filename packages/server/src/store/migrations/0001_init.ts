import { sql, type Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';

// `any`: a migration describes the schema as it was then, not as the current types say.
export async function up(db: Kysely<any>, dialect: DialectSupport): Promise<void> {
  const id = dialect.idType;
  const big = 'bigint';
  const text = 'text';
  const int = 'integer';

  await db.schema
    .createTable('users')
    .addColumn('id', id, (c) => dialect.idColumn(c))
    .addColumn('public_id', text, (c) => c.notNull().unique())
    .addColumn('username', text, (c) => c.notNull().unique())
    .addColumn('password_hash', text)
    .addColumn('api_key_hash', text, (c) => c.notNull().unique())
    .addColumn('api_key_prefix', text, (c) => c.notNull())
    .addColumn('role', text, (c) => c.notNull().check(sql`role in ('user', 'admin', 'supplier')`))
    .addColumn('email', text, (c) => c.notNull().defaultTo(''))
    .addColumn('mobile', text, (c) => c.notNull().defaultTo(''))
    .addColumn('tg', text, (c) => c.notNull().defaultTo(''))
    .addColumn('disabled', int, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('suppliers')
    .addColumn('id', id, (c) => dialect.idColumn(c))
    .addColumn('public_id', text, (c) => c.notNull().unique())
    .addColumn('name', text, (c) => c.notNull().unique())
    .addColumn('key_hash', text, (c) => c.notNull().unique())
    .addColumn('key_prefix', text, (c) => c.notNull())
    .addColumn('share_bp', int, (c) => c.notNull().check(sql`share_bp between 0 and 10000`))
    .addColumn('enabled', int, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();

  // Ledger. Balances are kept in step with transfers inside the same transaction; the CHECK is
  // the last line of defence for "available balance never negative".
  await db.schema
    .createTable('accounts')
    .addColumn('id', id, (c) => dialect.idColumn(c))
    .addColumn('kind', text, (c) => c.notNull().check(sql`kind in ('user', 'supplier', 'revenue', 'world')`))
    .addColumn('user_id', id, (c) => c.references('users.id').unique())
    .addColumn('supplier_id', id, (c) => c.references('suppliers.id').unique())
    .addColumn('balance', big, (c) => c.notNull().defaultTo(0))
    .addColumn('held', big, (c) => c.notNull().defaultTo(0))
    .addColumn('allow_negative', int, (c) => c.notNull().defaultTo(0))
    .addCheckConstraint('accounts_held_not_negative', sql`held >= 0`)
    .addCheckConstraint('accounts_available_not_negative', sql`allow_negative = 1 or balance - held >= 0`)
    .execute();
  // The platform's own accounts exist from the start: revenue takes charges, world is the outside
  // (recharges and adjustments come from it, so it is the only account that goes below zero).
  await db.insertInto('accounts').values([
    { kind: 'revenue', balance: 0, held: 0, allow_negative: 0 },
    { kind: 'world', balance: 0, held: 0, allow_negative: 1 },
  ]).execute();

  await db.schema
    .createTable('channels')
    .addColumn('id', int, (c) => c.primaryKey())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('enabled', int, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('projects')
    .addColumn('id', int, (c) => c.primaryKey())
    .addColumn('public_id', text, (c) => c.notNull().unique())
    .addColumn('enname', text, (c) => c.notNull().unique())
    .addColumn('channel_id', int, (c) => c.notNull().references('channels.id'))
    .addColumn('service', text, (c) => c.notNull())
    .addColumn('selling_price', big, (c) => c.notNull().check(sql`selling_price >= 0`))
    .addColumn('support_country', int, (c) => c.notNull().defaultTo(0))
    .addColumn('enabled', int, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('projects_channel').on('projects').columns(['channel_id', 'id']).execute();

  await db.schema
    .createTable('project_country_prices')
    .addColumn('project_id', int, (c) => c.notNull().references('projects.id'))
    .addColumn('country', text, (c) => c.notNull())
    .addColumn('price', big, (c) => c.notNull().check(sql`price >= 0`))
    .addPrimaryKeyConstraint('project_country_prices_pk', ['project_id', 'country'])
    .execute();

  await db.schema
    .createTable('user_project_prices')
    .addColumn('user_id', id, (c) => c.notNull().references('users.id'))
    .addColumn('project_id', int, (c) => c.notNull().references('projects.id'))
    .addColumn('price', big, (c) => c.notNull().check(sql`price >= 0`))
    .addPrimaryKeyConstraint('user_project_prices_pk', ['user_id', 'project_id'])
    .execute();

  await db.schema
    .createTable('collects')
    .addColumn('user_id', id, (c) => c.notNull().references('users.id'))
    .addColumn('project_id', int, (c) => c.notNull().references('projects.id'))
    .addColumn('created_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('collects_pk', ['user_id', 'project_id'])
    .execute();

  await db.schema
    .createTable('supplier_channels')
    .addColumn('supplier_id', id, (c) => c.notNull().references('suppliers.id'))
    .addColumn('channel_id', int, (c) => c.notNull().references('channels.id'))
    .addPrimaryKeyConstraint('supplier_channels_pk', ['supplier_id', 'channel_id'])
    .execute();

  await db.schema
    .createTable('numbers')
    .addColumn('id', id, (c) => dialect.idColumn(c))
    .addColumn('supplier_id', id, (c) => c.notNull().references('suppliers.id'))
    .addColumn('number', text, (c) => c.notNull().unique())
    .addColumn('country', text, (c) => c.notNull())
    .addColumn('operator', text, (c) => c.notNull().defaultTo('any'))
    .addColumn('online', int, (c) => c.notNull().defaultTo(0))
    .addColumn('active_order_id', id)
    .addColumn('draw', big, (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
  // Allocation walks free numbers from a random draw, by country or across all countries.
  await db.schema.createIndex('numbers_country_draw').on('numbers').columns(['country', 'draw']).execute();
  await db.schema.createIndex('numbers_draw').on('numbers').column('draw').execute();
  await db.schema.createIndex('numbers_supplier').on('numbers').column('supplier_id').execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', id, (c) => dialect.idColumn(c))
    .addColumn('public_id', text, (c) => c.notNull().unique())
    .addColumn('user_id', id, (c) => c.notNull().references('users.id'))
    .addColumn('project_id', int, (c) => c.notNull().references('projects.id'))
    .addColumn('number_id', id, (c) => c.notNull().references('numbers.id'))
    .addColumn('supplier_id', id, (c) => c.notNull().references('suppliers.id'))
    .addColumn('number', text, (c) => c.notNull())
    .addColumn('country', text, (c) => c.notNull())
    .addColumn('price', big, (c) => c.notNull().check(sql`price >= 0`))
    .addColumn('hold_id', id, (c) => c.unique())
    .addColumn('number_status', text, (c) => c.notNull().check(sql`number_status in ('receiving', 'released')`))
    .addColumn('sms_status', text, (c) => c.notNull().check(sql`sms_status in ('waiting', 'received', 'failed')`))
    .addColumn('code', text)
    .addColumn('content', text)
    .addColumn('sms_count', int, (c) => c.notNull().defaultTo(0))
    .addColumn('balance_after', big, (c) => c.notNull())
    .addColumn('expires_at', big, (c) => c.notNull())
    .addColumn('ended_at', big)
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
  // One active order per number, whatever the code above does.
  await db.schema
    .createIndex('orders_one_active_per_number')
    .unique()
    .on('orders')
    .column('number_id')
    .where(sql.ref('number_status'), '=', sql.lit('receiving'))
    .execute();
  await db.schema
    .createIndex('orders_expiry')
    .on('orders')
    .column('expires_at')
    .where(sql.ref('number_status'), '=', sql.lit('receiving'))
    .execute();
  await db.schema.createIndex('orders_user_created').on('orders').columns(['user_id', 'id']).execute();
  await db.schema.createIndex('orders_user_number').on('orders').columns(['user_id', 'number']).execute();

  await db.schema
    .createTable('transfers')
    .addColumn('id', id, (c) => dialect.idColumn(c))
    .addColumn('kind', text, (c) =>
      c.notNull().check(sql`kind in ('hold', 'charge', 'refund', 'expire', 'supplier_share', 'recharge', 'adjustment')`),
    )
    .addColumn('debit_account_id', id, (c) => c.notNull().references('accounts.id'))
    .addColumn('credit_account_id', id, (c) => c.notNull().references('accounts.id'))
    .addColumn('amount', big, (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('pending_id', id, (c) => c.references('transfers.id'))
    .addColumn('order_id', id, (c) => c.references('orders.id'))
    .addColumn('recharge_id', id)
    .addColumn('note', text, (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  // A hold resolves exactly once: one charge, refund or expire per hold, enforced by the database.
  await db.schema.createIndex('transfers_resolve_once').unique().on('transfers').column('pending_id').execute();
  await db.schema.createIndex('transfers_order').on('transfers').column('order_id').execute();
  await db.schema.createIndex('transfers_debit').on('transfers').column('debit_account_id').execute();
  await db.schema.createIndex('transfers_credit').on('transfers').column('credit_account_id').execute();

  await db.schema
    .createTable('number_usages')
    .addColumn('number_id', id, (c) => c.notNull().references('numbers.id'))
    .addColumn('project_id', int, (c) => c.notNull().references('projects.id'))
    .addColumn('user_id', id, (c) => c.notNull().references('users.id'))
    .addColumn('order_id', id, (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('number_usages_pk', ['number_id', 'project_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('number_blacklist')
    .addColumn('number_id', id, (c) => c.notNull().references('numbers.id'))
    .addColumn('project_id', int, (c) => c.notNull().references('projects.id'))
    .addColumn('user_id', id, (c) => c.notNull().references('users.id'))
    .addColumn('order_id', id, (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('number_blacklist_pk', ['number_id', 'project_id'])
    .execute();

  await db.schema
    .createTable('inbound_sms')
    .addColumn('id', id, (c) => dialect.idColumn(c))
    .addColumn('source', text, (c) => c.notNull())
    .addColumn('source_key', text, (c) => c.notNull())
    .addColumn('supplier_id', id, (c) => c.notNull().references('suppliers.id'))
    .addColumn('number_id', id, (c) => c.references('numbers.id'))
    .addColumn('order_id', id, (c) => c.references('orders.id'))
    .addColumn('receiver', text, (c) => c.notNull())
    .addColumn('sender', text, (c) => c.notNull())
    .addColumn('text', text, (c) => c.notNull())
    .addColumn('code', text)
    .addColumn('code_method', text)
    .addColumn('received_at', big, (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    // One message id per source and supplier: two suppliers may both call their first message "1".
    .addUniqueConstraint('inbound_sms_idempotency', ['source', 'supplier_id', 'source_key'])
    .execute();
  await db.schema.createIndex('inbound_sms_order').on('inbound_sms').column('order_id').execute();
  // Admins review SMS that matched no live order.
  await db.schema
    .createIndex('inbound_sms_unmatched')
    .on('inbound_sms')
    .column('id')
    .where(sql.ref('order_id'), 'is', null)
    .execute();

  await db.schema
    .createTable('recharge_orders')
    .addColumn('id', id, (c) => dialect.idColumn(c))
    .addColumn('public_id', text, (c) => c.notNull().unique())
    .addColumn('user_id', id, (c) => c.notNull().references('users.id'))
    .addColumn('amount', big, (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('order_amt', big, (c) => c.notNull().check(sql`order_amt >= 0`))
    .addColumn('payment', text, (c) => c.notNull())
    .addColumn('status', text, (c) => c.notNull().check(sql`status in ('unpaid', 'paid')`))
    .addColumn('paid_at', big)
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('recharge_orders_user').on('recharge_orders').columns(['user_id', 'id']).execute();
}
