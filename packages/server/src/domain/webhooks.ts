// Signed webhooks (DESIGN §6): a user names a URL; each SMS delivered to one of its orders and each
// end of one of its orders is written to an outbox in the transaction of that change, then delivered
// by the job in jobs/webhooks.ts, signed like Stripe's, retried with backoff for 24 hours.
import { createHmac } from 'node:crypto';
import type { ClaimedEvent, DeliveryListRow } from '../store/repositories/webhooks.js';
import type { EndReason, WebhookEventType } from '../store/schema.js';
import type { Repositories, Store } from '../store/store.js';
import type { Actor, AuditLog } from './audit.js';
import type { Clock } from './clock.js';
import type { DomainConfig } from './config.js';
import { DomainError } from './errors.js';
import { newObjectId, newSecret } from './ids.js';
import { toOffset, type PageRequest } from './paging.js';
import { userNamed } from './users.js';
import { resolveWebhookTarget } from './webhook-targets.js';

export type { ClaimedEvent, WebhookEventType };

/** What every event says about its order. */
export interface WebhookOrderData {
  orderId: string;
  activationId: number;
  number: string;
  myPid: number;
  service: string;
  /** The latest delivered SMS's code ('' when none was found) and text; null before the first. */
  code: string | null;
  content: string | null;
}

/** order.ended also says how it ended and whether the hold went back to the balance. */
export type WebhookEventData = WebhookOrderData | (WebhookOrderData & { reason: EndReason; refunded: boolean });

/** Events are retried for this long after they happened, then given up. */
export const RETRY_FOR_MS = 24 * 3_600_000;
/** Retries back off exponentially up to this gap. */
const MAX_RETRY_GAP_MS = 3_600_000;

/**
 * Inside a use case's transaction: writes the event to the outbox when the user has a webhook, so that
 * it exists exactly when the change it announces does. `data` is only worked out for those users.
 */
export async function queueWebhookEvent(
  repos: Repositories,
  event: { userId: number; type: WebhookEventType; now: number; data: () => Promise<WebhookEventData> | WebhookEventData },
): Promise<void> {
  if (!(await repos.webhooks.find(event.userId))) return;
  const id = newObjectId(event.now);
  // Keys in this order on the wire: id, type, createdAt, data.
  const body = JSON.stringify({ id, type: event.type, createdAt: new Date(event.now).toISOString(), data: await event.data() });
  await repos.webhooks.queue({ public_id: id, user_id: event.userId, type: event.type, body, status: 'pending', next_attempt_at: event.now, created_at: event.now, ended_at: null });
}

/** The X-Fastpva-Signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export function signature(secret: string, unixSeconds: number, body: string): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

export interface WebhookView {
  url: string;
  createdAt: number;
}

/** One delivery attempt, as the user and admins see it. */
export interface WebhookDelivery {
  eventId: string;
  type: WebhookEventType;
  username: string;
  attempt: number;
  url: string;
  /** null when no HTTP answer came; `error` says why. */
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  createdAt: number;
}

/** How one attempt went. Delivered when a 2xx came back. */
export interface AttemptOutcome {
  url: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

const toDelivery = (r: DeliveryListRow): WebhookDelivery => ({
  eventId: r.event_public_id,
  type: r.type,
  username: r.username,
  attempt: r.attempt,
  url: r.url,
  statusCode: r.status_code,
  durationMs: r.duration_ms,
  error: r.error,
  createdAt: r.created_at,
});

/** Who changed a user's webhook for them: an admin, recorded in the audit log. */
interface AdminChange {
  by: Actor;
  username: string;
}

/** A user's webhook as the audit log keeps it: its URL (the secret never). */
async function hookState(repos: Repositories, userId: number): Promise<{ url: string | null }> {
  return { url: (await repos.webhooks.find(userId))?.url ?? null };
}

export class WebhookService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly config: DomainConfig,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Points the user's webhook at `url` with a new signing secret, returned here only. `admin`: an
   * admin's change to a user's webhook, audited (the URL, never the secret).
   */
  async set(userId: number, url: string, admin?: AdminChange): Promise<{ url: string; secret: string }> {
    const target = await resolveWebhookTarget(url, this.config.webhookAllowPrivate);
    const secret = `whsec_${newSecret()}`;
    await this.audit.change(admin?.by, { action: 'user.webhook', target: `user:${admin?.username}` }, {
      before: (repos) => hookState(repos, userId),
      change: (repos) => repos.webhooks.set({ user_id: userId, url: target.url.href, secret, created_at: this.clock.now() }),
    });
    return { url: target.url.href, secret };
  }

