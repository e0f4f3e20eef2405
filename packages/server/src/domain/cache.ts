import type { Clock } from './clock.js';

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
