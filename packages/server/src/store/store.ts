import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { NoDatabaseError, openDatabase, type DialectSupport, type OpenDatabase } from './dialect.js';
import { migrateToLatest, migrationState } from './migrate.js';
import type { NotificationHandlers, Notifications } from './notify.js';
import { AccountRepository } from './repositories/accounts.js';
import { AuditRepository } from './repositories/audit.js';
import { CatalogRepository } from './repositories/catalog.js';
import { GatewayRepository } from './repositories/gateways.js';
import { GoipLineRepository } from './repositories/goip-lines.js';
import { InboundSmsRepository } from './repositories/inbound-sms.js';
import { NameRepository } from './repositories/names.js';
import { NumberRepository } from './repositories/numbers.js';
import { OrderRepository } from './repositories/orders.js';
import { RechargeRepository } from './repositories/recharges.js';
import { RemoteSupplyRepository } from './repositories/remote-supply.js';
import { SmppRepository } from './repositories/smpp.js';
import { ReportRepository } from './repositories/reports.js';
import { SessionRepository } from './repositories/sessions.js';
import { SupplierRepository } from './repositories/suppliers.js';
import { TransferRepository } from './repositories/transfers.js';
import { UserRepository } from './repositories/users.js';
import { WebhookRepository } from './repositories/webhooks.js';
import type { Database } from './schema.js';

export interface Repositories {
  users: UserRepository;
  accounts: AccountRepository;
  transfers: TransferRepository;
  catalog: CatalogRepository;
  suppliers: SupplierRepository;
  numbers: NumberRepository;
  orders: OrderRepository;
  inboundSms: InboundSmsRepository;
  recharges: RechargeRepository;
  names: NameRepository;
  smpp: SmppRepository;
  webhooks: WebhookRepository;
  gateways: GatewayRepository;
  goipLines: GoipLineRepository;
  sessions: SessionRepository;
  audit: AuditRepository;
  reports: ReportRepository;
  remoteSupply: RemoteSupplyRepository;
}

function repositories(db: Kysely<Database>, dialect: DialectSupport): Repositories {
  return {
    users: new UserRepository(db, dialect),
    accounts: new AccountRepository(db, dialect),
    transfers: new TransferRepository(db, dialect),
    catalog: new CatalogRepository(db),
    suppliers: new SupplierRepository(db),
    numbers: new NumberRepository(db, dialect),
    orders: new OrderRepository(db, dialect),
    inboundSms: new InboundSmsRepository(db),
    recharges: new RechargeRepository(db),
    names: new NameRepository(db),
    smpp: new SmppRepository(db, dialect),
    webhooks: new WebhookRepository(db, dialect),
    gateways: new GatewayRepository(db),
    goipLines: new GoipLineRepository(db),
    sessions: new SessionRepository(db),
    audit: new AuditRepository(db),
    reports: new ReportRepository(db),
    remoteSupply: new RemoteSupplyRepository(db, dialect),
  };
}

/** A transaction kept failing on conflicts with other writers; the caller may try again later. */
export class StoreBusyError extends Error {
  constructor(cause: unknown) {
    super('The database is busy', { cause });
    this.name = 'StoreBusyError';
  }
}

const ATTEMPTS = 5;

/** The database behind the domain: repositories for single reads, and transactions for changes. */
export class Store {
  /** Outside any transaction: for reads that need no consistency with a write. */
  readonly read: Repositories;

  private constructor(private readonly opened: OpenDatabase) {
    this.read = repositories(opened.db, opened.dialect);
  }

  /**
   * `existing`: open only a database that has the current schema, and change nothing: no file, schema
   * or migration is created (NoDatabaseError instead). Otherwise pending migrations are applied
   * unless `migrate` is false.
   */
  static async open(url: string, options: { migrate?: boolean; poolSize?: number; existing?: boolean } = {}): Promise<Store> {
    const opened = await openDatabase(url, options);
    const store = new Store(opened);
    try {
      if (options.existing) {
        const { applied, pending } = await migrationState(opened.db, opened.dialect);
        if (applied.length === 0) throw new NoDatabaseError(url);
        if (pending.length > 0) throw new NoDatabaseError(url, pending);
      } else if (options.migrate !== false) await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  get dialect(): DialectSupport {
    return this.opened.dialect;
  }

  /** For tests and tooling that inspect the schema; domain code never touches it. */
  get kysely(): Kysely<Database> {
    return this.opened.db;
  }

  /** Applies the pending migrations (only those up to `upTo` when given: an older release's schema). */
  migrate(upTo?: string): Promise<string[]> {
    return migrateToLatest(this.opened.db, this.opened.dialect, upTo);
  }

  /**
   * Runs `work` in one transaction. A conflict with another writer (deadlock, serialization
   * failure, a busy SQLite file) rolls back and runs it again from the start.
   */
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.retrying(() => this.opened.dialect.transaction((trx) => work(repositories(trx, this.opened.dialect))));
  }

  /**
   * Runs `work` whose writes are one statement on Postgres (OrderRepository.open, which puts the
   * concurrent openings of one customer into one statement): there no transaction is wrapped around
   * it. On SQLite, where the same use case takes several statements, it is a transaction like any
   * other. Retried like `transaction`.
   */
  atomic<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.retrying(() => this.opened.dialect.atomic((db) => work(repositories(db, this.opened.dialect))));
  }

  private async retrying<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (!this.opened.dialect.isTransient(error)) throw error;
        if (attempt >= ATTEMPTS) throw new StoreBusyError(error);
        await sleep(Math.random() * 10 * attempt);
      }
    }
  }

  /** A round trip to the database, for health checks. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.opened.db);
  }

  /**
   * Messages between the processes that share this database, on a connection of their own: Postgres
   * LISTEN/NOTIFY. Undefined on SQLite, which has no such thing.
   */
  listen(channel: string, handlers: NotificationHandlers): Promise<Notifications> | undefined {
    return this.opened.listen?.(channel, handlers);
  }

  isUniqueViolation(error: unknown): boolean {
    return this.opened.dialect.isUniqueViolation(error);
  }

  close(): Promise<void> {
    return this.opened.close();
  }
}
