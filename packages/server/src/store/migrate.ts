import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { DialectSupport } from './dialect.js';
import type { Database } from './schema.js';
import * as init from './migrations/0001_init.js';
import * as fairUse from './migrations/0002_fair_use.js';
import * as adminLookups from './migrations/0003_admin_lookups.js';
import * as protocols from './migrations/0004_protocols.js';
import * as gateways from './migrations/0005_gateways.js';
import * as smpp from './migrations/0006_smpp.js';
import * as webhooks from './migrations/0008_webhooks.js';
import * as fivesim from './migrations/0011_fivesim.js';
import * as web from './migrations/0012_web.js';
import * as poolHealth from './migrations/0013_pool_health.js';
import * as upstream from './migrations/0014_upstream.js';
import * as smshub from './migrations/0015_smshub.js';
import * as keysetPagination from './migrations/0016_keyset_pagination.js';

/**
 * Migrations in order; each takes the dialect so one file serves SQLite and Postgres. A new one always
 * sorts after every migration already released: the migrator refuses a database that ran a later name
 * than one it has not, so numbers are never filled in behind a release.
 */
const MIGRATIONS = {
  '0001_init': init,
  '0002_fair_use': fairUse,
  '0003_admin_lookups': adminLookups,
  '0004_protocols': protocols,
  '0005_gateways': gateways,
  '0006_smpp': smpp,
  '0008_webhooks': webhooks,
  '0011_fivesim': fivesim,
  '0012_web': web,
  '0013_pool_health': poolHealth,
  '0014_upstream': upstream,
  '0015_smshub': smshub,
  '0016_keyset_pagination': keysetPagination,
} as const;

/** Every migration this version knows: a database that ran any other was written by a newer one. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

function migrator(db: Kysely<Database>, dialect: DialectSupport): Migrator {
  const migrations: Record<string, Migration> = {};
  for (const [name, m] of Object.entries(MIGRATIONS)) {
    migrations[name] = { up: (kdb) => m.up(kdb, dialect) };
  }
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

/** Applies the pending migrations: every one, or those up to and including `upTo` (an older release's schema). */
export async function migrateToLatest(db: Kysely<Database>, dialect: DialectSupport, upTo?: string): Promise<string[]> {
  const m = migrator(db, dialect);
  const result: MigrationResultSet = upTo === undefined ? await m.migrateToLatest() : await m.migrateTo(upTo);
  if (result.error) throw result.error;
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Which migrations this database has had, and which not yet (reads only; creates nothing). */
export async function migrationState(db: Kysely<Database>, dialect: DialectSupport): Promise<{ applied: string[]; pending: string[] }> {
  const migrations = await migrator(db, dialect).getMigrations();
  return {
    applied: migrations.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    pending: migrations.filter((m) => m.executedAt === undefined).map((m) => m.name),
  };
}
