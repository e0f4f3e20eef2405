// A pool that looks after itself (DESIGN §3): a number that takes restAfterFailures orders in a row
// without an SMS is rested for restMs, and its health (orders taken, SMS delivered, the last SMS) is
// read from the orders themselves, so no counter can drift from them. The count in a row lives on the
// number, changed in the transaction that ends the order or delivers the SMS.
import type { NumberListRow } from '../store/repositories/numbers.js';
import type { NumberRow, OrderRow } from '../store/schema.js';
import type { Repositories } from '../store/store.js';
import type { DomainConfig } from './config.js';

/** Why a number is not handed out for now. */
export interface Rest {
  until: number;
  /** Orders in a row that ended without an SMS. */
  failures: number;
  /** e.g. "rested: 5 orders in a row without SMS until 2026-01-02T03:04:05.000Z" */
  reason: string;
}

/** What a number did for one project. */
export interface ProjectHealth {
  myPid: number;
  enname: string;
  orders: number;
  /** Orders that got an SMS. */
  delivered: number;
  lastSmsAt: number | null;
}

export interface NumberHealth {
  orders: number;
  delivered: number;
  lastSmsAt: number | null;
  /** Orders in a row that ended without an SMS, up to now. */
  failuresInRow: number;
  /** null while the number may be handed out. */
  rest: Rest | null;
  projects: ProjectHealth[];
}

/**
 * Called where an order ends (orders.ts): an order that got no SMS counts against its number. The
 * count is not reset when a rest begins, so after the rest one more order without an SMS rests it again.
 */
export async function countOrderEnd(repos: Repositories, order: OrderRow, config: DomainConfig, now: number): Promise<void> {
  if (order.sms_status !== 'waiting') return; // an SMS came: its delivery already cleared the count
  await repos.numbers.countFailure(order.number_id, config.restAfterFailures, now + config.restMs);
}

/** Called where an order's first SMS is delivered (inbound-sms.ts): the number works. */
export async function countDelivery(repos: Repositories, numberId: number): Promise<void> {
  await repos.numbers.clearFailures(numberId);
}

/** The number's rest, or null when it is not resting at `now`. */
export function restOf(number: Pick<NumberRow, 'consecutive_failures' | 'rested_until'>, now: number): Rest | null {
  if (number.rested_until === null || number.rested_until <= now) return null;
  const failures = number.consecutive_failures;
  return {
    until: number.rested_until,
    failures,
    reason: `rested: ${failures} orders in a row without SMS until ${new Date(number.rested_until).toISOString()}`,
  };
}

/** The health of each listed number, by its id. */
export async function healthOf(read: Repositories, numbers: NumberListRow[], now: number): Promise<Map<number, NumberHealth>> {
  const rows = await read.numbers.health(numbers.map((n) => n.id));
  const health = new Map<number, NumberHealth>();
  for (const n of numbers) {
    health.set(n.id, { orders: 0, delivered: 0, lastSmsAt: null, failuresInRow: n.consecutive_failures, rest: restOf(n, now), projects: [] });
  }
  for (const r of rows) {
    const h = health.get(r.number_id)!;
    h.orders += r.orders;
    h.delivered += r.delivered;
    if (r.last_sms_at !== null && (h.lastSmsAt === null || r.last_sms_at > h.lastSmsAt)) h.lastSmsAt = r.last_sms_at;
    h.projects.push({ myPid: r.project_id, enname: r.enname, orders: r.orders, delivered: r.delivered, lastSmsAt: r.last_sms_at });
  }
  return health;
}
