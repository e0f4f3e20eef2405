// The bus between server processes: the order feed (an order taken, an SMS delivered or an order
// ended on one process wakes the long-polls and the web app's live streams of every other) and cache
// invalidation (a disabled or rotated API key, a changed project, stops being served from every
// process's cache at once). Redis pub/sub when REDIS_URL is set, else Postgres LISTEN/NOTIFY when the
// database is Postgres, else none (one process, which sees its own changes).
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';
import type { Bus, BusListener } from './domain/order-feed.js';
import type { NotificationHandlers } from './store/notify.js';
import type { Store } from './store/store.js';

/** The Postgres channel and the Redis channel. */
const CHANNEL = 'fastpva_order_changed';

export type BusKind = 'redis' | 'postgres' | 'none';

/** Something that sends on the bus and hears every message of the other processes. */
export type BusMember = BusListener & { attach(bus: Bus): void };

/**
 * Connects `members` to the other processes and returns the bus to close at the end (none: one process).
 * Redis first: the operator named it as the shared message service, and it keeps this traffic and a
 * connection per process off the database (and works behind a transaction-pooling PgBouncer, where
 * LISTEN does not). Fails when the bus cannot be reached at start, rather than serve waits that only
 * this process can end.
 */
export async function connectBus(
  members: BusMember[],
  options: { redisUrl: string | undefined; store: Store; log: Pick<FastifyBaseLogger, 'warn' | 'info'> },
): Promise<{ kind: BusKind; bus: Bus | undefined }> {
  const { redisUrl, store, log } = options;
  const kind: BusKind = redisUrl ? 'redis' : store.dialect.name === 'postgres' ? 'postgres' : 'none';
  // Each bus calls `lost` once per outage. Every member reads every message and ignores what is not its own.
  const handlers: NotificationHandlers = {
    message: (text) => members.forEach((m) => m.message(text)),
    lost: (error) => log.warn({ err: error }, `the ${kind} bus is unreachable: long-polls and live pages see their own process's changes only; caches expire by time only`),
    reconnected() {
      log.info(`the ${kind} bus is back`);
      members.forEach((m) => m.reconnected());
    },
  };
  const bus = kind === 'redis' ? await redisBus(redisUrl!, handlers) : kind === 'postgres' ? await store.listen(CHANNEL, handlers) : undefined;
  if (bus) members.forEach((m) => m.attach(bus));
  return { kind, bus };
}

/** Two connections: a subscribed Redis connection takes no other command. */
async function redisBus(url: string, handlers: NotificationHandlers): Promise<Bus> {
  const subscriber = new Redis(url, { lazyConnect: true, connectTimeout: 5000 });
  // No offline queue: while Redis is away a wake-up is dropped at once, not queued for later.
  const publisher = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5000 });
  let lost = false;
  subscriber.on('error', (error) => {
    if (lost) return;
    lost = true;
    handlers.lost(error);
  });
  publisher.on('error', () => undefined); // the subscriber reports the outage, the same Redis
  // ioredis subscribes again on its own after reconnecting.
  subscriber.on('ready', () => {
    if (!lost) return;
    lost = false;
    handlers.reconnected();
  });
  subscriber.on('message', (_channel: string, text: string) => handlers.message(text));
  try {
    await Promise.all([subscriber.connect(), publisher.connect()]);
    await subscriber.subscribe(CHANNEL);
  } catch (error) {
    subscriber.disconnect();
    publisher.disconnect();
    throw new Error(`Cannot connect to Redis (REDIS_URL): ${(error as Error).message}`);
  }
  return {
    send(text) {
      publisher.publish(CHANNEL, text).catch(() => undefined);
    },
    async close() {
      await Promise.all([subscriber, publisher].map((r) => r.quit().catch(() => r.disconnect())));
    },
  };
}
