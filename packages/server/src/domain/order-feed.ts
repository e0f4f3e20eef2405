// Changes to customers' orders (taken, an SMS delivered, ended) on every server process: what
// long-poll waiters and the web app's live streams watch. This process's changes come from the
// domain's events; the other processes' through a bus (Redis pub/sub or Postgres LISTEN/NOTIFY,
// see bus.ts), to which this process sends its own. With no bus (one process on SQLite) only this
// process's changes are seen, which are all there are.
import { randomBytes } from 'node:crypto';
import type { DomainEventHub } from './events.js';
import { isObjectId } from './ids.js';

/** Text messages between the server processes; at most once, in no particular order. */
export interface Bus {
  send(message: string): void;
  close(): Promise<void>;
}

/** What a bus calls back. */
export interface BusListener {
  message(text: string): void;
  /** The bus was down and is back: messages may have been missed meanwhile. */
  reconnected(): void;
}

export type OrderChangeKind = 'created' | 'sms' | 'ended';

export interface OrderChange {
  userId: number;
  /** The order's public id and its activation id: surfaces name orders by either. */
  orderId: string;
  activationId: number;
  change: OrderChangeKind;
}

export interface OrderWatcher {
  change(change: OrderChange): void;
  /** The bus was down: changes made elsewhere meanwhile were missed, so read again what matters. */
  missed(): void;
}

const KINDS = new Set<string>(['created', 'sms', 'ended']);
const isId = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

export class OrderFeed implements BusListener {
  private readonly watchers = new Set<OrderWatcher>();
  private bus: Bus | undefined;
  /** Tells this process's own messages apart when the bus echoes them back (Postgres NOTIFY does). */
  private readonly sender = randomBytes(6).toString('hex');

  constructor(events: DomainEventHub) {
    events.on('order.created', (e) => this.publish({ userId: e.userId, orderId: e.orderId, activationId: e.activationId, change: 'created' }));
    events.on('sms.received', (e) => {
      if (e.order) this.publish({ ...e.order, change: 'sms' });
    });
    events.on('order.ended', (e) => this.publish({ userId: e.userId, orderId: e.orderId, activationId: e.activationId, change: 'ended' }));
  }

  /** Calls `watcher` for every change, this process's and the others'; returns how to stop. */
  watch(watcher: OrderWatcher): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Sends this process's changes to the other processes, and takes theirs. */
  attach(bus: Bus): void {
    this.bus = bus;
  }

  /** `{"from":<process>,"orders":[<activation id>,"<public id>"],"user":<user id>,"change":"sms"}` */
  message(text: string): void {
    let m: { from?: unknown; orders?: unknown; user?: unknown; change?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return; // not ours: a shared Redis may carry anything
    }
    if (m.from === this.sender || !Array.isArray(m.orders) || !isId(m.user) || typeof m.change !== 'string' || !KINDS.has(m.change)) return;
    const [activationId, orderId] = m.orders as unknown[];
    if (!isId(activationId) || typeof orderId !== 'string' || !isObjectId(orderId)) return;
    this.deliver({ userId: m.user, orderId, activationId, change: m.change as OrderChangeKind });
  }

  reconnected(): void {
    for (const watcher of this.watchers) watcher.missed();
  }

  private publish(change: OrderChange): void {
    this.deliver(change);
    this.bus?.send(JSON.stringify({ from: this.sender, orders: [change.activationId, change.orderId], user: change.userId, change: change.change }));
  }

  private deliver(change: OrderChange): void {
    for (const watcher of this.watchers) watcher.change(change);
  }
}
