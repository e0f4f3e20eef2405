// Store.transaction semantics, whatever batching the dialect does underneath (SQLite group-commits
// concurrent transactions as savepoints of one COMMIT): each transaction is all or nothing, a failing
// one never takes its neighbours with it, and what resolved is on disk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
