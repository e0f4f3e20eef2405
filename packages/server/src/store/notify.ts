// Postgres LISTEN/NOTIFY: one dedicated connection per process, outside the pool (a LISTEN lasts as
// long as its connection, and a pooled connection is handed to anyone). Nothing but dialect.ts imports it.
import pg from 'pg';

/** What a listener is told: each notification's payload, and the connection's losses and returns. */
export interface NotificationHandlers {
  message(payload: string): void;
  /** The connection was lost; notifications sent until `reconnected` are missed. */
  lost(error: unknown): void;
  reconnected(): void;
}

export interface Notifications {
  /** Fire and forget, in order: while the connection is down the message is dropped. */
  send(payload: string): void;
  close(): Promise<void>;
}

const APPLICATION_NAME = 'fastpva-listen';
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 30_000;

/** Listens on `channel` (a constant identifier). Connects now, so that a failure shows at start. */
export async function listen(connectionString: string, channel: string, handlers: NotificationHandlers): Promise<Notifications> {
  let client: pg.Client | undefined;
  let closed = false;
  let retryMs = RETRY_FIRST_MS;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    // Named, so that an operator can tell it from the pool in pg_stat_activity.
    const c = new pg.Client({ connectionString, application_name: APPLICATION_NAME });
    // Attached first: an error event without a listener would end the process.
    c.on('error', (error) => lost(c, error));
    c.on('end', () => lost(c, new Error('the LISTEN connection ended')));
    c.on('notification', (n) => {
      if (n.payload !== undefined) handlers.message(n.payload);
    });
    try {
      await c.connect();
      await c.query(`listen ${channel}`);
    } catch (error) {
      await c.end().catch(() => undefined);
      throw error;
    }
    client = c;
  };

  const lost = (c: pg.Client, error: unknown) => {
    if (client !== c || closed) return;
    client = undefined;
    c.end().catch(() => undefined);
    handlers.lost(error);
    schedule();
  };

  const schedule = () => {
    timer = setTimeout(async () => {
      if (closed) return;
      try {
        await connect();
        if (closed) {
          await client?.end().catch(() => undefined); // closed while connecting
          return;
        }
        retryMs = RETRY_FIRST_MS;
        handlers.reconnected();
      } catch {
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
        schedule();
      }
    }, retryMs);
    timer.unref();
  };

  await connect();
  // One query at a time on the connection: node-postgres queues overlapping ones, and is deprecating that.
  let sending = Promise.resolve();
  return {
    send(payload) {
      sending = sending.then(() => client?.query('select pg_notify($1, $2)', [channel, payload])).then(
        () => undefined,
        () => undefined,
      );
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await sending; // what was sent goes out first (a CLI command closes right after its change)
      await client?.end().catch(() => undefined);
    },
  };
}
