// Everything that differs between SQLite and Postgres lives here, and nowhere else:
// how to connect, how a write transaction begins, row locking, id columns, and which
// errors mean "try again".
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type ColumnDefinitionBuilder,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type PostgresPool,
  type PostgresPoolClient,
  type SqliteDatabase,
  type SqliteDialectConfig,
  type SqliteStatement,
} from 'kysely';
import pg from 'pg';
import { BACKSTOP_PAGES, startCheckpointer } from './checkpointer.js';
import { GroupCommit } from './group-commit.js';
import { listen, type NotificationHandlers, type Notifications } from './notify.js';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseLocation {
  dialect: DialectName;
  /** File path (or ':memory:') for SQLite, connection string for Postgres. */
  target: string;
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/fastpva.db';

/** The database cannot be opened as asked. The message says why and what to do, in one line. */
export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
}

/** Opening an existing database found none there (or one that needs migrations), and created nothing. */
export class NoDatabaseError extends Error {
  override name = 'NoDatabaseError';
  constructor(
    readonly url: string,
    readonly pending: string[] = [],
  ) {
    super(pending.length ? `The database at ${redactUrl(url)} needs migrations (${pending.join(', ')})` : `No fastpva database at ${redactUrl(url)}`);
  }
}

/** `sqlite:./path.db`, `sqlite::memory:`, a bare `*.db` path, or `postgres://...`. */
export function parseDatabaseUrl(url: string): DatabaseLocation {
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', target: url };
  if (url.startsWith('sqlite:')) {
    const target = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (target === '') throw new DatabaseOpenError(`The database URL ${url} names no file: use sqlite:./file.db`);
    return { dialect: 'sqlite', target };
  }
  if (/\.(db|sqlite3?)$/i.test(url) || url === ':memory:') return { dialect: 'sqlite', target: url };
  throw new DatabaseOpenError(`Unsupported database URL ${redactUrl(url)}: use sqlite:./file.db or postgres://user@host:5432/db`);
}

/** The URL with its password masked, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

export interface DialectSupport {
  readonly name: DialectName;
  /** Whether SELECT ... FOR UPDATE SKIP LOCKED exists (Postgres). SQLite serialises writers instead. */
  readonly rowLocks: boolean;
  /** A conflict that a fresh attempt of the same transaction may not hit: deadlock, serialization, busy. */
  isTransient(error: unknown): boolean;
  isUniqueViolation(error: unknown): boolean;
  /** An auto-assigned integer primary key. */
  idColumn(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  readonly idType: 'integer' | 'bigint';
  /** Runs `work` in one write transaction (on SQLite, group-committed with its neighbours). */
  transaction<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * Runs `work`, whose writes are one statement on Postgres: there it runs on the pool, outside any
   * transaction (the statement is atomic by itself); on SQLite it is a transaction as above.
   */
  atomic<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T>;
}

/** What differs per dialect but not per open database. */
type DialectTraits = Omit<DialectSupport, 'transaction' | 'atomic'>;

export interface OpenDatabase {
  db: Kysely<Database>;
  dialect: DialectSupport;
  location: DatabaseLocation;
  /** Postgres only: LISTEN on a dedicated connection, and NOTIFY. */
  listen?: (channel: string, handlers: NotificationHandlers) => Promise<Notifications>;
  close(): Promise<void>;
}

export interface OpenOptions {
  poolSize?: number | undefined;
  /** Open only a database that exists: never create a SQLite file (NoDatabaseError instead). */
  existing?: boolean | undefined;
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<OpenDatabase> {
  const location = parseDatabaseUrl(url);
  if (location.dialect === 'postgres') return openPostgres(location, options.poolSize ?? 20);
  if (options.existing && location.target !== ':memory:' && !fs.existsSync(location.target)) throw new NoDatabaseError(url);
  return openSqlite(location, options.existing ?? false);
}

// ---------------------------------------------------------------- SQLite

const sqliteTraits: DialectTraits = {
  name: 'sqlite',
  rowLocks: false,
  isTransient: (error) => errorCode(error) === 'SQLITE_BUSY' || errorCode(error) === 'SQLITE_LOCKED',
  isUniqueViolation: (error) =>
    errorCode(error) === 'SQLITE_CONSTRAINT_UNIQUE' || errorCode(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
  idColumn: (column) => column.primaryKey(),
  idType: 'integer',
};

function openSqlite(location: DatabaseLocation, existing: boolean): OpenDatabase {
  const file = location.target;
  const memory = file === ':memory:';
  const directory = path.dirname(path.resolve(file));
  if (!existing && !memory) {
    try {
      fs.mkdirSync(directory, { recursive: true });
    } catch (error) {
      const code = errorCode(error);
      const problem = code === 'EEXIST' || code === 'ENOTDIR' ? `${directory} is not a folder` : `Cannot create the folder ${directory} (${code})`;
      throw new DatabaseOpenError(`${problem}: choose another file for the SQLite database with --db or DATABASE_URL`);
    }
  }
  let raw: BetterSqlite3.Database;
  try {
    raw = new BetterSqlite3(file, { fileMustExist: existing });
    raw.pragma('journal_mode = WAL');
  } catch (error) {
    const code = errorCode(error);
    if (code === 'SQLITE_NOTADB') throw new DatabaseOpenError(`${file} is not a SQLite database: choose another file with --db or DATABASE_URL`);
    if (code?.startsWith('SQLITE_CANTOPEN') || code?.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM') {
      throw new DatabaseOpenError(`Cannot write the SQLite database ${file} (${code}): make ${directory} writable, or choose another file with --db or DATABASE_URL`);
    }
    throw error;
  }
  raw.pragma('synchronous = FULL');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  raw.pragma('temp_store = MEMORY');
  // The default 2 MiB page cache cannot hold a large pool's indexes: finding a free number among
  // 100,000 with a million past usages took 100 µs per call, 30 µs with these.
  raw.pragma('cache_size = -65536');
  raw.pragma('mmap_size = 268435456');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: cachedStatements(raw) }) });
  const writer = new GroupCommit(db);
  const checkpointer = location.target === ':memory:' ? undefined : startCheckpointer(location.target);
  if (checkpointer) raw.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  return {
    db,
    dialect: { ...sqliteTraits, transaction: (work) => writer.transaction(work), atomic: (work) => writer.transaction(work) },
    location,
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/**
 * Kysely prepares every statement anew; preparing costs more than running a primary-key read.
 * Queries are built from a fixed set of shapes, so caching by SQL text stays small.
 */
function cachedStatements(raw: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    prepare(sqlText) {
      let statement = cache.get(sqlText);
      if (!statement) {
        if (cache.size >= 2000) cache.clear(); // a bound against shapes with variable IN-lists
        statement = raw.prepare(sqlText) as unknown as SqliteStatement;
        cache.set(sqlText, statement);
      }
      return statement;
    },
    close: () => raw.close(),
  };
}

