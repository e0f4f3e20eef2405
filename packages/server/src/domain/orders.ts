// The order lifecycle (DESIGN §3): a number is handed out with a hold on the customer's balance;
// the first SMS charges it; release, shield or expiry end it, refunding when no SMS came.
// One lifecycle for every customer surface (FASTPVA, SMS-Activate, 5SIM).
import type { FreeNumber, FreeNumberQuery } from '../store/repositories/numbers.js';
import type { OrderCursor, OrderListRow, OrderOpened } from '../store/repositories/orders.js';
import type { EndReason, InboundSmsRow, NumberStatus, OrderRow, SmsStatus, UndeliveredReason } from '../store/schema.js';
import type { Repositories, Store } from '../store/store.js';
import type { CatalogService, OrderTerms } from './catalog.js';
import type { Clock } from './clock.js';
import type { DomainConfig } from './config.js';
import { DomainError } from './errors.js';
import type { DomainEventHub } from './events.js';
import { isObjectId, newObjectId, randomDraw } from './ids.js';
import type { Ledger, OrderMoney } from './ledger.js';
import { countOrderEnd } from './number-health.js';
import { MAX_PAGE_SIZE, toOffset, type PageRequest } from './paging.js';
import type { RemoteSupply } from './remote-supply.js';
import { normalizeNumber } from './suppliers.js';
import { userNamed } from './users.js';
import { queueWebhookEvent, type WebhookOrderData } from './webhooks.js';

export interface AcquireRequest {
  userId: number;
  myPid: number;
  /** A specific number (DESIGN §3: the same user may re-use a number it used for this project). */
  number?: string | undefined;
  /** ISO country code. */
  locale?: string | undefined;
  /** Only numbers of these operators (lower case; none or empty = any). */
  operators?: string[] | undefined;
  /** Never numbers that start with one of these digit prefixes (SMS-Activate's phoneException). */
  excludePrefixes?: string[] | undefined;
}

/** An order of one service in one country, at the cheapest price offered (SMS-Activate and 5SIM buy so). */
export interface ServiceAcquireRequest {
  userId: number;
  /** Canonical service id (projects.service). */
  service: string;
  /** ISO country code; undefined = any country. */
  country?: string | undefined;
  /** The most the customer pays, in cents. */
  maxPrice?: number | undefined;
  /** Without `maxPrice`, the customer's stored max price for the service applies (5SIM's max-prices). */
  storedMaxPrice?: boolean | undefined;
  operators?: string[] | undefined;
  excludePrefixes?: string[] | undefined;
}

/** An order as a customer names it: its public id (FASTPVA) or its numeric id (SMS-Activate, 5SIM). */
export type OrderKey = string | number;

export interface AcquiredNumber {
  orderId: string;
  /** The order's numeric id: SMS-Activate's activation id and 5SIM's order id. */
  activationId: number;
  myPid: number;
  number: string;
  country: string;
  /** The number's operator, as its supplier registered it ('any' when unknown). */
  operator: string;
  price: number;
  balance: number;
  createdAt: number;
  expiresAt: number;
  releasableAt: number;
}

export interface CodeStatus {
  number: string;
  balance: number;
  /** The latest SMS, or null while none has arrived. code is '' when the SMS carries none we could find. */
  sms: { code: string; content: string } | null;
}

export interface OrderSummary {
  orderId: string;
  number: string;
  numberStatus: NumberStatus;
  smsStatus: SmsStatus;
  code: string | null;
  content: string | null;
  balanceAfter: number;
  project: { myPid: number; enname: string; price: number };
  createdAt: number;
  updatedAt: number;
}

export interface OrderQuery extends PageRequest {
  orderId?: string | undefined;
  number?: string | undefined;
  myPid?: number | undefined;
  from?: number | undefined;
  to?: number | undefined;
  numberStatus?: NumberStatus | undefined;
  smsStatus?: SmsStatus | undefined;
  /** The keyset cursor (our extension): the page starts after this order, newest first, so deep pages cost what the first does. */
  after?: string | undefined;
}

/** An order as admins see it: whose it is, where its number came from, when it ends. */
export interface AdminOrderView extends OrderSummary {
  username: string;
  /** The supplier paid for this order (the number's supplier when it was taken). */
  supplier: string;
  country: string;
  smsCount: number;
  expiresAt: number;
  endedAt: number | null;
}

