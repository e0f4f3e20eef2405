// Recharge orders: a user asks to top up (amount, payment method); once the payment is confirmed
// (by an admin for the "manual" method, by a processor later) the balance is credited.
import type { RechargeState } from '../store/repositories/recharges.js';
import type { RechargeOrderRow } from '../store/schema.js';
import type { Repositories, Store } from '../store/store.js';
import type { Actor, AuditLog } from './audit.js';
import type { Clock } from './clock.js';
import type { DomainConfig } from './config.js';
import { DomainError } from './errors.js';
import { isObjectId, newObjectId } from './ids.js';
import type { Ledger } from './ledger.js';
import { toOffset, type PageRequest } from './paging.js';

export interface RechargeView {
  rechargeId: string;
  /** Whose it is (admins list every user's). */
  username: string;
  status: RechargeState;
  amount: number;
  orderAmt: number;
  payment: string;
  createdAt: number;
  updatedAt: number;
}

export interface RechargeQuery extends PageRequest {
  rechargeId?: string | undefined;
  status?: RechargeState | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

/** One recharge may not exceed $100,000: a typo guard, not a business rule. */
const MAX_RECHARGE = 10_000_000;

const toView = (r: RechargeOrderRow & { username: string }, now: number): RechargeView => ({
  rechargeId: r.public_id,
  username: r.username,
  status: r.status === 'unpaid' && r.expires_at !== null && r.expires_at <= now ? 'expired' : r.status,
  amount: r.amount,
  orderAmt: r.order_amt,
  payment: r.payment,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class RechargeService {
  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    private readonly clock: Clock,
    private readonly config: DomainConfig,
    private readonly audit: AuditLog,
  ) {}

  async open(userId: number, amount: number, payment: string): Promise<RechargeView> {
    if (!Number.isSafeInteger(amount) || amount < 1 || amount > MAX_RECHARGE) {
      throw new DomainError('INVALID_INPUT', `A recharge is 1 to ${MAX_RECHARGE} cents`);
    }
    const method = this.config.paymentMethods.find((m) => m.toLowerCase() === payment.trim().toLowerCase());
    if (!method) {
      throw new DomainError('PAYMENT_METHOD_UNKNOWN', `Unknown payment method; use one of ${this.config.paymentMethods.join(', ')}`);
    }
    const now = this.clock.now();
    const publicId = newObjectId(now);
    await this.store.transaction(async (repos) => {
      await repos.accounts.lockUser(userId);
      if ((await repos.recharges.countOpen(userId, now)) >= this.config.maxOpenRecharges) {
        throw new DomainError(
          'TOO_MANY_OPEN_RECHARGES',
          `At most ${this.config.maxOpenRecharges} unpaid recharge orders at a time: pay one or wait for it to expire`,
        );
      }
      await repos.recharges.insert({
        public_id: publicId,
        user_id: userId,
        amount,
        order_amt: amount,
        payment: method,
        status: 'unpaid',
        paid_at: null,
        expires_at: now + this.config.rechargeTtlMs,
        created_at: now,
        updated_at: now,
      });
    });
    return this.find(this.store.read, publicId);
  }

  /**
   * The payment arrived: credit `amount` once. `paidAmount` is what was actually paid, if it differs.
   * An expired order may still be paid: the money arrived late, and it is the admin who confirms it.
   */
  async markPaid(rechargeId: string, paidAmount?: number, by?: Actor): Promise<RechargeView> {
    if (paidAmount !== undefined && (!Number.isSafeInteger(paidAmount) || paidAmount < 0)) {
      throw new DomainError('INVALID_INPUT', 'A paid amount is a whole, non-negative number of cents');
    }
    const now = this.clock.now();
    return this.audit.change(by, { action: 'recharge.pay', target: `recharge:${rechargeId}` }, {
      before: (repos) => this.find(repos, rechargeId),
      change: async (repos) => {
        const recharge = isObjectId(rechargeId) ? await repos.recharges.findByPublicId(rechargeId) : undefined;
        if (!recharge) throw new DomainError('NOT_FOUND', 'No such recharge order');
        if (!(await repos.recharges.markPaid(recharge.id, paidAmount ?? recharge.order_amt, now))) {
          throw new DomainError('RECHARGE_ALREADY_PAID', 'This recharge order is already paid');
        }
        await this.ledger.recharge(repos, { userId: recharge.user_id, amount: recharge.amount, rechargeId: recharge.id, now });
        return this.find(repos, rechargeId);
      },
      after: (recharge) => recharge,
    });
  }

  async list(userId: number | undefined, query: RechargeQuery): Promise<RechargeView[]> {
    if (query.rechargeId !== undefined && !isObjectId(query.rechargeId)) return [];
    const now = this.clock.now();
    const rows = await this.store.read.recharges.list(
      { userId, publicId: query.rechargeId, status: query.status, createdFrom: query.from, createdTo: query.to, now },
      toOffset(query),
    );
    return rows.map((r) => toView(r, now));
  }

  private async find(read: Repositories, publicId: string): Promise<RechargeView> {
    const now = this.clock.now();
    const [row] = await read.recharges.list({ publicId, now }, { offset: 0, limit: 1 });
    if (!row) throw new DomainError('NOT_FOUND', 'No such recharge order');
    return toView(row, now);
  }
}
