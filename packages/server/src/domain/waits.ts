// Long-poll (`wait=`): a request is held until one of its orders has an SMS to read or ends, or the
// wait runs out; then the surface reads and answers exactly as it would without waiting. A waiter is
// an entry in memory keyed by order, woken by the order feed: this process's changes and, through a
// bus, the other server processes' (Postgres LISTEN/NOTIFY or Redis pub/sub). It holds no database
// connection while it waits, so ten thousand waiters cost ten thousand small objects and timers.
import type { OrderRow } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { isObjectId } from './ids.js';
import type { OrderFeed } from './order-feed.js';
import { checkBatchSize, type OrderKey } from './orders.js';

/** The longest wait a customer may ask for; longer ones are cut to it (as is any beyond `maxWaitMs`). */
export const MAX_WAIT_SECONDS = 60;

/** A pending wake-up survives until the waiter looks: a wake that lands while it reads is not lost. */
class Waiter {
  private woken = false;
  private resolve: (() => void) | undefined;

  wake(): void {
    if (this.resolve) this.resolve();
    else this.woken = true;
  }

  /** Resolves at the next wake-up (at once if one came since the last look), after `ms`, or on abort. */
  next(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.woken || signal?.aborted) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.resolve = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.resolve = done;
    });
  }
}

/** The order has an SMS a read would show: delivered, and no newer one asked for (SMS-Activate status 3). */
const hasSmsToRead = (o: Pick<OrderRow, 'sms_status' | 'retry_at'>) => o.sms_status === 'received' && o.retry_at === null;

/** A key that can name an order: a positive whole number or a 24-hex public id. Others are never woken. */
const isOrderKey = (key: OrderKey) => (typeof key === 'number' ? Number.isSafeInteger(key) && key > 0 : isObjectId(key));

export class SmsWaits {
  private readonly waiters = new Map<OrderKey, Set<Waiter>>();
  private count = 0;
  private closed = false;

  constructor(
    private readonly store: Store,
    feed: OrderFeed,
    /** The longest a wait may last: within the HTTP handler timeout. */
    private readonly maxWaitMs: number,
  ) {
    feed.watch({
      // A new order has nobody waiting for it yet.
      change: (c) => c.change !== 'created' && this.wake([c.activationId, c.orderId]),
      missed: () => this.wakeAll(),
    });
  }

  /**
   * Waits until one of the user's orders (by activation id or public id) has an SMS to read, or none is
   * waiting any more (all ended, or unknown), or `timeoutMs` passed (cut to the maximum), or
   * `abortSignal` aborts (the client went away; given as a function, it is asked for only when a wait is
   * held), or the server closes. Resolves true when the orders' state ended the wait, false otherwise;
   * either way the caller then reads and answers as it would without a wait. A
   * timeout of 0 returns at once, reading nothing.
   */
  async forSms(userId: number, orders: readonly OrderKey[], timeoutMs: number, abortSignal?: AbortSignal | (() => AbortSignal)): Promise<boolean> {
    const keys = [...new Set(orders)].filter(isOrderKey);
    checkBatchSize(keys.length);
    const ms = Math.min(timeoutMs, this.maxWaitMs);
    if (!(ms > 0) || keys.length === 0 || this.closed) return false;
    // Asked for only now: Fastify builds a request's AbortController on first access, 5 µs of every
    // plain poll's 150 (cpu profile of getCode under the bench's load).
    const signal = typeof abortSignal === 'function' ? abortSignal() : abortSignal;
    if (signal?.aborted) return false;
    const deadline = performance.now() + ms;
    const waiter = new Waiter();
    // Registered before the first read: an SMS committed after that read still wakes this waiter.
    this.add(keys, waiter);
    try {
      for (;;) {
        if (await this.ready(userId, keys)) return true;
        const left = deadline - performance.now();
        if (left <= 0 || signal?.aborted || this.closed) return false;
        await waiter.next(left, signal);
        if (signal?.aborted || this.closed || performance.now() >= deadline) return false;
      }
    } finally {
      this.remove(keys, waiter);
    }
  }

  /** Waits in progress in this process. */
  get size(): number {
    return this.count;
  }

  /** Ends every wait (each answers what it has), and refuses new ones: the server is closing. */
  close(): void {
    this.closed = true;
    this.wakeAll();
  }

  private async ready(userId: number, keys: OrderKey[]): Promise<boolean> {
    const ids = keys.filter((k): k is number => typeof k === 'number');
    const publicIds = keys.filter((k): k is string => typeof k === 'string');
    const orders = await this.store.read.orders.waitStates(userId, { ids, publicIds });
    return orders.some(hasSmsToRead) || !orders.some((o) => o.number_status === 'receiving');
  }

  /** Each waiter of these orders looks again, once however many of its orders changed. */
  private wake(keys: Iterable<OrderKey>): void {
    const woken = new Set<Waiter>();
    for (const key of keys) for (const waiter of this.waiters.get(key) ?? []) woken.add(waiter);
    for (const waiter of woken) waiter.wake();
  }

  private wakeAll(): void {
    this.wake(this.waiters.keys());
  }

  private add(keys: OrderKey[], waiter: Waiter): void {
    for (const key of keys) {
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      set.add(waiter);
    }
    this.count++;
  }

  private remove(keys: OrderKey[], waiter: Waiter): void {
    for (const key of keys) {
      const set = this.waiters.get(key);
      set?.delete(waiter);
      if (set?.size === 0) this.waiters.delete(key);
    }
    this.count--;
  }
}
