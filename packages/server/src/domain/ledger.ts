// The ledger: append-only transfers between accounts, with two-phase holds as in TigerBeetle.
// A hold reserves a customer's money when a number is handed out; it is then resolved exactly once:
// charged (the first SMS), refunded (release without SMS) or expired (no SMS in time).
// Balances are kept in step with the transfers inside the caller's transaction; audit() re-derives
// them from the transfers alone.
import type { Repositories, Store } from '../store/store.js';
import type { AccountKind, TransferKind, TransferRow } from '../store/schema.js';
import { DomainError } from './errors.js';

/** Transfers that move posted money; holds and their voids only reserve it. */
const POSTING_KINDS: ReadonlySet<TransferKind> = new Set(['charge', 'supplier_share', 'recharge', 'adjustment', 'payout']);

/** The most one amount an admin types may be ($1,000,000): a guard against an extra zero, not a business rule. */
export const MAX_AMOUNT = 100_000_000;

/** The money side of an order. */
export interface OrderMoney {
  id: number;
  userId: number;
  supplierId: number;
  holdId: number | null;
}

export interface AccountAudit {
  id: number;
  kind: AccountKind;
  balance: number;
  held: number;
  derivedBalance: number;
  derivedHeld: number;
  /** The live-order count kept on the account, and the live orders actually there. */
  activeOrders: number;
  derivedActiveOrders: number;
  /** The orders-taken counter (the history's `count`), and the orders actually there. */
  ordersTaken: number;
  derivedOrdersTaken: number;
}

export interface LedgerAudit {
  ok: boolean;
  /** Sum of every posted balance: zero when money was only moved, never created. */
  total: number;
  /** Holds with more than one resolution (must be empty; the database forbids it). */
  holdsResolvedTwice: number[];
  mismatched: AccountAudit[];
  accounts: AccountAudit[];
}

export class Ledger {
  private constructor(private readonly system: { revenue: number; world: number }) {}

  static async load(store: Store): Promise<Ledger> {
    return new Ledger(await store.read.accounts.systemAccounts());
  }

  /**
   * How an order's hold is placed, for OrderRepository.open, which places it in the same statement as
   * the order: `amount` of the user's available balance is reserved for the revenue account, and one
   * of the user's live-order slots taken (`defaultCap` applies unless an admin set the user's own cap;
   * 0 = no cap); a free order takes the slot and holds nothing.
   */
  holdFor(userId: number, defaultCap: number): { userId: number; defaultCap: number; creditAccountId: number } {
    return { userId, defaultCap, creditAccountId: this.system.revenue };
  }

  /** Why a hold of `amount` was refused: TOO_MANY_ACTIVE_ORDERS, else INSUFFICIENT_BALANCE. */
  async refusal(repos: Repositories, entry: { userId: number; amount: number; defaultCap: number }): Promise<DomainError> {
    const room = await repos.accounts.orderRoom(entry.userId, entry.defaultCap);
    if (room && room.cap > 0 && room.active_orders >= room.cap) {
      return new DomainError('TOO_MANY_ACTIVE_ORDERS', 'Too many active orders: release or finish some first', { cap: room.cap });
    }
    return new DomainError('INSUFFICIENT_BALANCE', 'Insufficient balance', { price: entry.amount });
  }

  /** The first SMS arrived: the hold becomes a charge and the supplier's share is credited. */
  async charge(repos: Repositories, order: OrderMoney, now: number): Promise<number> {
    const hold = await this.resolve(repos, order, 'charge', now);
    if (!hold) return this.availableOf(repos, order.userId);
    const available = await repos.accounts.settleHold(hold.debit_account_id, hold.amount);
    await repos.accounts.credit(hold.credit_account_id, hold.amount);

    const payee = await repos.suppliers.payee(order.supplierId, order.id);
    // A remote supplier is owed what it charges us for the order (DESIGN §6 "Remote supply").
    const share = !payee ? 0 : payee.remoteCost !== null ? payee.remoteCost : Math.floor((hold.amount * payee.shareBp) / 10_000);
    if (payee && share > 0) {
      await this.post(repos, { kind: 'supplier_share', from: this.system.revenue, to: payee.accountId, amount: share, order_id: order.id }, now);
    }
    return available;
  }

  /** No SMS came: the hold is voided and the money is available again. */
  async void(repos: Repositories, order: OrderMoney, kind: 'refund' | 'expire', now: number): Promise<number> {
    const hold = await this.resolve(repos, order, kind, now);
    if (!hold) return this.availableOf(repos, order.userId);
    return repos.accounts.releaseHold(hold.debit_account_id, hold.amount);
  }

  /** A paid recharge order: money enters from the outside world. */
  async recharge(repos: Repositories, entry: { userId: number; amount: number; rechargeId: number; now: number }): Promise<number> {
    const account = await this.userAccount(repos, entry.userId);
    return this.post(repos, { kind: 'recharge', from: this.system.world, to: account, amount: entry.amount, recharge_id: entry.rechargeId }, entry.now);
  }

