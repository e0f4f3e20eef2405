import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.js';
import type { Bus, BusListener } from './order-feed.js';

/**
 * A small in-process cache with a time limit, for reads made on every request that change rarely
 * (who an API key belongs to, a project's terms). Writes in this process evict at once; other
 * processes of a cluster see a change within the time limit.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** The cached value, or `load()`'s; an undefined result is not cached, so new rows appear at once. */
  async get(key: K, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const now = this.clock.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    const value = await load();
    if (value === undefined || this.ttlMs <= 0) return value;
    // A full cache starts over rather than tracking recency: cheap, and refilled within one TTL.
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    return value;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * Keeps the caches of every server process of a cluster in step: a change forgets what it made
 * stale here at once, and on the other processes as soon as the bus carries the message (Postgres
 * NOTIFY or Redis, milliseconds), not after the time limit. The bus is the one long-poll uses.
 */
export class CacheSync implements BusListener {
  private readonly caches = new Map<string, () => void>();
  private bus: Bus | undefined;
  /** Tells this process's own messages apart when the bus echoes them back (Postgres NOTIFY does). */
  private readonly sender = randomBytes(6).toString('hex');

  /** `forget` empties the cache called `name`, whichever process changed what it holds. */
  register(name: string, forget: () => void): void {
    this.caches.set(name, forget);
  }

  /** What `name` holds changed: forgotten here now, and on the other processes. */
  stale(name: string): void {
    this.caches.get(name)?.();
    this.bus?.send(JSON.stringify({ from: this.sender, stale: name }));
  }

  attach(bus: Bus): void {
    this.bus = bus;
  }

  message(text: string): void {
    let parsed: { from?: unknown; stale?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      return; // not ours: a shared Redis may carry anything
    }
    if (parsed.from !== this.sender && typeof parsed.stale === 'string') this.caches.get(parsed.stale)?.();
  }

  /** Messages may have been missed while the bus was down: forget everything. */
  reconnected(): void {
    for (const forget of this.caches.values()) forget();
  }
}
