// A platform on a real database with a manual clock, plus the few steps most tests start from.
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/api/app.js';
import { ManualClock } from '../../src/domain/clock.js';
import type { DomainConfig } from '../../src/domain/config.js';
import { createPlatform, type Platform } from '../../src/domain/platform.js';
import { Store } from '../../src/store/store.js';
import { createTestDatabase, type DialectName, type TestDatabase } from './databases.js';

export interface TestPlatform {
  dialect: DialectName;
  database: TestDatabase;
  store: Store;
  clock: ManualClock;
  platform: Platform;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function createTestPlatform(dialect: DialectName, config: Partial<DomainConfig> = {}, appOptions: AppOptions = {}): Promise<TestPlatform> {
  const database = await createTestDatabase(dialect);
  const store = await Store.open(database.url, { poolSize: 32 });
  const clock = new ManualClock(Date.UTC(2026, 0, 12, 14, 36, 26, 592));
  const platform = await createPlatform(store, { clock, config });
  const app = await buildApp(platform, appOptions);
  return {
    dialect,
    database,
    store,
    clock,
    platform,
    app,
    async close() {
      await app.close();
      await store.close();
      await database.drop();
    },
  };
}

export interface Seeded {
  apiKey: string;
  userId: number;
  supplierId: number;
  supplierKey: string;
  numbers: string[];
}

/**
 * A user with a balance, and a supplier with `count` online numbers on one channel (6 unless told).
 * Every supplier on a channel feeds the same pool, so tests that count numbers use their own channel.
 */
export async function seedUserAndSupplier(
  p: Platform,
  options: { balance?: number; count?: number; username?: string; supplier?: string; country?: string; prefix?: string; channel?: number } = {},
): Promise<Seeded> {
  const user = await p.users.create({ username: options.username ?? 'alice', balance: options.balance ?? 10_000 });
  const supplier = await p.suppliers.create({ name: options.supplier ?? 'SIM bank', channels: [options.channel ?? 6] });
  const prefix = options.prefix ?? '4477009';
  const numbers = [...Array(options.count ?? 5)].map((_, i) => `${prefix}${String(i).padStart(5, '0')}`);
  await p.suppliers.registerNumbers(supplier.id, numbers.map((number) => ({ number, country: options.country ?? 'GB' })));
  await p.suppliers.setOnline(supplier.id, numbers);
  return { apiKey: user.apiKey, userId: user.id, supplierId: supplier.id, supplierKey: supplier.key, numbers };
}

export async function expectLedgerConsistent(p: Platform): Promise<void> {
  const audit = await p.ledger.audit(p.store);
  if (!audit.ok) throw new Error(`ledger inconsistent: ${JSON.stringify({ total: audit.total, mismatched: audit.mismatched, twice: audit.holdsResolvedTwice })}`);
}
