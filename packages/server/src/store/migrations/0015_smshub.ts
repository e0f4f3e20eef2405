import type { Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';

// SMSHub agents: what each agent's last GET_SERVICES said it has free, by service and country, which
// the stock table adds to the local pool's counts (DESIGN §6 "Remote supply").
export async function up(db: Kysely<any>, dialect: DialectSupport): Promise<void> {
  await db.schema
    .createTable('remote_stock')
    .addColumn('supplier_id', dialect.idType, (c) => c.notNull().references('suppliers.id'))
    // Canonical service id (projects.service) and ISO country.
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('remote_stock_pk', ['supplier_id', 'service', 'country'])
    .execute();
}
