// Migrations run in one transaction under an exclusive lock: a `fastpva migrate` killed at any
// moment leaves either no schema or all of it, and any number of processes may migrate at once.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATION_NAMES } from '../src/store/migrate.js';
import { Store } from '../src/store/store.js';
import { BIN, runCli } from './helpers/cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './helpers/databases.js';

const APP_TABLES = ['users', 'accounts', 'orders', 'transfers', 'numbers', 'number_shields', 'number_blacklist', 'inbound_sms', 'recharge_orders'];
const ALL_MIGRATIONS = [...MIGRATION_NAMES];

/** The migrations recorded as applied, and which of the application's tables exist. */
async function schemaState(url: string): Promise<{ applied: string[]; tables: string[] }> {
  const store = await Store.open(url, { migrate: false });
  try {
    const db = store.kysely;
    const tables = (await db.introspection.getTables({ withInternalKyselyTables: true })).map((t) => t.name);
    const applied = tables.includes('kysely_migration')
      ? (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map((r) => r.name)
      : [];
    return { applied, tables: APP_TABLES.filter((t) => tables.includes(t)) };
  } finally {
    await store.close();
  }
}

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  const databases: TestDatabase[] = [];
  const fresh = async () => {
    const database = await createTestDatabase(dialect);
    databases.push(database);
    return database;
  };
  afterAll(async () => {
    for (const d of databases) await d.drop();
  });

  it('upgrades a database that a released version migrated, with its data', async () => {
    // The last migration of the newest release (stop 10): every later one must sort after it.
    const released = '0011_fivesim';
    const { url } = await fresh();
    const old = await Store.open(url, { migrate: false });
    try {
      await old.migrate(released);
      // A ledger row written by the old release: later migrations rebuild its table on SQLite.
      await sql`insert into transfers (kind, debit_account_id, credit_account_id, amount, note, created_at) values ('adjustment', 2, 1, 500, 'before the upgrade', 1)`.execute(old.kysely);
    } finally {
      await old.close();
    }
    const before = await schemaState(url);
    expect(before.applied).toEqual(ALL_MIGRATIONS.slice(0, ALL_MIGRATIONS.indexOf(released) + 1));
    const upgraded = await runCli(['migrate', '--db', url, '--json']);
    expect(upgraded.code, upgraded.stderr).toBe(0);
    expect(JSON.parse(upgraded.stdout).applied).toEqual(ALL_MIGRATIONS.slice(ALL_MIGRATIONS.indexOf(released) + 1));
    expect(await schemaState(url)).toEqual({ applied: ALL_MIGRATIONS, tables: APP_TABLES });
    const store = await Store.open(url, { migrate: false });
    try {
      expect((await sql<{ amount: number | string; note: string }>`select amount, note from transfers`.execute(store.kysely)).rows.map((r) => [Number(r.amount), r.note])).toEqual([[500, 'before the upgrade']]);
    } finally {
      await store.close();
    }
  });

  it('lets ten processes migrate one database at once: one applies, the others find it done', async () => {
    const { url } = await fresh();
    const results = await Promise.all([...Array(10)].map(() => runCli(['migrate', '--db', url, '--json'])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const applied = results.map((r) => (JSON.parse(r.stdout) as { applied: string[] }).applied);
    expect(applied.filter((a) => a.length > 0)).toEqual([ALL_MIGRATIONS]);
    expect(await schemaState(url)).toEqual({ applied: ALL_MIGRATIONS, tables: APP_TABLES });
  });

  it('leaves no half-built schema when migrate is killed at any moment', async () => {
    const tries = dialect === 'sqlite' ? 12 : 6;
    // How long a whole migrate takes here: process start and connecting come first, the migration last.
    const started = performance.now();
    expect((await runCli(['migrate', '--db', (await fresh()).url])).code).toBe(0);
    const whole = performance.now() - started;
    let interrupted = 0;
    for (let i = 0; i < tries; i++) {
      const { url } = await fresh();
      const child = spawn(process.execPath, [BIN, 'migrate', '--db', url], { stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      // Kills spread over the second half of the run, where the migration itself happens.
      await sleep(whole * (0.5 + (0.5 * i) / tries));
      child.kill('SIGKILL');
      if ((await exited) === null) interrupted++;
      const state = await schemaState(url);
      if (state.applied.length === 0) expect(state.tables).toEqual([]);
      else expect(state).toEqual({ applied: ALL_MIGRATIONS, tables: APP_TABLES });
      // And the next migrate finishes the job.
      expect((await runCli(['migrate', '--db', url])).code).toBe(0);
      expect(await schemaState(url)).toEqual({ applied: ALL_MIGRATIONS, tables: APP_TABLES });
    }
    expect(interrupted).toBeGreaterThan(0); // the kills did land before the process finished
  }, 120_000);
});
