// Every ingest path (supplier push, gateway webhooks, SMPP, upstream polling) ends here.
import type { UndeliveredReason } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';
import { DomainError } from './errors.js';
import type { DomainEventHub } from './events.js';
import type { Ledger } from './ledger.js';
import { countDelivery } from './number-health.js';
import { moneyOf, webhookOrderData } from './orders.js';
import { judgeSms } from './otp/judge.js';
import { normalizeNumber } from './suppliers.js';
import { queueWebhookEvent } from './webhooks.js';

export interface InboundSms {
  /** The ingest path: 'supplier-push', a gateway kind ('twilio', 'android-sms-gateway'...), 'goip'. */
  source: string;
  /** The source's own message id: the same (source, supplier, sourceKey) is processed once. */
  sourceKey: string;
  /** The supplier that delivered it; an SMS may only land on that supplier's own numbers. */
  supplierId: number;
  /** The number that received it. */
  receiver: string;
  /** Who sent it: digits or an alphanumeric sender id. */
  sender: string;
  text: string;
  receivedAt: number;
}

export interface ReceivedSms {
  /** The order it was delivered to, or null when it was not delivered (stored for admins, never charged). */
  orderId: string | null;
  /** Why it was not delivered; null when it was. */
  reason: UndeliveredReason | null;
  duplicate: boolean;
}

/** An SMS no order took, as an admin reviews it: why, and the live order it was kept from. */
export interface UnmatchedSms {
  id: number;
  source: string;
  supplierId: number;
  receiver: string;
  sender: string;
  text: string;
  reason: UndeliveredReason;
  candidateOrderId: string | null;
  receivedAt: number;
}

/** Postgres text cannot hold NUL, and a gateway that sends one would retry forever: it carries nothing. */
const withoutNul = (value: string): string => value.replaceAll('\u0000', '');

export class InboundSmsService {
  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    private readonly events: DomainEventHub,
    private readonly clock: Clock,
  ) {}

  async receive(sms: InboundSms): Promise<ReceivedSms> {
    const receiver = normalizeNumber(sms.receiver);
    if (!receiver) throw new DomainError('INVALID_INPUT', `${sms.receiver} is not an international phone number`);
    if (sms.sourceKey === '' || sms.sourceKey.length > 200) throw new DomainError('INVALID_INPUT', 'A message id is 1 to 200 characters');
    const now = this.clock.now();
    const text = withoutNul(sms.text);
    const sender = withoutNul(sms.sender);

    const outcome = await this.store.transaction(async (repos) => {
      const number = await repos.numbers.findByNumber(receiver);
      if (!number || number.supplier_id !== sms.supplierId || number.removed_at !== null) {
        throw new DomainError('UNKNOWN_NUMBER', `${receiver} is not a number of this supplier`);
      }
      // Claiming the idempotency key first makes a concurrent duplicate wait here, then find it taken.
      const smsId = await repos.inboundSms.insertIfNew({
        source: sms.source,
        source_key: sms.sourceKey,
        supplier_id: sms.supplierId,
        number_id: number.id,
        order_id: null,
        receiver,
        sender,
        text,
        code: null,
        code_method: null,
        reason: 'no_live_order',
        candidate_order_id: null,
        received_at: sms.receivedAt,
        created_at: now,
      });
      if (smsId === undefined) {
        const seen = await repos.inboundSms.findBySourceKey(sms.source, sms.supplierId, sms.sourceKey);
        const orderId = seen?.order_id ? await repos.orders.publicIdOf(seen.order_id) : undefined;
        return { duplicate: true as const, orderId: orderId ?? null, reason: seen?.reason ?? null };
      }

      const order = number.active_order_id === null ? undefined : await repos.orders.lock({ id: number.active_order_id });
      // Late SMS (the order ended, or its time is up and the sweeper has not run yet) is kept, never charged.
      if (!order || order.number_status !== 'receiving' || order.expires_at <= now) {
        return { duplicate: false as const, orderId: null, reason: 'no_live_order' as const };
      }
      // Only an SMS that belongs to the order is delivered and charged (otp/judge.ts): not another
      // service's code, not a carrier notice. Either way the customer's wait goes on.
      const project = await repos.catalog.findProject(order.project_id);
      const verdict = judgeSms({ text, sender }, project?.service);
      if (!verdict.deliver) {
        await repos.inboundSms.withhold(smsId, { candidateOrderId: order.id, reason: verdict.reason });
        return { duplicate: false as const, orderId: null, reason: verdict.reason };
      }
      const extracted = verdict.code;
      let balance = order.balance_after;
      if (order.sms_status === 'waiting') {
        // The first SMS charges, and the number has now served this project.
        balance = await this.ledger.charge(repos, moneyOf(order), now);
        await repos.numbers.recordUsage({ numberId: number.id, projectId: order.project_id, userId: order.user_id, orderId: order.id, now });
        await countDelivery(repos, number.id);
      }
      await repos.orders.recordSms(order.id, { code: extracted?.code ?? '', content: text, balanceAfter: balance, now });
      await repos.inboundSms.attach(smsId, { orderId: order.id, code: extracted?.code ?? null, codeMethod: extracted?.method ?? null });
      await queueWebhookEvent(repos, {
        userId: order.user_id,
        type: 'sms.received',
        now,
        data: () => ({ ...webhookOrderData(order, project?.service ?? ''), code: extracted?.code ?? '', content: text }),
      });
      return { duplicate: false as const, orderId: order.public_id, reason: null, order: { orderId: order.public_id, activationId: order.id, userId: order.user_id } };
    });

    if (!outcome.duplicate) {
      const order = ('order' in outcome ? outcome.order : undefined) ?? null;
      this.events.emit('sms.received', { source: sms.source, matched: order !== null, order });
    }
    return { orderId: outcome.orderId, reason: outcome.reason, duplicate: outcome.duplicate };
  }

  /** Newest first: SMS stored without an order (never charged), for admins to review. */
  async unmatched(limit = 50): Promise<UnmatchedSms[]> {
    const rows = await this.store.read.inboundSms.listUnmatched(Math.min(Math.max(limit, 1), 500));
    return rows.map((r) => ({
      id: r.id,
      source: r.source,
      supplierId: r.supplier_id,
      receiver: r.receiver,
      sender: r.sender,
      text: r.text,
      reason: r.reason ?? 'no_live_order',
      candidateOrderId: r.candidate_public_id,
      receivedAt: r.received_at,
    }));
  }
}
