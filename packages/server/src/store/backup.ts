// Whole databases: an online copy of a SQLite file, the checks a copy must pass before it is used,
// putting one in place, and the Postgres tools' command lines (Postgres backs itself up better).
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DEFAULT_MIGRATION_TABLE } from 'kysely';
import { MIGRATION_NAMES } from './migrate.js';

/** Files SQLite keeps beside a database; they belong to that one file and never to a copy. */
const SIDE_FILES = ['-wal', '-shm', '-journal'];

/**
 * Writes a consistent snapshot of `source` to `dest`, which must not exist, while servers keep using
 * it. VACUUM INTO reads in one read transaction: in WAL mode it never blocks writers, and their commits
 * never disturb it (better-sqlite3's stepwise backup starts over at each; DESIGN §6 has the figures).
 * SQLite does not fsync what VACUUM INTO writes, so this does.
 */
export function snapshotSqlite(source: string, dest: string): void {
  const db = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  try {
    db.prepare('vacuum into ?').run(dest);
  } finally {
    db.close();
  }
  fsync(dest);
}

/** What makes `file` unfit to serve as a fastpva database (a phrase to follow its name), or undefined. */
export function sqliteFileProblem(file: string): string | undefined {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('integrity_check') as { integrity_check: string }[];
    if (check[0]?.integrity_check !== 'ok') return `fails SQLite's integrity check (${check[0]?.integrity_check})`;
    const table = db.prepare('select 1 from sqlite_master where type = ? and name = ?').get('table', DEFAULT_MIGRATION_TABLE);
    if (!table) return 'has no migrations table, so it is not a fastpva database';
    const applied = db.prepare(`select name from ${DEFAULT_MIGRATION_TABLE} order by name`).pluck().all() as string[];
    const unknown = applied.find((name) => !MIGRATION_NAMES.includes(name));
    if (unknown) return `was written by a newer fastpva (migration ${unknown}); upgrade fastpva first`;
    return undefined;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB') return 'is not a SQLite database';
    if (code === 'SQLITE_CORRUPT') return `is damaged (${(error as Error).message})`;
    throw error;
  } finally {
    db.close();
  }
}

/**
 * Whether another connection has the database open. A server's WAL-mode connections hold a shared
 * lock on the file for as long as they live, so an exclusive lock is refused at once; a server killed
 * without closing leaves no lock behind. (Closing this probe checkpoints the file's own WAL into it.)
 */
export function sqliteFileInUse(file: string): boolean {
  const db = new BetterSqlite3(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('begin exclusive; commit');
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw error;
  } finally {
    db.close();
  }
}

/**
 * Puts `file` (a closed database in the same directory) in place of `target` with one rename. The
 * target's WAL and shared memory go first: left beside the new file, SQLite would replay them into it.
 */
export function replaceSqliteFile(file: string, target: string): void {
  if (fs.existsSync(`${file}-wal`)) throw new Error(`${file} still has a WAL file; close every connection to it first`);
  for (const suffix of SIDE_FILES) fs.rmSync(`${target}${suffix}`, { force: true });
  fs.renameSync(file, target);
  fsync(path.dirname(target));
}

/** Gives `file` the name `name` unless that exists (a hard link never replaces), durably. */
export function publishFile(file: string, name: string): void {
  fs.linkSync(file, name);
  fs.rmSync(file);
  fsync(path.dirname(name));
}

export function removeSqliteFile(file: string): void {
  for (const suffix of ['', ...SIDE_FILES]) fs.rmSync(`${file}${suffix}`, { force: true });
}

/** The pg_dump command line for this database: online and consistent, a custom-format archive. */
export function pgDumpCommand(url: string, file: string): string {
  return `${passwordHint(url)}pg_dump --format=custom --file=${shellQuote(file)} ${shellQuote(withoutPassword(url))}`;
}

/** The pg_restore command line that replaces this database's contents with a pg_dump archive, in one transaction. */
export function pgRestoreCommand(url: string, file: string): string {
  return `${passwordHint(url)}pg_restore --clean --if-exists --no-owner --single-transaction --dbname=${shellQuote(withoutPassword(url))} ${shellQuote(file)}`;
}

// A password in the URL is not repeated on the terminal; the Postgres tools read it from PGPASSWORD.
const passwordHint = (url: string) => (new URL(url).password ? 'PGPASSWORD=... ' : '');

function withoutPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}

const shellQuote = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

function fsync(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