  /** An admin's correction, positive or negative. A negative one may not exceed what is available. */
  async adjust(repos: Repositories, entry: { userId: number; amount: number; note: string; now: number }): Promise<number> {
    if (!Number.isSafeInteger(entry.amount) || entry.amount === 0 || Math.abs(entry.amount) > MAX_AMOUNT) {
      throw new DomainError('INVALID_INPUT', `An adjustment is a non-zero whole number of cents, at most ${MAX_AMOUNT} either way`);
    }
    const account = await this.userAccount(repos, entry.userId);
    const [from, to] = entry.amount > 0 ? [this.system.world, account] : [account, this.system.world];
    await this.post(repos, { kind: 'adjustment', from, to, amount: Math.abs(entry.amount), note: entry.note }, entry.now);
    return this.availableOf(repos, entry.userId);
  }

  /**
   * Money paid out to a supplier (outside the platform): from its account to the world. At most its
   * balance; returns what is left.
   */
  async payout(repos: Repositories, entry: { supplierId: number; name: string; amount: number; note: string; now: number }): Promise<number> {
    if (!Number.isSafeInteger(entry.amount) || entry.amount <= 0 || entry.amount > MAX_AMOUNT) {
      throw new DomainError('INVALID_INPUT', `A payout is a whole number of cents, 1 to ${MAX_AMOUNT}`);
    }
    const account = await repos.accounts.findBySupplier(entry.supplierId);
    if (!account) throw new DomainError('NOT_FOUND', `No account for supplier ${entry.name}`);
    const balance = account.balance - account.held;
    // The debit below refuses an overdraft whatever happens meanwhile; this says by how much.
    if (entry.amount > balance) {
      throw new DomainError('INSUFFICIENT_BALANCE', `A payout of ${entry.amount} cents exceeds the balance of ${entry.name}, ${balance} cents`, { balance });
    }
    await this.post(repos, { kind: 'payout', from: account.id, to: this.system.world, amount: entry.amount, note: entry.note }, entry.now);
    return balance - entry.amount;
  }

  /** Re-derives every balance from the transfers and compares it with the stored one. */
  async audit(store: Store): Promise<LedgerAudit> {
    const read = store.read;
    const [accounts, posted, open, holdsResolvedTwice, live, taken] = await Promise.all([
      read.accounts.listAll(),
      read.transfers.netByAccount([...POSTING_KINDS]),
      read.transfers.openHoldsByAccount(),
      read.transfers.resolvedTwice(),
      read.orders.liveByUser(),
      read.orders.takenByUser(),
    ]);
    const audited = accounts.map((a) => ({
      id: a.id,
      kind: a.kind,
      balance: a.balance,
      held: a.held,
      derivedBalance: posted.get(a.id) ?? 0,
      derivedHeld: open.get(a.id) ?? 0,
      activeOrders: a.active_orders,
      derivedActiveOrders: a.user_id === null ? 0 : (live.get(a.user_id) ?? 0),
      ordersTaken: a.orders_taken,
      derivedOrdersTaken: a.user_id === null ? 0 : (taken.get(a.user_id) ?? 0),
    }));
    const mismatched = audited.filter(
      (a) =>
        a.balance !== a.derivedBalance ||
        a.held !== a.derivedHeld ||
        a.activeOrders !== a.derivedActiveOrders ||
        a.ordersTaken !== a.derivedOrdersTaken ||
        (a.kind !== 'world' && a.balance - a.held < 0),
    );
    const total = audited.reduce((sum, a) => sum + a.balance, 0);
    return { ok: mismatched.length === 0 && holdsResolvedTwice.length === 0 && total === 0, total, holdsResolvedTwice, mismatched, accounts: audited };
  }

  /**
   * Records the one transfer that resolves the order's hold (the unique pending_id makes a second
   * one fail). Returns the hold, or nothing for a free order, which has none.
   */
  private async resolve(repos: Repositories, order: OrderMoney, kind: 'charge' | 'refund' | 'expire', now: number): Promise<TransferRow | undefined> {
    if (order.holdId === null) return undefined;
    const hold = await repos.transfers.findById(order.holdId);
    if (hold?.kind !== 'hold') throw new Error(`Order ${order.id} points at ${order.holdId}, which is not a hold`);
    await repos.transfers.insert({
      kind,
      debit_account_id: hold.debit_account_id,
      credit_account_id: hold.credit_account_id,
      amount: hold.amount,
      pending_id: hold.id,
      order_id: order.id,
      created_at: now,
    });
    return hold;
  }

  /**
   * Moves posted money: the transfer and both balances, or nothing when `from` may not go that low.
   * Returns the available balance of `to`.
   */
  private async post(
    repos: Repositories,
    t: { kind: TransferKind; from: number; to: number; amount: number; order_id?: number; recharge_id?: number; note?: string },
    now: number,
  ): Promise<number> {
    const { kind, from, to, amount, ...refs } = t;
    if ((await repos.accounts.debit(from, amount)) === undefined) throw new DomainError('INSUFFICIENT_BALANCE', 'Insufficient balance');
    await repos.transfers.insert({ kind, debit_account_id: from, credit_account_id: to, amount, created_at: now, ...refs });
    return repos.accounts.credit(to, amount);
  }

  private async userAccount(repos: Repositories, userId: number): Promise<number> {
    const account = await repos.accounts.findByUser(userId);
    if (!account) throw new DomainError('NOT_FOUND', 'No such user');
    return account.id;
  }

  private async availableOf(repos: Repositories, userId: number): Promise<number> {
    return (await repos.accounts.availableForUser(userId)) ?? 0;
  }
}
