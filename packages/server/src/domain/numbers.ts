// The number pool as admins manage it: list it, move numbers between suppliers (a replaced key, a
// SIM bank sold to another supplier), and take numbers out for good. Suppliers add numbers
// themselves through the push API (suppliers.ts).
import type { NumberFilter, NumberListRow } from '../store/repositories/numbers.js';
import type { Store } from '../store/store.js';
import type { Actor, AuditLog } from './audit.js';
import { BATCH_ROWS } from './batches.js';
import { normalizeCountry } from './catalog.js';
import type { Clock } from './clock.js';
import type { DomainConfig } from './config.js';
import { DomainError } from './errors.js';
import { healthOf, type NumberHealth } from './number-health.js';
import { toOffset, type PageRequest } from './paging.js';
import { normalizeNumber, normalizeNumbers, supplierNamed } from './suppliers.js';

export interface PoolNumber {
  number: string;
  country: string;
  operator: string;
  supplier: string;
  online: boolean;
  /** The live order using the number, if any. */
  orderId: string | null;
  removedAt: number | null;
  /** When its supplier, gateway or line last reported it. */
  lastSeenAt: number | null;
  createdAt: number;
  /** Orders taken and SMS delivered (in all and per project), and why it rests, if it does. */
  health: NumberHealth;
}

export interface NumberQuery extends PageRequest {
  supplier?: string | undefined;
  country?: string | undefined;
  online?: boolean | undefined;
  /** List removed numbers instead of the pool. */
  removed?: boolean | undefined;
}

export class NumberService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly config: DomainConfig,
    private readonly audit: AuditLog,
  ) {}

  /**
   * The heartbeat: online numbers that no supplier push, gateway or GoIP line reported within
   * supplierHeartbeatMs go offline (their SIM left the modem, or the gateway went away). One slice of
   * BATCH_ROWS per call; returns how many went offline.
   */
  async takeStaleOffline(): Promise<number> {
    if (this.config.supplierHeartbeatMs === 0) return 0;
    const now = this.clock.now();
    return this.store.transaction((repos) => repos.numbers.takeStaleOffline(now - this.config.supplierHeartbeatMs, BATCH_ROWS, now));
  }

  async list(query: NumberQuery): Promise<{ count: number; numbers: PoolNumber[] }> {
    const page = toOffset(query);
    let country: string | undefined;
    if (query.country !== undefined) {
      country = normalizeCountry(query.country);
      if (!country) throw new DomainError('INVALID_INPUT', `${query.country} is not an ISO 3166 country code`);
    }
    const supplier = query.supplier === undefined ? undefined : await supplierNamed(this.store.read, query.supplier);
    return this.page({ supplierId: supplier?.id, country, online: query.online, removed: query.removed ?? false }, page);
  }

  /** A supplier's own numbers with their health, as the supplier push API shows them. */
  async ofSupplier(supplierId: number, query: PageRequest & { online?: boolean | undefined }): Promise<{ count: number; numbers: PoolNumber[] }> {
    return this.page({ supplierId, online: query.online, removed: false }, toOffset(query));
  }

  /** One number, in the pool or removed, with its health per project. */
  async show(input: string): Promise<PoolNumber> {
    const number = normalizeNumber(input);
    if (!number) throw new DomainError('INVALID_INPUT', `${input} is not an international phone number`);
    const [found] = (await this.page({ number }, { offset: 0, limit: 1 })).numbers;
    if (!found) throw new DomainError('NOT_FOUND', `${number} is not in the pool`);
    return found;
  }

  private async page(filter: NumberFilter, page: { offset: number; limit: number }): Promise<{ count: number; numbers: PoolNumber[] }> {
    const { count, rows } = await this.store.read.numbers.list(filter, page);
    const health = await healthOf(this.store.read, rows, this.clock.now());
    return { count, numbers: rows.map((r) => toPoolNumber(r, health.get(r.id)!)) };
  }

  /**
   * Moves numbers (`numbers`, or every number in the pool of `from`) to supplier `to`, online state
   * and all. Live orders keep the supplier they were made with: it is paid its share of their charges.
   */
  async transfer(input: { from: string; to: string; numbers?: string[] | undefined }, by?: Actor): Promise<{ transferred: number }> {
    if (input.from === input.to) throw new DomainError('INVALID_INPUT', 'Numbers move between two different suppliers');
    const numbers = input.numbers === undefined ? undefined : normalizeNumbers(input.numbers);
    const now = this.clock.now();
    const transferred = await this.audit.change(by, { action: 'number.transfer', target: `supplier:${input.from}` }, {
      change: async (repos) => {
        const from = await supplierNamed(repos, input.from);
        const to = await supplierNamed(repos, input.to);
        if (numbers) {
          const unknown = await repos.numbers.unknownOf(from.id, numbers);
          if (unknown.length > 0) {
            throw new DomainError('UNKNOWN_NUMBER', `Not in the pool of ${from.name}: ${unknown.join(', ')}`, { numbers: unknown });
          }
        }
        return repos.numbers.transfer(from.id, to.id, numbers, now);
      },
      after: (count) => ({ to: input.to, numbers: numbers ?? 'all', transferred: count }),
    });
    return { transferred };
  }

  /**
   * Takes numbers out of the pool: never handed out again, refused by the push API as unregistered,
   * their history kept. A number a live order is using is refused: end the order first. A supplier
   * that registers a removed number again brings it back as its own.
   */
  async remove(inputs: string[], by?: Actor): Promise<{ removed: number }> {
    const numbers = normalizeNumbers(inputs);
    const now = this.clock.now();
    const removed = await this.audit.change(by, { action: 'number.remove', target: `number:${numbers[0]}${numbers.length > 1 ? ` (+${numbers.length - 1})` : ''}` }, {
      before: () => Promise.resolve({ numbers }),
      change: async (repos) => {
        const rows = await repos.numbers.lockMany(numbers);
        const found = new Set(rows.map((r) => r.number));
        const unknown = numbers.filter((n) => !found.has(n));
        if (unknown.length > 0) throw new DomainError('NOT_FOUND', `Not in the pool: ${unknown.join(', ')}`, { numbers: unknown });
        const busy = rows.filter((r) => r.active_order_id !== null).map((r) => r.number);
        if (busy.length > 0) {
          throw new DomainError('NUMBER_BUSY', `A live order is using ${busy.join(', ')}: wait until it ends, then remove again`, { numbers: busy });
        }
        return repos.numbers.remove(
          rows.filter((r) => r.removed_at === null).map((r) => r.id),
          now,
        );
      },
      after: (count) => ({ removed: count }),
    });
    return { removed };
  }
}

const toPoolNumber = (r: NumberListRow, health: NumberHealth): PoolNumber => ({
  number: r.number,
  country: r.country,
  operator: r.operator,
  supplier: r.supplier,
  online: r.online === 1,
  orderId: r.order_id,
  removedAt: r.removed_at,
  lastSeenAt: r.last_seen_at,
  createdAt: r.created_at,
  health,
});