  async get(userId: number): Promise<WebhookView> {
    const hook = await this.current(userId);
    if (!hook) throw new DomainError('NOT_FOUND', 'No webhook is set');
    return hook;
  }

  /** The user's webhook, or null when none is set (the web page shows both). */
  async current(userId: number): Promise<WebhookView | null> {
    const hook = await this.store.read.webhooks.find(userId);
    return hook ? { url: hook.url, createdAt: hook.created_at } : null;
  }

  /** Removes the webhook; events not yet delivered are cancelled. Idempotent. */
  async clear(userId: number, admin?: AdminChange): Promise<void> {
    await this.audit.change(admin?.by, { action: 'user.webhook', target: `user:${admin?.username}` }, {
      before: (repos) => hookState(repos, userId),
      change: (repos) => repos.webhooks.remove(userId, this.clock.now()),
    });
  }

  /** The admin's way: by username; `url` null clears. */
  async setFor(username: string, url: string | null, by?: Actor): Promise<{ username: string; url: string | null; secret: string | null }> {
    const user = await userNamed(this.store.read, username);
    const admin = by && { by, username };
    if (url === null) {
      await this.clear(user.id, admin);
      return { username, url: null, secret: null };
    }
    return { username, ...(await this.set(user.id, url, admin)) };
  }

  /** Delivery attempts, newest first: one user's, or everyone's for admins (`username` undefined). */
  async deliveries(who: { userId: number } | { username: string | undefined }, page: PageRequest): Promise<{ count: number; deliveries: WebhookDelivery[] }> {
    const userId = 'userId' in who ? who.userId : who.username === undefined ? undefined : (await userNamed(this.store.read, who.username)).id;
    const { count, rows } = await this.store.read.webhooks.deliveries(userId, toOffset(page));
    return { count, deliveries: rows.map(toDelivery) };
  }

  /**
   * For the delivery job: takes due events for this node. Each is leased for twice the delivery
   * timeout; a node that dies mid-delivery leaves it to be taken again after that.
   */
  async claimDue(limit: number): Promise<ClaimedEvent[]> {
    const now = this.clock.now();
    // A read first: most looks find nothing, and on SQLite a claim is a write transaction.
    if (!(await this.store.read.webhooks.anyDue(now))) return [];
    return this.store.transaction((repos) => repos.webhooks.claimDue(now, now + 2 * this.config.webhookTimeoutMs, limit));
  }

  /** Logs an attempt; schedules the next one with exponential backoff, or gives up 24 hours after the event. */
  async recordAttempt(event: ClaimedEvent, outcome: AttemptOutcome): Promise<void> {
    const now = this.clock.now();
    const attempt = event.attempts + 1;
    const delivered = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const nextAttemptAt = now + Math.min(this.config.webhookFirstRetryMs * 2 ** (attempt - 1), MAX_RETRY_GAP_MS);
    const next = delivered
      ? { status: 'delivered' as const }
      : nextAttemptAt > event.created_at + RETRY_FOR_MS
        ? { status: 'failed' as const }
        : { status: 'pending' as const, nextAttemptAt };
    await this.store.transaction((repos) => repos.webhooks.recordAttempt({ id: event.id, userId: event.user_id, attempt }, { ...outcome, now }, next));
  }
}
