// Group commit for SQLite. With synchronous=FULL every COMMIT waits for the disk (about 1 ms here),
// and better-sqlite3 waits on the event loop's thread: one fsync per getNumber would cap the server
// near 600 orders/s. Instead, write transactions that arrive together run one after another as
// savepoints inside one BEGIN IMMEDIATE ... COMMIT, and share its fsync. Each caller's promise
// settles only after that COMMIT, so a resolved transaction is exactly as durable as before, and a
// failed one is rolled back to its savepoint without touching the others.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

interface Job {
  work: (trx: Kysely<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Bounds one batch, so that a burst cannot hold the database for long. */
const MAX_BATCH = 64;

export class GroupCommit {
  private readonly queue: Job[] = [];
  private running = false;

  constructor(private readonly db: Kysely<Database>) {}

  transaction<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        // A batch runs in microtasks and its COMMIT blocks the thread, so requests that arrived
        // meanwhile are still unread: one turn of the event loop lets them in to join this batch.
        await new Promise((resolve) => setImmediate(resolve));
        await this.batch();
      }
    } finally {
      this.running = false;
    }
  }

  /** One BEGIN ... COMMIT holding every job queued by now (and those that arrive meanwhile, up to MAX_BATCH). */
  private async batch(): Promise<void> {
    const taken: Job[] = [];
    const done: { job: Job; value: unknown }[] = [];
    try {
      await this.db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          while (taken.length < MAX_BATCH && this.queue.length > 0) {
            const job = this.queue.shift()!;
            taken.push(job);
            await sql`savepoint job`.execute(conn);
            let value: unknown;
            try {
              value = await job.work(conn);
            } catch (error) {
              await sql`rollback to job`.execute(conn);
              await sql`release job`.execute(conn);
              job.reject(error);
              continue;
            }
            await sql`release job`.execute(conn);
            done.push({ job, value });
          }
          await sql`commit`.execute(conn);
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      // BEGIN or COMMIT failed (a busy file, a full disk): nothing of this batch happened. Every job
      // taken, and those still waiting when BEGIN itself failed, learn it (a rejected job stays rejected).
      const failed = taken.length > 0 ? taken : this.queue.splice(0);
      for (const job of failed) job.reject(error);
      return;
    }
    for (const { job, value } of done) job.resolve(value);
  }
}
