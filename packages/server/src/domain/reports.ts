// What the admin overview shows: orders per hour by outcome, success rates, money per day and the
// numbers online over time. Each reads only the days it shows, through covering indexes
// (migration 0009), so the overview costs the same after years of history.
import type { OutcomeGrouping } from '../store/repositories/reports.js';
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';

export type { OutcomeGrouping };

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** How often the number of online numbers is recorded (jobs/samples.ts). */
export const ONLINE_SAMPLE_MS = 5 * 60_000;

export interface HourOutcomes {
  /** The hour's start, epoch ms (UTC). */
  at: number;
  received: number;
  /** Ended without an SMS (refunded). */
  failed: number;
  /** Still waiting for an SMS. */
  waiting: number;
}

export interface SuccessRate {
  label: string;
  /** Ended orders. */
  orders: number;
  received: number;
  /** received / orders, 0 to 1. */
  rate: number;
}

export interface DayMoney {
  /** The day's start, epoch ms (UTC). */
  at: number;
  /** Cents charged to customers. */
  charged: number;
  /** Cents credited to suppliers as their share. */
  supplierShares: number;
}

export interface Overview {
  generatedAt: number;
  /** The last 24 hours, oldest first, every hour present. */
  ordersPerHour: HourOutcomes[];
  /** Orders of the last 7 days that ended, by project, country and supplier; the 20 busiest of each. */
  successRates: Record<OutcomeGrouping, SuccessRate[]>;
  /** The last 30 days, oldest first, every day present. */
  moneyPerDay: DayMoney[];
  /** Samples of the last 7 days, oldest first. */
  numbersOnline: { at: number; online: number }[];
}

export class ReportService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async overview(): Promise<Overview> {
    const now = this.clock.now();
    const read = this.store.read.reports;
    const thisHour = Math.floor(now / HOUR_MS);
    const today = Math.floor(now / DAY_MS);
    const weekAgo = now - 7 * DAY_MS;
    const [hours, byProject, byCountry, bySupplier, money, online] = await Promise.all([
      read.ordersByHour((thisHour - 23) * HOUR_MS),
      read.outcomes(weekAgo, 'project', 20),
      read.outcomes(weekAgo, 'country', 20),
      read.outcomes(weekAgo, 'supplier', 20),
      read.moneyByDay((today - 29) * DAY_MS),
      read.onlineSince(weekAgo),
    ]);
    const rates = (rows: typeof byProject): SuccessRate[] => rows.map((r) => ({ ...r, rate: r.orders ? r.received / r.orders : 0 }));
    return {
      generatedAt: now,
      ordersPerHour: Array.from({ length: 24 }, (_, i) => {
        const hour = thisHour - 23 + i;
        const count = (status: string) => hours.find((h) => h.hour === hour && h.smsStatus === status)?.orders ?? 0;
        return { at: hour * HOUR_MS, received: count('received'), failed: count('failed'), waiting: count('waiting') };
      }),
      successRates: { project: rates(byProject), country: rates(byCountry), supplier: rates(bySupplier) },
      moneyPerDay: Array.from({ length: 30 }, (_, i) => {
        const day = today - 29 + i;
        const sum = (kind: string) => money.find((m) => m.day === day && m.kind === kind)?.amount ?? 0;
        return { at: day * DAY_MS, charged: sum('charge'), supplierShares: sum('supplier_share') };
      }),
      numbersOnline: online,
    };
  }

  /** Records how many numbers are online now, once per interval across every node. */
  async sampleOnline(): Promise<void> {
    const at = Math.floor(this.clock.now() / ONLINE_SAMPLE_MS) * ONLINE_SAMPLE_MS;
    await this.store.read.reports.sampleOnline(at, await this.store.read.numbers.countOnline());
  }
}
