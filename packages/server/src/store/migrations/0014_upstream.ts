import type { Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';

// Remote supply (DESIGN §6 "Remote supply"): a supplier whose numbers live at another provider
// (`supplier_remotes`: its protocol, URL and key, stored as given because we must send it), and the
// remote activation behind each order such a supplier served, which the remote-supply job follows.
// `any`: a migration describes the schema as it was then, not as the current types say.
export async function up(db: Kysely<any>, dialect: DialectSupport): Promise<void> {
  await db.schema
    .createTable('supplier_remotes')
    .addColumn('supplier_id', dialect.idType, (c) => c.primaryKey().references('suppliers.id'))
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('markup_bp', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('remote_activations')
    .addColumn('order_id', dialect.idType, (c) => c.primaryKey().references('orders.id'))
    .addColumn('supplier_id', dialect.idType, (c) => c.notNull().references('suppliers.id'))
    .addColumn('remote_id', 'text', (c) => c.notNull())
    // What the remote charges when an SMS comes, in cents: the supplier's share of the order's charge.
    .addColumn('cost', 'bigint', (c) => c.notNull())
    // live: being followed; ended: told the remote the order ended (or the remote ended it).
    .addColumn('state', 'text', (c) => c.notNull())
    // When the job next works on it (or at once once its order has ended), unless a node holds its lease.
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    // The customer's latest "another SMS" request (orders.retry_at) already passed on to the remote.
    .addColumn('retry_sent_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('remote_activations_due').on('remote_activations').columns(['state', 'due_at']).execute();
  await db.schema.createIndex('remote_activations_remote').on('remote_activations').columns(['supplier_id', 'remote_id']).unique().execute();
}
