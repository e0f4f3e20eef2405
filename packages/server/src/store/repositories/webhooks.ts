import { sql, type Insertable, type Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';
import type { Database, WebhookDeliveriesTable, WebhookEventRow, WebhookEventsTable, WebhookRow } from '../schema.js';

/** A claimed event with the endpoint it goes to now. */
export type ClaimedEvent = WebhookEventRow & { url: string; secret: string };

export type DeliveryListRow = Pick<WebhookDeliveriesTable, 'attempt' | 'url' | 'status_code' | 'duration_ms' | 'error' | 'created_at'> & {
  event_public_id: string;
  type: WebhookEventRow['type'];
  username: string;
};

export class WebhookRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectSupport,
  ) {}

  find(userId: number): Promise<WebhookRow | undefined> {
    return this.db.selectFrom('webhooks').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  /** Sets the user's endpoint, replacing any previous one. */
  async set(webhook: WebhookRow): Promise<void> {
    await this.db
      .insertInto('webhooks')
      .values(webhook)
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ url: webhook.url, secret: webhook.secret, created_at: webhook.created_at }))
      .execute();
  }

  /** Removes the endpoint and cancels what was still to go to it. */
  async remove(userId: number, now: number): Promise<void> {
    await this.db.deleteFrom('webhooks').where('user_id', '=', userId).execute();
    await this.db
      .updateTable('webhook_events')
      .set({ status: 'cancelled', ended_at: now })
      .where('user_id', '=', userId)
      .where('status', '=', 'pending')
      .execute();
  }

  async queue(event: Insertable<WebhookEventsTable>): Promise<void> {
    await this.db.insertInto('webhook_events').values(event).execute();
  }

  /**
   * Whether any event is due. Through the partial index of pending events: the literal (not a bound
   * parameter) lets both planners match its predicate, as in every query on pending events here.
   */
  async anyDue(now: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('webhook_events')
      .select('id')
      .where('status', '=', sql.lit('pending'))
      .where('next_attempt_at', '<=', now)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Takes up to `limit` due events and pushes their due time to `leaseUntil`, so that no other node
   * takes them while they are being delivered; a node that dies mid-delivery leaves them to be taken
   * again when the lease ends. On Postgres, rows another node is claiming are skipped, not waited for.
   */
  async claimDue(now: number, leaseUntil: number, limit: number): Promise<ClaimedEvent[]> {
    let q = this.db
      .selectFrom('webhook_events as e')
      .innerJoin('webhooks as w', 'w.user_id', 'e.user_id')
      .selectAll('e')
      .select(['w.url', 'w.secret'])
      .where('e.status', '=', sql.lit('pending'))
      .where('e.next_attempt_at', '<=', now)
      .orderBy('e.next_attempt_at')
      .limit(limit);
    if (this.dialect.rowLocks) q = q.forUpdate('e').skipLocked();
    const rows = await q.execute();
    if (rows.length > 0) {
      await this.db
        .updateTable('webhook_events')
        .set({ next_attempt_at: leaseUntil })
        .where('id', 'in', rows.map((r) => r.id))
        .execute();
    }
    return rows;
  }

  /** Logs one attempt and moves the event on: delivered, given up, or due again at `nextAttemptAt`. */
  async recordAttempt(
    event: { id: number; userId: number; attempt: number },
    outcome: { url: string; statusCode: number | null; durationMs: number; error: string | null; now: number },
    next: { status: 'delivered' | 'failed' } | { status: 'pending'; nextAttemptAt: number },
  ): Promise<void> {
    await this.db
      .insertInto('webhook_deliveries')
      .values({
        event_id: event.id,
        user_id: event.userId,
        attempt: event.attempt,
        url: outcome.url,
        status_code: outcome.statusCode,
        duration_ms: outcome.durationMs,
        error: outcome.error,
        created_at: outcome.now,
      })
      .execute();
    await this.db
      .updateTable('webhook_events')
      .set(
        next.status === 'pending'
          ? { attempts: event.attempt, next_attempt_at: next.nextAttemptAt }
          : { attempts: event.attempt, status: next.status, ended_at: outcome.now },
      )
      .where('id', '=', event.id)
      // A cleared webhook cancelled it meanwhile: that stands.
      .where('status', '=', 'pending')
      .execute();
  }

  /** Attempts, newest first; one user's or everyone's. */
  async deliveries(userId: number | undefined, page: { offset: number; limit: number }): Promise<{ count: number; rows: DeliveryListRow[] }> {
    let count = this.db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number | string>().as('n'));
    let list = this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
      .innerJoin('users as u', 'u.id', 'd.user_id')
      .select(['d.attempt', 'd.url', 'd.status_code', 'd.duration_ms', 'd.error', 'd.created_at', 'e.public_id as event_public_id', 'e.type', 'u.username']);
    if (userId !== undefined) {
      count = count.where('user_id', '=', userId);
      list = list.where('d.user_id', '=', userId);
    }
    const [total, rows] = await Promise.all([count.executeTakeFirstOrThrow(), list.orderBy('d.id', 'desc').offset(page.offset).limit(page.limit).execute()]);
    return { count: Number(total.n), rows };
  }
}