/** An SMS the order's number received while it was live: delivered to it, or kept from it and why. */
export interface OrderSms {
  receivedAt: number;
  sender: string;
  text: string;
  code: string | null;
  delivered: boolean;
  reason: UndeliveredReason | null;
  source: string;
}

export interface OrderDetails extends AdminOrderView {
  sms: OrderSms[];
}

/** An order as the SMS-Activate and 5SIM surfaces describe it. */
export interface ActivationView {
  activationId: number;
  orderId: string;
  number: string;
  country: string;
  operator: string;
  /** The project's service (canonical id where the vocabulary knows it). */
  service: string;
  myPid: number;
  /** The project's name. */
  enname: string;
  price: number;
  numberStatus: NumberStatus;
  smsStatus: SmsStatus;
  /** How it ended; null while live. */
  endReason: EndReason | null;
  /** The latest delivered SMS's code ('' when none was found) and text; null before the first. */
  code: string | null;
  content: string | null;
  smsCount: number;
  /** The customer asked for another SMS and none has come since (a delivered SMS clears it). */
  waitingForRetry: boolean;
  createdAt: number;
  expiresAt: number;
  endedAt: number | null;
}

/** An SMS delivered to an order, as the protocols list them. */
export interface DeliveredSms {
  /** The SMS's own id (inbound_sms.id). */
  id: number;
  receivedAt: number;
  /** When the platform took it in. */
  createdAt: number;
  sender: string;
  text: string;
  code: string;
}

/** A batch poll reads at most this many orders. */
export const MAX_CODES_PER_CALL = 100;

/** Refuses a batch poll (or a wait) over too many orders. */
export function checkBatchSize(count: number): void {
  if (count > MAX_CODES_PER_CALL) throw new DomainError('INVALID_INPUT', `At most ${MAX_CODES_PER_CALL} orders per call`);
}

export const moneyOf = (order: OrderRow): OrderMoney => ({
  id: order.id,
  userId: order.user_id,
  supplierId: order.supplier_id,
  holdId: order.hold_id,
});

