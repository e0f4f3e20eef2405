import type { Store } from '../store/store.js';

/** What operators watch: live state only, so that reading it costs the same after years of history. */
export interface LiveStats {
  /** Live orders (the number still receiving), waiting for or having received an SMS. */
  liveOrders: { waiting: number; received: number };
  /** Holds on customer balances not yet charged, refunded or expired, and the cents they keep. */
  holds: { count: number; amount: number };
  numbersOnline: number;
}

/** Gauges for /metrics, read from the database so that every node of a cluster reports the same. */
export class StatsService {
  constructor(private readonly store: Store) {}

  ping(): Promise<void> {
    return this.store.ping();
  }

  /** Reads live orders and online numbers through their partial indexes, never the whole history. */
  async live(): Promise<LiveStats> {
    const [orders, numbersOnline] = await Promise.all([this.store.read.orders.liveStats(), this.store.read.numbers.countOnline()]);
    const waiting = orders.find((r) => r.sms_status === 'waiting');
    const received = orders.find((r) => r.sms_status === 'received');
    return {
      liveOrders: { waiting: waiting?.orders ?? 0, received: received?.orders ?? 0 },
      // A hold is open exactly while its order is live and no SMS has come (DESIGN §6).
      holds: { count: waiting?.holds ?? 0, amount: waiting?.held ?? 0 },
      numbersOnline,
    };
  }
}
