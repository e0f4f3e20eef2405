import { sql, type Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';

// Fair use and the admin toolkit: per-user limits, per-user shields with a quorum before a number
// leaves a project for everyone, why an SMS was not delivered, recharge expiry, retired numbers.
// `any`: a migration describes the schema as it was then, not as the current types say.
export async function up(db: Kysely<any>, dialect: DialectSupport): Promise<void> {
  const id = dialect.idType;

  // Per-user overrides of the operator's defaults (null: the default applies).
  await db.schema.alterTable('users').addColumn('max_active_orders', 'integer').execute();
  await db.schema.alterTable('users').addColumn('rate_limit', 'integer').execute();

  // Live orders per customer, kept in step with orders in the same transaction as the hold, so that
  // one conditional UPDATE enforces the active-order cap even between concurrent processes.
  await db.schema
    .alterTable('accounts')
    .addColumn('active_orders', 'integer', (c) => c.notNull().defaultTo(0).check(sql`active_orders >= 0`))
    .execute();
  await sql`update accounts set active_orders = (
      select count(*) from orders o where o.user_id = accounts.user_id and o.number_status = 'receiving')
    where kind = 'user'`.execute(db);

  // A shield keeps a number away from one user for one project.
  await db.schema
    .createTable('number_shields')
    .addColumn('number_id', id, (c) => c.notNull().references('numbers.id'))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('user_id', id, (c) => c.notNull().references('users.id'))
    .addColumn('order_id', id, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('number_shields_pk', ['number_id', 'project_id', 'user_id'])
    .execute();
  // Every shield so far was one user's: it becomes that user's shield, and the number returns to
  // everyone else (one customer could take a whole pool out of a project).
  await sql`insert into number_shields (number_id, project_id, user_id, order_id, created_at)
    select number_id, project_id, user_id, order_id, created_at from number_blacklist`.execute(db);
  await db.schema.dropTable('number_blacklist').execute();

  // The number is out of the project for everyone: a quorum of users shielded it, or an admin said so.
  await db.schema
    .createTable('number_blacklist')
    .addColumn('number_id', id, (c) => c.notNull().references('numbers.id'))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('quorum', 'admin')`))
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('number_blacklist_pk', ['number_id', 'project_id'])
    .execute();

  // Why an SMS was not delivered (null: delivered), and the live order it was judged against.
  await db.schema.alterTable('inbound_sms').addColumn('reason', 'text').execute();
  await db.schema.alterTable('inbound_sms').addColumn('candidate_order_id', id).execute();
  await sql`update inbound_sms set reason = 'no_live_order' where order_id is null`.execute(db);

  // An unpaid recharge order stops counting (and being payable by the user) after this time.
  await db.schema.alterTable('recharge_orders').addColumn('expires_at', 'bigint').execute();
  await db.schema.createIndex('recharge_orders_open').on('recharge_orders').column('user_id').where(sql.ref('status'), '=', sql.lit('unpaid')).execute();

  // A removed number keeps its history (orders point at it) but is never offered again.
  await db.schema.alterTable('numbers').addColumn('removed_at', 'bigint').execute();

  // Admins look orders up by number; /metrics counts online numbers without reading the whole pool.
  await db.schema.createIndex('orders_number').on('orders').column('number').execute();
  await db.schema.createIndex('numbers_online').on('numbers').column('supplier_id').where(sql.ref('online'), '=', sql.lit(1)).execute();
}