/**
 * BEGIN IMMEDIATE takes the write lock up front; a plain BEGIN upgrades later and can fail with
 * SQLITE_BUSY without waiting when two processes share the file. (This serves Kysely's own
 * transactions, e.g. migrations; the store's go through GroupCommit, which begins the same way.)
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * SQLite runs DDL inside transactions, but Kysely's adapter says it does not, so its migrator would
 * apply each statement on its own: a killed `fastpva migrate` left half a schema, and two at once
 * collided. Saying so makes the migrator run every pending migration in one transaction, and the
 * BEGIN IMMEDIATE above makes that transaction the exclusive lock other migrators wait on.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

// ---------------------------------------------------------------- Postgres

const PG_TRANSIENT = new Set(['40001', '40P01', '55P03']);

const postgresTraits: DialectTraits = {
  name: 'postgres',
  rowLocks: true,
  isTransient: (error) => PG_TRANSIENT.has(errorCode(error) ?? ''),
  isUniqueViolation: (error) => errorCode(error) === '23505',
  idColumn: (column) => column.primaryKey().generatedByDefaultAsIdentity(),
  idType: 'bigint',
};

const INT8_OID = 20;

async function openPostgres(location: DatabaseLocation, poolSize: number): Promise<OpenDatabase> {
  const pool = new pg.Pool({
    connectionString: location.target,
    max: poolSize,
    // Cents and epoch milliseconds are bigint columns; they stay far below 2^53, so plain numbers are exact.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Connect once now, so that a server that is down or a database that is missing says so at start.
  try {
    (await pool.connect()).release();
  } catch (error) {
    await pool.end();
    throw postgresOpenError(location.target, error);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: namedStatements(pool) }) });
  return {
    db,
    dialect: { ...postgresTraits, transaction: (work) => db.transaction().execute(work), atomic: (work) => work(db) },
    location,
    listen: (channel, handlers) => listen(location.target, channel, handlers),
    close: () => db.destroy(),
  };
}

/** What went wrong connecting, and the fix, where we know it; the error itself otherwise. */
function postgresOpenError(url: string, error: unknown): unknown {
  const parsed = new URL(url);
  const server = `${parsed.hostname || 'localhost'}:${parsed.port || 5432}`;
  const database = decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || 'postgres';
  switch (errorCode(error)) {
    case 'ECONNREFUSED':
      return new DatabaseOpenError(`Postgres is not running at ${server} (connection refused): start it, or fix the database URL (DATABASE_URL or --db)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DatabaseOpenError(`There is no host ${parsed.hostname}: fix the database URL (DATABASE_URL or --db)`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new DatabaseOpenError(`Cannot reach Postgres at ${server} (${errorCode(error)}): check the network, or fix the database URL (DATABASE_URL or --db)`);
    case '3D000':
      return new DatabaseOpenError(`Postgres at ${server} has no database ${database}: create it with \`createdb ${database}\``);
    case '28P01':
    case '28000':
      return new DatabaseOpenError(`Postgres at ${server} refused the login (${(error as Error).message}): fix the user or password in the database URL`);
    default:
      return error;
  }
}

const DML = /^\s*(select|insert|update|delete|with)\b/i;
/**
 * Bulk statements (a supplier's numbers as a long IN-list) are planned on each call instead: after
 * five runs Postgres may keep a generic plan, which cannot see that 1,000 numbers select 1,000 rows
 * and scanned all 50,000 of the supplier's numbers per statement (2 s each).
 */
const MAX_NAMED_PARAMETERS = 64;

/**
 * Sends every DML statement as a named one, so each connection parses and plans it once rather than
 * on every call (planning the free-number query alone cost about 1.3 ms). The statements come from a
 * fixed set of query shapes, so the names stay few; a name is never reused for another text.
 */
function namedStatements(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) names.set(text, (name = `fastpva_${names.size}`));
    return name;
  };
  return {
    async connect() {
      const client = await pool.connect();
      return {
        query: ((text: unknown, values?: ReadonlyArray<unknown>) =>
          typeof text === 'string' && DML.test(text) && (values?.length ?? 0) <= MAX_NAMED_PARAMETERS
            ? client.query({ name: nameOf(text), text, values: values as unknown[] })
            : client.query(text as string, values as unknown[])) as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy),
      };
    },
    end: () => pool.end(),
  };
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
