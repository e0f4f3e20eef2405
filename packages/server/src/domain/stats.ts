import type { NumberStatus, SmsStatus } from '../store/schema.js';
import type { Store } from '../store/store.js';

/** Gauges for operators: read when /metrics is scraped, straight from the database, so every node agrees. */
export class StatsService {
  constructor(private readonly store: Store) {}

  ping(): Promise<void> {
    return this.store.ping();
  }

  ordersByStatus(): Promise<{ number_status: NumberStatus; sms_status: SmsStatus; n: number }[]> {
    return this.store.read.orders.countByStatus();
  }

  openHolds(): Promise<{ count: number; amount: number }> {
    return this.store.read.transfers.openHolds();
  }

  numbersOnline(): Promise<number> {
    return this.store.read.numbers.countOnline();
  }
}
