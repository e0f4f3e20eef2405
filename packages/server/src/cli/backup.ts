// `fastpva backup` and `fastpva restore`: an online copy of the SQLite database while the server keeps
// serving, and putting a copy back in place once it has passed every check, with the server stopped.
import fs from 'node:fs';
import path from 'node:path';
import { Ledger, type LedgerAudit } from '../domain/ledger.js';
import {
  pgDumpCommand,
  pgRestoreCommand,
  publishFile,
  removeSqliteFile,
  replaceSqliteFile,
  snapshotSqlite,
  sqliteFileInUse,
  sqliteFileProblem,
} from '../store/backup.js';
import { parseDatabaseUrl } from '../store/dialect.js';
import { Store } from '../store/store.js';
import { required, text } from './args.js';
import { command, Refused as CommandFailed, type Result } from './command.js';
import { DATABASE_FLAG, databaseUrl } from './database.js';

export const backup = command({
  name: 'backup',
  summary: 'copy the SQLite database to a new file while the server keeps serving',
  details: 'One read transaction (VACUUM INTO): writers never wait. Never overwrites a file. On PostgreSQL it prints the pg_dump command to run.',
  flags: { to: required('FILE', 'the new file to write (must not exist)', text), db: DATABASE_FLAG },
  run: async (o, io) => backupTo(databaseUrl(o.db, io.env), o.to),
});

export const restore = command({
  name: 'restore',
  summary: 'put a checked backup in place of a SQLite database (servers on it stopped)',
  details: 'Checks the file (integrity, a fastpva schema, the ledger audit), refuses while a server has the target open, then swaps it in with one rename.',
  flags: {
    from: required('FILE', 'the backup to restore', text),
    db: required('URL', 'the database to restore into, e.g. sqlite:./data/fastpva.db', text),
  },
  run: async (o) => restoreFrom(o.from, o.db),
});

async function backupTo(url: string, toFile: string): Promise<Result> {
  const source = sqliteFile(url, (pg) => `PostgreSQL is backed up with pg_dump, online and consistent: ${pgDumpCommand(pg, toFile)}`);
  if (!fs.existsSync(source)) throw new CommandFailed(`There is no database at ${source}; check --db or DATABASE_URL`);
  const to = path.resolve(toFile);
  if (fs.existsSync(to)) throw new CommandFailed(`${toFile} already exists; a backup never overwrites a file, so give a new name`);
  const started = Date.now();
  // Written under a temporary name first: a backup cut short never looks like a finished one.
  const partial = path.join(path.dirname(to), `.${path.basename(to)}.${process.pid}.partial`);
  await inOneLine(`Backup of ${source} failed`, async () => {
    try {
      fs.mkdirSync(path.dirname(to), { recursive: true });
      snapshotSqlite(source, partial);
      publishFile(partial, to);
    } catch (error) {
      if ((error as { code?: string }).code === 'EEXIST') throw new CommandFailed(`${toFile} appeared while the backup ran; nothing was overwritten`);
      throw error;
    } finally {
      removeSqliteFile(partial);
    }
  });
  const bytes = fs.statSync(to).size;
  const ms = Date.now() - started;
  return { json: { from: source, to, bytes, ms }, text: `Backed up ${source} to ${to} (${bytes} bytes in ${ms} ms)` };
}

async function restoreFrom(fromFile: string, db: string): Promise<Result> {
  const target = sqliteFile(db, (url) => `A PostgreSQL backup is restored with pg_restore, servers stopped: ${pgRestoreCommand(url, fromFile)}`);
  const from = path.resolve(fromFile);
  if (!fs.existsSync(from)) throw new CommandFailed(`There is no file at ${fromFile}; check --from`);
  if (from === target) throw new CommandFailed('--from and --db name the same file');
  const inUse = () => {
    if (fs.existsSync(target) && sqliteFileInUse(target)) {
      throw new CommandFailed(`${target} is open in another process (a running server?); stop it, then restore`);
    }
  };
  // The copy is made beside the target, so that one rename puts it in place.
  const copy = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.restore`);
  const audit = await inOneLine(`Restore into ${target} failed`, async () => {
    const problem = sqliteFileProblem(from);
    if (problem) throw new CommandFailed(`${fromFile} ${problem}; nothing was restored`);
    inUse();
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      snapshotSqlite(from, copy);
      const checked = await auditLedger(copy);
      if (!checked.ok) {
        throw new CommandFailed(
          `The ledger in ${fromFile} does not balance (${checked.mismatched.length} accounts differ from their transfers, ` +
            `${checked.holdsResolvedTwice.length} holds resolved twice, total ${checked.total}); nothing was restored`,
        );
      }
      inUse(); // again: a server may have started while the copy was checked
      replaceSqliteFile(copy, target);
      return checked;
    } finally {
      removeSqliteFile(copy);
    }
  });
  return {
    json: { from, to: target, accounts: audit.accounts.length },
    text: `Restored ${from} into ${target}: intact, and the ledger balances across ${audit.accounts.length} accounts. Start the server on it.`,
  };
}

/** The SQLite file a database URL names; for Postgres, `postgres` says what to run instead. */
function sqliteFile(url: string, postgres: (url: string) => string): string {
  let location;
  try {
    location = parseDatabaseUrl(url);
  } catch (error) {
    throw new CommandFailed((error as Error).message);
  }
  if (location.dialect === 'postgres') throw new CommandFailed(postgres(url));
  if (location.target === ':memory:') throw new CommandFailed('An in-memory database cannot be backed up or restored');
  return path.resolve(location.target);
}

async function auditLedger(file: string): Promise<LedgerAudit> {
  const store = await Store.open(`sqlite:${file}`, { migrate: false });
  try {
    return await (await Ledger.load(store)).audit(store);
  } finally {
    await store.close();
  }
}

/** Any failure becomes one line: a disk that is full or read-only is the operator's to fix, not a stack trace. */
async function inOneLine<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CommandFailed) throw error;
    throw new CommandFailed(`${what}: ${(error as Error).message}`);
  }
}
