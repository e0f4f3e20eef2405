// An exclusive lock on a file that the operating system drops when the process ends, however it ends
// (Ctrl+C, a crash, kill -9), so it never goes stale as a pid file can: a SQLite connection that holds
// its file's EXCLUSIVE lock for as long as it is open.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

export interface FileLock {
  release(): void;
}

/** Takes the lock, or returns undefined at once when another process (or connection) holds it. */
export function tryLock(file: string): FileLock | undefined {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new BetterSqlite3(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // In EXCLUSIVE locking mode the lock this transaction takes is kept after it commits.
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw error;
  }
  return { release: () => db.close() };
}
