// Store.transaction semantics, whatever batching the dialect does underneath (SQLite group-commits
// concurrent transactions as savepoints of one COMMIT): each transaction is all or nothing, a failing
// one never takes its neighbours with it, and what resolved is on disk.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { prepared } from '../src/store/prepared.js';
import { Store } from '../src/store/store.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from './helpers/databases.js';

describe.each(DIALECTS)('store transactions on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => database?.drop());

  it('keeps every committed transaction and none of the failed ones, under concurrency', async () => {
    const store = await Store.open(database.url);
    const now = Date.now();
    const outcomes = await Promise.allSettled(
      [...Array(100)].map((_, i) =>
        store.transaction(async (repos) => {
          await repos.catalog.insertChannel({ id: 1000 + i, name: `c${i}`, now });
          await repos.catalog.insertChannel({ id: 5000 + i, name: `d${i}`, now });
          if (i % 3 === 0) throw new Error(`job ${i} changes its mind`);
          return i;
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason.message)).toEqual(
      [...Array(100).keys()].filter((i) => i % 3 === 0).map((i) => `job ${i} changes its mind`),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<number>).value)).toEqual(
      [...Array(100).keys()].filter((i) => i % 3 !== 0),
    );
    // A database error in one transaction (a duplicate key) rolls back that one only.
    const [dup, fine] = await Promise.allSettled([
      store.transaction((repos) => repos.catalog.insertChannel({ id: 1001, name: 'again', now })),
      store.transaction((repos) => repos.catalog.insertChannel({ id: 9000, name: 'fine', now })),
    ]);
    expect(dup.status).toBe('rejected');
    expect(fine.status).toBe('fulfilled');
    await store.close();

    // Reopened from disk: exactly the committed ones.
    const reopened = await Store.open(database.url);
    const ids = (await reopened.read.catalog.listChannels()).map((c) => c.id);
    const committed = [...Array(100).keys()].filter((i) => i % 3 !== 0);
    expect(ids).toEqual([...committed.map((i) => 1000 + i), ...committed.map((i) => 5000 + i), 9000]);
    await reopened.close();
  });

  // Reads the channels the test above committed.
  it('binds new values into a query compiled once, and compiles each argument shape apart', async () => {
    const store = await Store.open(database.url);
    const channels = prepared((db, ids: number[], name: string) =>
      db.selectFrom('channels').select(['id', 'name']).where('id', 'in', ids).where('name', '<>', name).orderBy('id'),
    );
    const insert = prepared((db, row: { id: number; name: string; enabled: 0 | 1; created_at: number }) => db.insertInto('channels').values(row));
    const run = async (ids: number[], name: string) => (await channels(store.kysely, store.dialect.name, ids, name)).rows;
    expect(await run([1000 + 1, 1000 + 2], 'nothing')).toEqual([{ id: 1001, name: 'c1' }, { id: 1002, name: 'c2' }]);
    expect(await run([1000 + 4, 1000 + 5], 'c4')).toEqual([{ id: 1005, name: 'c5' }]);
    expect(await run([1000 + 7], 'nothing')).toEqual([{ id: 1007, name: 'c7' }]);
    expect(await run([1000 + 7, 1000 + 8, 1000 + 10], 'c8')).toEqual([{ id: 1007, name: 'c7' }, { id: 1010, name: 'c10' }]);
    await insert(store.kysely, store.dialect.name, { id: 7001, name: 'x', enabled: 1, created_at: 1 });
    await insert(store.kysely, store.dialect.name, { id: 7002, name: 'y', enabled: 0, created_at: 2 });
    expect(await store.kysely.selectFrom('channels').select(['id', 'name', 'enabled']).where('id', '>', 7000).where('id', '<', 8000).orderBy('id').execute()).toEqual([
      { id: 7001, name: 'x', enabled: 1 },
      { id: 7002, name: 'y', enabled: 0 },
    ]);
    await store.close();
  });
});

describe('SQLite WAL checkpoints', () => {
  it('happen in the background worker, not in a COMMIT', async () => {
    const database = await createTestDatabase('sqlite');
    const store = await Store.open(database.url);
    const now = Date.now();
    for (let i = 0; i < 50; i++) await store.transaction((repos) => repos.catalog.insertChannel({ id: 20_000 + i, name: `w${i}`, now }));
    // Automatic checkpoints wait for 20,000 pages; only the worker can have copied these frames back.
    const file = new URL(database.url.replace(/^sqlite:/, 'file://')).pathname;
    const probe = new Database(file);
    await vi.waitFor(() => {
      const [state] = probe.pragma('wal_checkpoint(NOOP)') as { log: number; checkpointed: number }[];
      expect(state!.log).toBeGreaterThan(0);
      expect(state!.checkpointed).toBe(state!.log);
    }, { timeout: 5000, interval: 50 });
    probe.close();
    await store.close(); // resolves once the worker has closed its connection
    await database.drop();
  });
});
