// WAL checkpoints off the event loop. A checkpoint copies the WAL back into the database file and
// fsyncs it: 10 to 30 ms on a large database, which SQLite's automatic checkpoint would spend inside
// some request's COMMIT, blocking every other request meanwhile. A worker thread with its own
// connection runs PASSIVE checkpoints instead (they never block writers); the main connection keeps
// a high automatic threshold only as a backstop, should the worker fall behind.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Backstop for the main connection, in pages (4 KiB each): far above what the worker lets the WAL reach. */
export const BACKSTOP_PAGES = 20_000;

// CommonJS source for an eval worker: it cannot import the project's TypeScript under test runners.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage(String(error)); }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, intervalMs = 100): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { driver, file, intervalMs } });
  // A failed checkpoint is retried on the next tick; the backstop keeps the WAL bounded regardless.
  worker.on('message', (message) => process.emitWarning(`SQLite checkpoint failed: ${message}`));
  // After the listener (which refs the worker): the checkpointer alone never keeps a process alive.
  worker.unref();
  return {
    async stop() {
      worker.ref(); // so the process waits for the worker to close its connection
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('stop');
      await exited;
    },
  };
}