export class OrderService {
  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
    private readonly catalog: CatalogService,
    private readonly events: DomainEventHub,
    private readonly clock: Clock,
    private readonly config: DomainConfig,
    /** Suppliers whose numbers live elsewhere, asked when no local number serves an order. */
    private readonly remote: RemoteSupply,
  ) {}

  async acquire(request: AcquireRequest): Promise<AcquiredNumber> {
    return this.acquireOn(await this.catalog.orderTerms(request.userId, request.myPid, request.locale), request, this.remoteDeadline());
  }

  /** One customer request asks remote suppliers until then (performance.now()), however many projects it tries. */
  private remoteDeadline(): number {
    return performance.now() + this.config.remoteBudgetMs;
  }

  /**
   * Buys a number of a service: the customer's cheapest enabled project of that service (its own
   * price where an admin set one) that has a free number, within `maxPrice`.
   */
  async acquireForService(request: ServiceAcquireRequest): Promise<AcquiredNumber> {
    const offers = await this.catalog.offers(request.userId, request.service, request.country);
    if (offers.length === 0) throw new DomainError('SERVICE_NOT_OFFERED', `No project sells ${request.service}${request.country ? ` in ${request.country}` : ''}`);
    const maxPrice = request.maxPrice ?? (request.storedMaxPrice ? await this.catalog.maxPriceOf(request.userId, request.service) : undefined);
    const affordable = offers.filter((o) => maxPrice === undefined || o.price <= maxPrice);
    if (affordable.length === 0) {
      throw new DomainError('PRICE_TOO_LOW', `The cheapest ${request.service} number costs ${offers[0]!.price} cents`, { minPrice: offers[0]!.price });
    }
    const deadline = this.remoteDeadline();
    for (const offer of affordable) {
      try {
        return await this.acquireOn(offer.terms, { ...request, myPid: offer.terms.project.id, locale: request.country }, deadline);
      } catch (error) {
        if (!(error instanceof DomainError && (error.code === 'NO_NUMBERS' || error.code === 'CHANNEL_UNAVAILABLE'))) throw error;
      }
    }
    throw new DomainError('NO_NUMBERS', 'The phone number is not available. Please try again later. Suggestion: Try another country or another channel');
  }

  private async acquireOn(terms: OrderTerms, request: AcquireRequest, remoteDeadline: number): Promise<AcquiredNumber> {
    for (const prefix of request.excludePrefixes ?? []) {
      if (!/^\d{1,15}$/.test(prefix)) throw new DomainError('INVALID_INPUT', `${prefix} is not a number prefix`);
    }
    let wanted: string | undefined;
    if (request.number !== undefined) {
      wanted = normalizeNumber(request.number);
      if (!wanted) throw new DomainError('INVALID_INPUT', 'Invalid number');
    }
    const now = this.clock.now();
    const query: FreeNumberQuery = {
      now,
      projectId: terms.project.id,
      channelId: terms.project.channel_id,
      countries: terms.countries,
      number: wanted,
      userId: request.userId,
      fromDraw: randomDraw(),
      operators: (request.operators ?? []).map((o) => o.trim().toLowerCase()).filter((o) => o !== '' && o !== 'any'),
      excludePrefixes: request.excludePrefixes ?? [],
    };
    const publicId = newObjectId(now);
    const defaultCap = this.config.maxActiveOrders;
    // Prices differ by country only where the project sets them so; one price makes one statement shape.
    const prices = new Map((terms.countries ?? []).map((c) => [c, terms.priceIn(c)]));
    const otherwise = terms.priceIn(terms.countries?.[0] ?? '');
    const opened = await this.store
      .atomic(async (repos) => {
        const result = await repos.orders.open({
          find: query,
          prices: [...prices.values()].every((p) => p === otherwise) ? new Map() : prices,
          otherwise,
          hold: this.ledger.holdFor(request.userId, defaultCap),
          order: { publicId, projectId: terms.project.id, expiresAt: now + this.config.orderTtlMs, now },
        });
        // Rolls back what the steps before the claim wrote (SQLite; one statement on Postgres cannot get here).
        if (result.outcome === 'taken') throw new DomainError('TRY_AGAIN', 'Please try again later');
        return result;
      })
      .catch((error: unknown) => {
        // Another writer took the same number between our read and our insert (the unique index
        // on active orders caught it). Nothing was written; the caller may simply retry.
        if (this.store.isUniqueViolation(error)) throw new DomainError('TRY_AGAIN', 'Please try again later');
        throw error;
      });
    if (opened.outcome === 'refused') throw await this.ledger.refusal(this.store.read, { userId: request.userId, amount: opened.price, defaultCap });
    let acquired: AcquiredNumber;
    if (opened.outcome === 'opened') acquired = this.acquiredOn(terms, publicId, opened, now);
    else if (wanted === undefined && !request.operators?.length && !request.excludePrefixes?.length) {
      // No local number: a remote supplier may sell one (outside any transaction).
      acquired = await this.remote.acquire(terms, request, remoteDeadline, (repos, found, at) => this.openOn(repos, terms, request.userId, found, at));
    } else throw new DomainError('NO_NUMBERS', 'The phone number is not available. Please try again later. Suggestion: Try another country or another channel');
    this.events.emit('order.created', {
      orderId: acquired.orderId,
      activationId: acquired.activationId,
      userId: request.userId,
      projectId: acquired.myPid,
      number: acquired.number,
      price: acquired.price,
    });
    return acquired;
  }

  /** The order on a number a remote supplier just sold: the hold, the order row and the number's claim, in the caller's transaction. */
  private async openOn(repos: Repositories, terms: OrderTerms, userId: number, found: FreeNumber, now: number): Promise<AcquiredNumber> {
    const publicId = newObjectId(now);
    const price = terms.priceIn(found.country);
    const defaultCap = this.config.maxActiveOrders;
    const opened = await repos.orders.openOn(found, price, {
      hold: this.ledger.holdFor(userId, defaultCap),
      order: { publicId, projectId: terms.project.id, expiresAt: now + this.config.orderTtlMs, now },
    });
    if (opened.outcome === 'refused') throw await this.ledger.refusal(repos, { userId, amount: price, defaultCap });
    if (opened.outcome !== 'opened') throw new DomainError('TRY_AGAIN', 'Please try again later');
    return this.acquiredOn(terms, publicId, opened, now);
  }

  private acquiredOn(terms: OrderTerms, publicId: string, opened: Extract<OrderOpened, { outcome: 'opened' }>, now: number): AcquiredNumber {
    const { number: found, price, available } = opened;
    return {
      orderId: publicId,
      activationId: opened.orderId,
      myPid: terms.project.id,
      number: found.number,
      country: found.country,
      operator: found.operator,
      price,
      balance: available,
      createdAt: now,
      expiresAt: now + this.config.orderTtlMs,
      releasableAt: now + this.config.releaseAfterMs,
    };
  }

  /** The poll every customer script runs in a loop: one indexed read. */
  async getCode(userId: number, orderId: string): Promise<CodeStatus> {
    const view = isObjectId(orderId) ? await this.store.read.orders.codeView(userId, orderId) : undefined;
    if (!view) throw new DomainError('ORDER_NOT_FOUND', 'Invalid order ID');
    return { number: view.number, balance: view.available, sms: view.content === null ? null : { code: view.code ?? '', content: view.content } };
  }

  /** Batch poll. Unknown or foreign ids are left out, as are orders with no SMS yet. */
  async getCodes(userId: number, orderIds: string[]): Promise<{ balance: number; orders: Map<string, { code: string; content: string; number: string }> }> {
    const ids = [...new Set(orderIds.filter(isObjectId))];
    checkBatchSize(ids.length);
    const views = ids.length ? await this.store.read.orders.codeViewsOf(userId, ids) : [];
    const balance = views[0]?.available ?? (await this.store.read.accounts.availableForUser(userId)) ?? 0;
    const byId = new Map(views.map((v) => [v.public_id, v]));
    const orders = new Map<string, { code: string; content: string; number: string }>();
    // In the order the caller asked, which is the order clients print them in.
    for (const id of ids) {
      const view = byId.get(id);
      if (view?.content != null) orders.set(id, { code: view.code ?? '', content: view.content, number: view.number });
    }
    return { balance, orders };
  }

  /** Gives the number back. Refused in the first seconds; refunds unless an SMS came. Idempotent. */
  release(userId: number, order: OrderKey): Promise<{ refunded: boolean }> {
    return this.endByCustomer(userId, order, 'release');
  }

  /** Release, and never offer this number to this user for this project again. */
  shield(userId: number, order: OrderKey): Promise<{ refunded: boolean }> {
    return this.endByCustomer(userId, order, 'shield');
  }

  /**
   * The customer is done with an order that received its SMS (SMS-Activate status 6, 5SIM finish):
   * it ends at once, the charge stands. Refused before an SMS (ORDER_NOT_RECEIVED); idempotent.
   */
  finish(userId: number, order: OrderKey): Promise<{ refunded: boolean }> {
    return this.endByCustomer(userId, order, 'finish');
  }

  /**
   * "Send me another SMS" (SMS-Activate status 3): allowed once an SMS came and while the order is
   * live; the order then waits for an SMS newer than this moment.
   */
  async requestAnotherSms(userId: number, order: OrderKey): Promise<ActivationView> {
    const by = orderBy(order);
    if (malformed(by)) throw new DomainError('ORDER_NOT_FOUND', 'Invalid order ID');
    const now = this.clock.now();
    await this.store.transaction(async (repos) => {
      const row = await repos.orders.lock({ userId, ...by });
      if (!row) throw new DomainError('ORDER_NOT_FOUND', 'Invalid order ID');
      if (row.number_status !== 'receiving') throw new DomainError('ORDER_ENDED', 'The order has ended');
      if (row.sms_status !== 'received') throw new DomainError('ORDER_NOT_RECEIVED', 'No SMS has arrived yet');
      await repos.orders.retryFrom(row.id, now);
    });
    return this.activation(userId, order);
  }

  /** One of the customer's orders as the SMS-Activate and 5SIM surfaces describe it. */
  async activation(userId: number, order: OrderKey): Promise<ActivationView> {
    const by = orderBy(order);
    const row = malformed(by) ? undefined : await this.store.read.orders.find(userId, by);
    if (!row) throw new DomainError('ORDER_NOT_FOUND', 'Invalid order ID');
    return toActivation(row);
  }

  /** One of the customer's orders with every SMS delivered to it, oldest first (SMS-Activate getStatusV2). */
  async activationWithSms(userId: number, order: OrderKey): Promise<{ activation: ActivationView; sms: DeliveredSms[] }> {
    const activation = await this.activation(userId, order);
    const rows = await this.store.read.inboundSms.deliveredTo(activation.activationId);
    return { activation, sms: rows.map(toDeliveredSms) };
  }

  /** The customer's orders created in [from, to] (epoch ms, either optional), newest first (SMS-Activate getHistory). */
  async activationHistory(userId: number, query: { from?: number | undefined; to?: number | undefined; offset: number; limit: number }): Promise<ActivationView[]> {
    const offset = Math.max(0, Math.trunc(query.offset));
    const limit = Math.min(Math.max(1, Math.trunc(query.limit)), MAX_PAGE_SIZE);
    const { rows } = await this.store.read.orders.list({ userId, createdFrom: query.from, createdTo: query.to }, { offset, limit });
    return rows.map(toActivation);
  }

  /** The customer's live orders, newest first. */
  async liveActivations(userId: number): Promise<ActivationView[]> {
    return (await this.store.read.orders.live(userId)).map(toActivation);
  }

  /** Every SMS delivered to one of the customer's orders, oldest first. */
  async deliveredSms(userId: number, order: OrderKey): Promise<DeliveredSms[]> {
    const { activationId } = await this.activation(userId, order);
    const rows = await this.store.read.inboundSms.deliveredTo(activationId);
    return rows.map(toDeliveredSms);
  }

  /** Ends every order whose time is up. Safe on every node: each order ends once, whoever gets there first. */
  async expireDue(limit = 200): Promise<number> {
    const now = this.clock.now();
    const due = await this.store.read.orders.dueForExpiry(now, limit);
    let expired = 0;
    for (const id of due) {
      const ended = await this.store.transaction(async (repos) => {
        const order = await repos.orders.lock({ id });
        if (!order || order.number_status !== 'receiving' || order.expires_at > now) return undefined;
        return { order, ...(await this.end(repos, order, 'expire', now)) };
      });
      if (ended) {
        expired++;
        const o = ended.order;
        this.events.emit('order.ended', { orderId: o.public_id, activationId: o.id, userId: o.user_id, reason: 'expire', refunded: ended.refunded });
      }
    }
    return expired;
  }

  /**
   * Ends an order as 5SIM asks (finish, cancel = release, ban = shield) and returns it with its SMS.
   * `refuseWithSms`: refused with ORDER_HAS_SMS once an SMS came, live or ended (5SIM's cancel and ban:
   * the customer has what it paid for). An order that had already ended is returned as it is, with
   * `ended` false, so that a retry is safe.
   */
  async endActivation(
    userId: number,
    order: OrderKey,
    how: 'finish' | 'release' | 'shield',
    options: { refuseWithSms?: boolean } = {},
  ): Promise<{ ended: boolean; activation: ActivationView; sms: DeliveredSms[] }> {
    const { ended } = await this.endOrder(userId, order, how, options);
    return { ended, ...(await this.activationWithSms(userId, order)) };
  }

  /** A page of the customer's orders by id (oldest first unless `newestFirst`), each with its SMS, and how many there are. */
  async activationPage(
    userId: number,
    query: { offset: number; limit: number; newestFirst: boolean },
  ): Promise<{ total: number; items: { activation: ActivationView; sms: DeliveredSms[] }[] }> {
    const offset = Math.max(0, Math.trunc(query.offset));
    const limit = Math.min(Math.max(1, Math.trunc(query.limit)), MAX_PAGE_SIZE);
    const { count, rows } = await this.store.read.orders.list({ userId }, { offset, limit }, query.newestFirst ? 'desc' : 'asc');
    const sms = await this.store.read.inboundSms.deliveredToAny(rows.map((r) => r.id));
    const byOrder = new Map<number, DeliveredSms[]>();
    for (const m of sms) {
      const list = byOrder.get(m.order_id!) ?? [];
      list.push(toDeliveredSms(m));
      byOrder.set(m.order_id!, list);
    }
    return { total: count, items: rows.map((r) => ({ activation: toActivation(r), sms: byOrder.get(r.id) ?? [] })) };
  }

  /**
   * The same customer takes again a number it used for a service (5SIM reuse): the project of its
   * latest order on that number for that service, under the usual rules for a wanted number (free,
   * online, not shielded by this customer). NOT_FOUND when the customer never had that number for it.
   */
  async reuse(userId: number, service: string, number: string): Promise<AcquiredNumber> {
    const digits = normalizeNumber(number);
    const last = digits ? await this.store.read.orders.lastOnNumber(userId, digits, service) : undefined;
    if (!last) throw new DomainError('NOT_FOUND', `You have not used ${number} for ${service}`);
    return this.acquire({ userId, myPid: last.project_id, number: last.number });
  }

  async list(userId: number, query: OrderQuery): Promise<{ count: number; orders: OrderSummary[] }> {
    const { count, rows } = await this.find(userId, query);
    return { count, orders: rows.map(toSummary) };
  }

  /** Every user's orders (or one user's), newest first, for admins. */
  async listAll(query: OrderQuery & { username?: string | undefined }): Promise<{ count: number; orders: AdminOrderView[] }> {
    const user = query.username === undefined ? undefined : await userNamed(this.store.read, query.username);
    const { count, rows } = await this.find(user?.id, query);
    return { count, orders: rows.map(toAdminView) };
  }

  /** One order for an admin, with every SMS its number received for it. */
  async show(orderId: string): Promise<OrderDetails> {
    const [row] = (await this.find(undefined, { orderId, page: 1, limit: 1 })).rows;
    if (!row) throw new DomainError('NOT_FOUND', `No order ${orderId}`);
    const sms = await this.store.read.inboundSms.forOrder(row.id);
    return {
      ...toAdminView(row),
      sms: sms.map((m) => ({
        receivedAt: m.received_at,
        sender: m.sender,
        text: m.text,
        code: m.code,
        delivered: m.order_id === row.id,
        reason: m.reason,
        source: m.source,
      })),
    };
  }

  /** `userId` undefined: every user's orders. */
  private async find(userId: number | undefined, query: OrderQuery): Promise<{ count: number; rows: OrderListRow[] }> {
    const page = toOffset(query);
    if (query.orderId !== undefined && !isObjectId(query.orderId)) return { count: 0, rows: [] };
    const number = query.number === undefined ? undefined : normalizeNumber(query.number) ?? query.number;
    const after = query.after === undefined ? undefined : await this.cursor(query.after, userId);
    return this.store.read.orders.list(
      {
        userId,
        publicId: query.orderId,
        number,
        projectId: query.myPid,
        createdFrom: query.from,
        createdTo: query.to,
        numberStatus: query.numberStatus,
        smsStatus: query.smsStatus,
      },
      { ...page, after },
    );
  }

  /** The order a page starts after: one of the user's (any user's for admins), or a clear refusal. */
  private async cursor(after: string, userId: number | undefined): Promise<OrderCursor> {
    const cursor = isObjectId(after) ? await this.store.read.orders.cursorAt(after, userId) : undefined;
    if (cursor === undefined) throw new DomainError('INVALID_INPUT', `after: no order ${after}`);
    return cursor;
  }

  private async endByCustomer(userId: number, key: OrderKey, reason: 'release' | 'shield' | 'finish'): Promise<{ refunded: boolean }> {
    const { refunded } = await this.endOrder(userId, key, reason);
    return { refunded };
  }

  /** `ended`: this call ended the order (false: it had already ended). */
  private async endOrder(
    userId: number,
    key: OrderKey,
    reason: 'release' | 'shield' | 'finish',
    options: { refuseWithSms?: boolean } = {},
  ): Promise<{ refunded: boolean; ended: boolean }> {
    const by = orderBy(key);
    if (malformed(by)) throw new DomainError('ORDER_NOT_FOUND', 'Invalid order ID');
    const now = this.clock.now();
    const result = await this.store.transaction(async (repos) => {
      const order = await repos.orders.lock({ userId, ...by });
      if (!order) throw new DomainError('ORDER_NOT_FOUND', 'Invalid order ID');
      if (options.refuseWithSms && order.sms_status === 'received') throw new DomainError('ORDER_HAS_SMS', 'An SMS has arrived');
      if (order.number_status === 'released') {
        // Shielding an ended order still keeps the number away from this user.
        if (reason === 'shield') await this.shieldNumber(repos, order, now);
        return { order, refunded: false, ended: false };
      }
      if (reason === 'finish') {
        // Nothing to refund, so no reason to wait: the charge stands.
        if (order.sms_status !== 'received') throw new DomainError('ORDER_NOT_RECEIVED', 'No SMS has arrived yet');
        return { order, ...(await this.end(repos, order, reason, now)), ended: true };
      }
      const releasableAt = order.created_at + this.config.releaseAfterMs;
      if (now < releasableAt) {
        const seconds = Math.ceil((releasableAt - now) / 1000);
        throw new DomainError('RELEASE_TOO_EARLY', `The number can be released ${seconds} seconds from now`, { retryAfterMs: releasableAt - now });
      }
      if (reason === 'shield') await this.shieldNumber(repos, order, now);
      return { order, ...(await this.end(repos, order, reason, now)), ended: true };
    });
    if (result.ended) {
      const o = result.order;
      this.events.emit('order.ended', { orderId: o.public_id, activationId: o.id, userId, reason, refunded: result.refunded });
    }
    return { refunded: result.refunded, ended: result.ended };
  }

  /**
   * A shield keeps the number away from this user for this project. It leaves the project for
   * everyone only once enough distinct users shielded it, so one customer cannot empty a pool.
   */
  private async shieldNumber(repos: Repositories, order: OrderRow, now: number): Promise<void> {
    const entry = { numberId: order.number_id, projectId: order.project_id };
    await repos.numbers.shield({ ...entry, userId: order.user_id, orderId: order.id, now });
    if ((await repos.numbers.shieldCount(entry)) >= this.config.shieldQuorum) {
      await repos.numbers.blacklist({ ...entry, reason: 'quorum', note: '', now });
    }
  }

  /** The one way an order ends: the number is freed, and the hold voided when no SMS came. */
  private async end(repos: Repositories, order: OrderRow, reason: EndReason, now: number): Promise<{ refunded: boolean }> {
    const refund = order.sms_status === 'waiting';
    const balance = refund
      ? await this.ledger.void(repos, moneyOf(order), reason === 'expire' ? 'expire' : 'refund', now)
      : ((await repos.accounts.availableForUser(order.user_id)) ?? 0);
    await repos.orders.end(order.id, { smsStatus: refund ? 'failed' : order.sms_status, reason, balanceAfter: balance, now });
    await repos.accounts.closeOrder(order.user_id);
    await repos.numbers.free(order.number_id, order.id, now);
    await countOrderEnd(repos, order, this.config, now);
    const refunded = refund && order.hold_id !== null;
    await queueWebhookEvent(repos, {
      userId: order.user_id,
      type: 'order.ended',
      now,
      data: async () => ({ ...webhookOrderData(order, (await repos.catalog.findProject(order.project_id))?.service ?? ''), reason, refunded }),
    });
    return { refunded };
  }
}

