import type { Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';

// The 5SIM surface: customers' max prices per service (5SIM's /user/max-prices), and 5SIM's own
// country slugs (domain/vocabulary/protocol-countries.ts says where they come from): two
// corrected and five added. A slug an admin has changed since is left as the admin set it.
const RENAMED: [iso: string, was: string, is: string][] = [
  ['MO', 'macao', 'macau'],
  ['VC', 'saintvincentandthegrenadines', 'saintvincentandgrenadines'],
];
const ADDED: [iso: string, slug: string][] = [
  ['SB', 'solomonislands'],
  ['TC', 'turksandcaicos'],
  ['TO', 'tonga'],
  ['VG', 'virginislands'],
  ['WS', 'samoa'],
];

// `any`: a migration describes the schema as it was then, not as the current types say.
export async function up(db: Kysely<any>, dialect: DialectSupport): Promise<void> {
  await db.schema
    .createTable('max_prices')
    .addColumn('id', dialect.idType, (c) => dialect.idColumn(c))
    .addColumn('user_id', dialect.idType, (c) => c.notNull().references('users.id'))
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('price', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('max_prices_user_service', ['user_id', 'service'])
    .execute();

  for (const [iso, was, is] of RENAMED) {
    await db.updateTable('countries').set({ fivesim: is }).where('iso', '=', iso).where('fivesim', '=', was).execute();
  }
  for (const [iso, slug] of ADDED) {
    // Unless another country already took the slug (fivesim is unique).
    const taken = await db.selectFrom('countries').select('iso').where('fivesim', '=', slug).executeTakeFirst();
    if (!taken) await db.updateTable('countries').set({ fivesim: slug }).where('iso', '=', iso).where('fivesim', 'is', null).execute();
  }
}
