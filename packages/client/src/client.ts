// A typed client for the FASTPVA API (/pvapublic). Every route is a GET with the API key in the
// query, and every answer is {"code":1,"data":...} or {"code":-1,"data":...}: this turns the first
// into a value and the second into a FastpvaError, except where -1 means "no SMS yet".
import type { Code, Project, RechargeOrder, SmsOrder, TakenNumber, UserInfo, Webhook, WebhookDelivery } from './types.js';

export interface ClientOptions {
  /** Where the server is, e.g. `https://sms.example.com` (the `/pvapublic` prefix is added). */
  baseUrl: string;
  apiKey: string;
  /** How long a request may take beyond any long-poll `wait` it asks for (default 30 s). */
  timeoutMs?: number;
  /** Another fetch (a proxy, a test double of the network). Defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** The server refused: `message` is its `data` word for word (e.g. `Invalid order ID`). */
export class FastpvaError extends Error {
  constructor(
    readonly route: string,
    message: string,
  ) {
    super(message);
    this.name = 'FastpvaError';
  }
}

export interface Paging {
  page?: number;
  limit?: number;
}

export interface OrderFilter extends Paging {
  orderId?: string;
  number?: string;
  /** ISO-8601, or epoch seconds or milliseconds. */
  startTime?: string | number;
  endTime?: string | number;
  numberStatus?: 'receiving' | 'released';
  smsStatus?: 'waiting' | 'received' | 'failed';
  /** The page starts after this order (the last `_id` of the page before): deep pages cost what the first does. */
  after?: string;
}

/** The server holds a long-poll for at most this many seconds. */
export const MAX_WAIT_SECONDS = 60;

type Query = Record<string, string | number | undefined>;
type Envelope = { code: 1 | -1; data: unknown };

export class FastpvaClient {
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: ClientOptions) {
    this.base = `${options.baseUrl.replace(/\/+$/, '')}/pvapublic`;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  projects(query: Paging & { keyword?: string; channel?: number | 'all' } = {}) {
    return this.ok<{ count: number; projects: Project[] }>('/projects', { page: 1, limit: 20, ...query });
  }

  /** The user's favourite projects. */
  collects(query: Paging & { keyword?: string } = {}) {
    return this.ok<{ count: number; collects: Project[] }>('/collects', { page: 1, limit: 20, ...query });
  }

  async collect(myPid: number): Promise<void> {
    await this.ok('/collects/add', { myPid });
  }

  async uncollect(myPid: number): Promise<void> {
    await this.ok('/collects/remove', { myPid });
  }

  /** Takes a number for a project; `locale` picks the country of a per-country project. */
  getNumber(request: { myPid: number; number?: string; locale?: string }) {
    return this.ok<TakenNumber>('/sms/getNumber', request);
  }

  /** How many numbers are free now for a project, by country, most first (an upper bound, counted every few seconds). */
  stock(myPid: number) {
    return this.ok<{ myPid: number; countries: { country: string; count: number }[] }>('/sms/stock', { myPid });
  }

  /**
   * The latest SMS of an order, or null while none came. With `wait` (seconds, up to 60) the server
   * holds the request until an SMS arrives or the wait ends.
   */
  async getCode(orderId: string, options: { wait?: number } = {}): Promise<(Code & { balance: number }) | null> {
    const reply = await this.call('/sms/getCode', { orderId, wait: options.wait }, options.wait);
    if (reply.code === 1) return reply.data as Code & { balance: number };
    if (typeof reply.data === 'object' && reply.data !== null) return null; // {"number","balance"}: no SMS yet
    throw new FastpvaError('/sms/getCode', String(reply.data));
  }

  /** The latest SMS of several orders at once: only those that got one are in `orders`. */
  async codes(orderIds: string[], options: { wait?: number } = {}): Promise<{ orders: Record<string, Code>; balance: number }> {
    const reply = await this.call('/sms/codes', { ordersId: orderIds.join('_'), wait: options.wait }, options.wait);
    if (typeof reply.data === 'object' && reply.data !== null) return reply.data as { orders: Record<string, Code>; balance: number };
    throw new FastpvaError('/sms/codes', String(reply.data));
  }

  /**
   * Waits for an order's code with long-polls of up to a minute each, until `timeoutMs` (default: 15
   * minutes, an order's life) has passed; null when none came. One request per minute at most while waiting.
   */
  async waitForCode(orderId: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<(Code & { balance: number }) | null> {
    const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
    for (;;) {
      options.signal?.throwIfAborted();
      const left = Math.ceil((deadline - Date.now()) / 1000);
      const found = await this.getCode(orderId, { wait: Math.max(0, Math.min(MAX_WAIT_SECONDS, left)) });
      if (found || left <= 0) return found;
    }
  }

  /** Gives the number back: refunded when no SMS came. Refused in the first seconds after getNumber. */
  async releaseNumber(orderId: string): Promise<void> {
    await this.ok('/sms/releaseNumber', { orderId });
  }

  /** Releases and never gives this number to this user for this project again. */
  async shieldNumber(orderId: string): Promise<void> {
    await this.ok('/sms/shieldNumber', { orderId });
  }

  orders(filter: OrderFilter = {}) {
    return this.ok<{ count: number; orders: SmsOrder[] }>('/sms/orders', { page: 1, limit: 20, ...filter });
  }

  rechargeOrders(filter: Paging & { orderId?: string; status?: RechargeOrder['status']; startTime?: string | number; endTime?: string | number } = {}) {
    return this.ok<RechargeOrder[]>('/recharge/orders', { page: 1, limit: 20, ...filter });
  }

  /** Opens a recharge order of `amount` cents; the balance grows once the payment is confirmed. */
  createRecharge(amount: number, payment: string) {
    return this.ok<RechargeOrder>('/recharge/create', { amount, payment });
  }

  userInfo() {
    return this.ok<UserInfo>('/user/info', {});
  }

  /** Points the webhook at `url`; the signing secret is in this answer only. */
  setWebhook(url: string) {
    return this.ok<{ url: string; secret: string }>('/webhook/set', { url });
  }

  /** The webhook, or null when none is set. */
  async webhook(): Promise<Webhook | null> {
    const reply = await this.call('/webhook/get', {});
    return reply.code === 1 ? (reply.data as Webhook) : null;
  }

  async clearWebhook(): Promise<void> {
    await this.ok('/webhook/clear', {});
  }

  webhookDeliveries(paging: Paging = {}) {
    return this.ok<{ count: number; deliveries: WebhookDelivery[] }>('/webhook/deliveries', { page: 1, limit: 20, ...paging });
  }

  private async ok<T>(route: string, query: Query): Promise<T> {
    const reply = await this.call(route, query);
    if (reply.code !== 1) throw new FastpvaError(route, typeof reply.data === 'string' ? reply.data : JSON.stringify(reply.data));
    return reply.data as T;
  }

  private async call(route: string, query: Query, waitSeconds = 0): Promise<Envelope> {
    const url = new URL(this.base + route);
    for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    url.searchParams.set('apikey', this.options.apiKey);
    const response = await this.fetch(url, { signal: AbortSignal.timeout(waitSeconds * 1000 + this.timeoutMs) });
    const text = await response.text();
    // Rate limits and HTTP-level refusals come in the same envelope; anything else is not FASTPVA.
    let reply: Envelope;
    try {
      reply = JSON.parse(text) as Envelope;
    } catch {
      throw new FastpvaError(route, `HTTP ${response.status}: ${text.slice(0, 200)}`);
    }
    if (reply.code !== 1 && reply.code !== -1) throw new FastpvaError(route, `HTTP ${response.status}: ${text.slice(0, 200)}`);
    return reply;
  }
}