/** What a webhook event says about the order; the latest SMS as the row holds it. */
export const webhookOrderData = (order: OrderRow, service: string): WebhookOrderData => ({
  orderId: order.public_id,
  activationId: order.id,
  number: order.number,
  myPid: order.project_id,
  service,
  code: order.content === null ? null : (order.code ?? ''),
  content: order.content,
});

const toSummary = (o: OrderListRow): OrderSummary => ({
  orderId: o.public_id,
  number: o.number,
  numberStatus: o.number_status,
  smsStatus: o.sms_status,
  code: o.content === null ? null : (o.code ?? ''),
  content: o.content,
  balanceAfter: o.balance_after,
  project: { myPid: o.project_id, enname: o.enname, price: o.price },
  createdAt: o.created_at,
  updatedAt: o.updated_at,
});

const toAdminView = (o: OrderListRow): AdminOrderView => ({
  ...toSummary(o),
  username: o.username,
  supplier: o.supplier,
  country: o.country,
  smsCount: o.sms_count,
  expiresAt: o.expires_at,
  endedAt: o.ended_at,
});

const toDeliveredSms = (r: InboundSmsRow): DeliveredSms => ({ id: r.id, receivedAt: r.received_at, createdAt: r.created_at, sender: r.sender, text: r.text, code: r.code ?? '' });

const orderBy = (key: OrderKey): { id: number } | { publicId: string } => (typeof key === 'number' ? { id: key } : { publicId: key });

/** A key that cannot name any order: not a public id, or not a whole number. */
const malformed = (by: { id: number } | { publicId: string }): boolean => ('publicId' in by ? !isObjectId(by.publicId) : !Number.isSafeInteger(by.id));

function toActivation(o: OrderListRow): ActivationView {
  return {
    activationId: o.id,
    orderId: o.public_id,
    number: o.number,
    country: o.country,
    operator: o.operator,
    service: o.service,
    myPid: o.project_id,
    enname: o.enname,
    price: o.price,
    numberStatus: o.number_status,
    smsStatus: o.sms_status,
    endReason: o.end_reason,
    code: o.content === null ? null : (o.code ?? ''),
    content: o.content,
    smsCount: o.sms_count,
    waitingForRetry: o.retry_at !== null,
    createdAt: o.created_at,
    expiresAt: o.expires_at,
    endedAt: o.ended_at,
  };
}
