// Remote supply (DESIGN §6 "Remote supply"): suppliers whose numbers live elsewhere, an upstream
// provider speaking the SMS-Activate protocol or an SIM-bank agent speaking SMSHub's. When no local
// number serves an order, the order path asks them here, outside any transaction; the number bought
// becomes a number of that supplier and the order an ordinary one. The remote-supply job then follows
// each remote activation (its SMS, its end) through the functions below.
import { createHash } from 'node:crypto';
import type { FreeNumber } from '../store/repositories/numbers.js';
import type { ClaimedActivationRow, RemoteSupplierRow } from '../store/repositories/remote-supply.js';

/** An activation a node holds the lease of. */
export type ClaimedActivation = ClaimedActivationRow;
import type { RemoteProtocol, SupplierRemoteRow } from '../store/schema.js';
import type { Repositories, Store } from '../store/store.js';
import type { Actor, AuditLog } from './audit.js';
import type { CatalogService, OrderTerms } from './catalog.js';
import type { Clock } from './clock.js';
import type { DomainConfig } from './config.js';
import { DomainError, isDomainError } from './errors.js';
import type { InboundSmsService, ReceivedSms } from './inbound-sms.js';
import { randomDraw } from './ids.js';
import type { ProtocolNames } from './names.js';
import { normalizeNumber, supplierNamed } from './suppliers.js';

/** Where a remote supplier is and the key it knows us by. */
export interface RemoteEndpoint {
  url: string;
  key: string;
}

/** A number a remote sold us, or why not. `cost`, in cents, is what the remote is owed once an SMS comes. */
export type RemoteBuy = { ok: true; remoteId: string; number: string; cost: number } | { ok: false; reason: string };

/** What an upstream says of an activation: still waiting, a code (the latest), or over on its side. */
export type UpstreamStatus = { state: 'waiting' } | { state: 'code'; code: string } | { state: 'ended' };

/** The SMS-Activate protocol, as a reseller speaks it (src/remote/sms-activate.ts). */
export interface UpstreamClient {
  /** getNumberV2 with SMS-Activate's service code and country id; `maxPrice` in cents. */
  buy(at: RemoteEndpoint, order: { service: string; country: number; maxPrice: number }, signal: AbortSignal): Promise<RemoteBuy>;
  /** getStatus, held up to `waitSeconds` by upstreams that support `wait`. */
  status(at: RemoteEndpoint, remoteId: string, waitSeconds: number, signal: AbortSignal): Promise<UpstreamStatus>;
  /** The latest SMS's code and full text (getStatusV2). */
  lastSms(at: RemoteEndpoint, remoteId: string, signal: AbortSignal): Promise<{ code: string; text: string } | undefined>;
  /** setStatus 3: the customer asked for another SMS. */
  requestAnother(at: RemoteEndpoint, remoteId: string, signal: AbortSignal): Promise<void>;
  /** setStatus 6 (sold) or 8 (cancelled); true once nothing is left to end upstream. */
  end(at: RemoteEndpoint, remoteId: string, sold: boolean, signal: AbortSignal): Promise<boolean>;
}

/** SMSHub's agent protocol, as the hub speaks it (src/remote/smshub.ts). */
export interface AgentClient {
  /** GET_SERVICES: free numbers by country name and service code. */
  services(at: RemoteEndpoint, signal: AbortSignal): Promise<{ country: string; service: string; count: number }[]>;
  /** GET_NUMBER; `sum` in cents, sent in dollars. */
  buy(at: RemoteEndpoint, order: { country: string; service: string; sum: number; exceptions: string[] }, signal: AbortSignal): Promise<RemoteBuy>;
  /** FINISH_ACTIVATION with 3 (sold) or 4 (cancelled); true when the agent acknowledged it. */
  finish(at: RemoteEndpoint, remoteId: string, sold: boolean, signal: AbortSignal): Promise<boolean>;
}

export interface RemoteClients {
  upstream: UpstreamClient;
  agent: AgentClient;
}

export interface NewRemote {
  protocol: RemoteProtocol;
  url: string;
  key: string;
  /** Percent kept over an upstream's price. */
  markupPercent?: number | undefined;
}

/** What the order path hands over: create the ordinary order on this number, inside `repos`' transaction. */
export type OpenOrder<T> = (repos: Repositories, found: FreeNumber, now: number) => Promise<T>;

/** An SMSHub PUSH_SMS. */
export interface PushedSms {
  smsId: number | string;
  phone: number | string;
  phoneFrom: string;
  text: string;
}

/** Agents whose GET_SERVICES is older than this are not counted (the agent went away). */
export const AGENT_STOCK_FRESH_MS = 60_000;
/** Bound on the exceptionPhoneSet sent with GET_NUMBER. */
const MAX_EXCEPTIONS = 1000;
/** An upstream that does not hold getStatus is asked again this often. */
const POLL_MS = 3000;
/** One call from the job: an upstream's held getStatus plus this, any other call this. */
const CALL_TIMEOUT_MS = 10_000;
/** Failed attempts to end an activation remotely before giving up (backoff doubling from 5 s, at most 10 min). */
const MAX_END_FAILURES = 30;

/** Refuses a remote that could never be called; returns its URL as stored and the markup in basis points. */
export function checkRemote(remote: NewRemote): { url: string; markupBp: number } {
  let url: URL;
  try {
    url = new URL(remote.url);
  } catch {
    throw new DomainError('INVALID_INPUT', `${remote.url} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DomainError('INVALID_INPUT', 'A remote URL is http or https');
  if (remote.key === '' || remote.key.length > 500) throw new DomainError('INVALID_INPUT', 'A remote key is 1 to 500 characters');
  const markup = remote.markupPercent ?? 0;
  if (!Number.isFinite(markup) || markup < 0 || markup > 1000) throw new DomainError('INVALID_INPUT', 'A markup is 0 to 1000 percent');
  return { url: url.toString(), markupBp: Math.round(markup * 100) };
}

export class RemoteSupply {
  constructor(
    private readonly store: Store,
    private readonly inboundSms: InboundSmsService,
    private readonly names: ProtocolNames,
    private readonly clients: RemoteClients,
    private readonly clock: Clock,
    private readonly config: DomainConfig,
    private readonly audit: AuditLog,
    private readonly catalog: CatalogService,
  ) {}

  /**
   * Makes an existing supplier remote (the admin's `supplier create --upstream` / `--smshub-url`),
   * audited with the protocol, URL and markup (never the key).
   */
  async attach(supplierName: string, remote: NewRemote, by?: Actor): Promise<void> {
    const { url, markupBp } = checkRemote(remote);
    await this.audit.change(by, { action: 'supplier.attach_remote', target: `supplier:${supplierName}` }, {
      change: async (repos) => {
        const supplier = await supplierNamed(repos, supplierName);
        await repos.remoteSupply.insertRemote({
          supplier_id: supplier.id,
          protocol: remote.protocol,
          url,
          key: remote.key,
          markup_bp: markupBp,
          created_at: this.clock.now(),
        });
      },
      after: () => ({ protocol: remote.protocol, url, markupBp }),
    });
    // Orders read the channel's remote suppliers from the cached project terms.
    this.catalog.forgetTerms();
  }

  /**
   * Buys a number for an order no local number could serve: each remote supplier of the project's
   * channel in turn (agents that reported stock first), until one sells, before `deadline`
   * (performance.now()). The number is then opened as an ordinary order by `open`, in one transaction
   * with the remote activation's row; if that fails, the remote activation is ended at once.
   * NO_NUMBERS when none sells in time.
   */
  async acquire<T extends { activationId: number }>(
    terms: OrderTerms,
    request: { userId: number; locale?: string | undefined },
    deadline: number,
    open: OpenOrder<T>,
  ): Promise<T> {
    const { remotes } = terms;
    if (remotes.length === 0) throw noNumbers();
    const service = await this.names.serviceById(terms.project.service);
    const iso = request.locale ?? (terms.countries?.length === 1 ? terms.countries[0] : undefined);
    const country = iso === undefined ? undefined : await this.names.countryByIso(iso);
    // A remote sells by service and country: without both we cannot ask.
    if (!service || !country) throw noNumbers();
    const price = terms.priceIn(country.iso);
    // A customer who cannot pay is told so before anything is bought remotely.
    if (((await this.store.read.accounts.availableForUser(request.userId)) ?? 0) < price) throw new DomainError('INSUFFICIENT_BALANCE', 'Insufficient balance', { price });
    const ranked = await this.rank(remotes, service.id, country.iso);
    for (const remote of ranked) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      const signal = AbortSignal.timeout(Math.ceil(left));
      const at = { url: remote.url, key: remote.key };
      let bought: RemoteBuy;
      try {
        if (remote.protocol === 'smshub') {
          if (!country.fivesim || !service.smsActivate) continue;
          const exceptions = await this.store.read.remoteSupply.excluded(remote.supplier_id, terms.project.id, request.userId, MAX_EXCEPTIONS);
          // The agent is offered its ordinary share of the price.
          const sum = Math.floor((price * remote.share_bp) / 10_000);
          bought = await this.clients.agent.buy(at, { country: country.fivesim, service: service.smsActivate, sum, exceptions }, signal);
        } else {
          if (country.smsActivate === null || !service.smsActivate) continue;
          // Resale never loses money: the upstream may charge at most the price less the markup.
          const maxPrice = Math.floor((price * 10_000) / (10_000 + remote.markup_bp));
          bought = await this.clients.upstream.buy(at, { service: service.smsActivate, country: country.smsActivate, maxPrice }, signal);
          if (bought.ok && bought.cost > maxPrice) {
            this.endNow(remote, bought.remoteId);
            continue;
          }
        }
      } catch {
        continue; // timed out or unreachable: the next remote, within the same budget
      }
      if (!bought.ok) continue;
      const opened = await this.openBought(remote, bought, country.iso, terms.project.id, request.userId, open).catch((error: unknown) => {
        // The customer's own refusals (balance, cap) stand; anything about the number means try the next remote.
        if (isDomainError(error) && (error.code === 'INSUFFICIENT_BALANCE' || error.code === 'TOO_MANY_ACTIVE_ORDERS')) {
          this.endNow(remote, bought.remoteId);
          throw error;
        }
        return undefined;
      });
      if (opened) return opened;
      this.endNow(remote, bought.remoteId);
    }
    throw noNumbers();
  }

  /** SMSHub agents that said they have the service in the country, then upstreams, then other agents. */
  private async rank(remotes: RemoteSupplierRow[], service: string, country: string): Promise<RemoteSupplierRow[]> {
    const stocked: RemoteSupplierRow[] = [];
    const rest: RemoteSupplierRow[] = [];
    for (const remote of remotes) {
      if (remote.protocol === 'smshub' && (await this.store.read.remoteSupply.stockOf(remote.supplier_id, service, country)) === 0) rest.push(remote);
      else stocked.push(remote);
    }
    return [...stocked.filter((r) => r.protocol === 'smshub'), ...stocked.filter((r) => r.protocol !== 'smshub'), ...rest];
  }

  /** The bought number as the supplier's (offline: never handed out locally), checked, and the order opened on it. */
  private async openBought<T extends { activationId: number }>(
    remote: RemoteSupplierRow,
    bought: Extract<RemoteBuy, { ok: true }>,
    country: string,
    projectId: number,
    userId: number,
    open: OpenOrder<T>,
  ): Promise<T | undefined> {
    const number = normalizeNumber(bought.number);
    if (!number) return undefined;
    const now = this.clock.now();
    return this.store.transaction(async (repos) => {
      const elsewhere = await repos.numbers.upsert(remote.supplier_id, [{ number, country, operator: 'any', draw: randomDraw(), device: null, slot: null }], now);
      if (elsewhere > 0) return undefined; // another supplier's number: not ours to sell as this one's
      const row = await repos.numbers.findByNumber(number);
      if (!row || row.active_order_id !== null || !(await repos.remoteSupply.allowed(row.id, projectId, userId))) return undefined;
      const order = await open(repos, { id: row.id, number, supplier_id: remote.supplier_id, country: row.country, operator: row.operator }, now);
      await repos.remoteSupply.insertActivation({
        order_id: order.activationId,
        supplier_id: remote.supplier_id,
        remote_id: bought.remoteId,
        cost: bought.cost,
        state: 'live',
        due_at: now,
        failures: 0,
        retry_sent_at: null,
        created_at: now,
        updated_at: now,
      });
      return order;
    });
  }

  /** Ends a remote activation we will not use, in the background (the customer is not kept waiting). */
  private endNow(remote: SupplierRemoteRow, remoteId: string): void {
    void this.endRemote(remote.protocol, { url: remote.url, key: remote.key }, remoteId, false).catch(() => undefined);
  }

  private endRemote(protocol: RemoteProtocol, at: RemoteEndpoint, remoteId: string, sold: boolean, signal = AbortSignal.timeout(CALL_TIMEOUT_MS)): Promise<boolean> {
    return protocol === 'smshub' ? this.clients.agent.finish(at, remoteId, sold, signal) : this.clients.upstream.end(at, remoteId, sold, signal);
  }

  /**
   * Claims due activations (and those whose order has ended) for this node, each leased, so that
   * nodes share them and one that dies leaves them to another once the lease runs out.
   */
  async claimDue(limit: number): Promise<ClaimedActivation[]> {
    const now = this.clock.now();
    if (!(await this.store.read.remoteSupply.anyDue(now))) return [];
    const leaseMs = (this.config.remoteWaitSeconds * 1000 + CALL_TIMEOUT_MS) * 2;
    return this.store.transaction((repos) => repos.remoteSupply.claimDue(now, now + leaseMs, limit));
  }

  /** Claims and works through what is due, waiting for all of it; whether a full batch came back. */
  async followDue(limit = 50): Promise<boolean> {
    const claimed = await this.claimDue(limit);
    await Promise.all(claimed.map((row) => this.work(row)));
    return claimed.length === limit;
  }

  /**
   * Works on one claimed activation, outside any transaction: ends it remotely once its order has
   * ended, else follows it (an upstream's status and SMS). `stopping` cuts its calls short (the lease
   * then runs out and a node works on it again).
   */
  async work(row: ClaimedActivation, stopping?: AbortSignal): Promise<void> {
    const timeout = (ms: number) => (stopping ? AbortSignal.any([stopping, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms));
    const at = { url: row.url, key: row.key };
    if (row.number_status === 'released') {
      const ended = await this.endRemote(row.protocol, at, row.remote_id, row.sms_status === 'received', timeout(CALL_TIMEOUT_MS)).catch(() => false);
      if (stopping?.aborted) return; // the lease runs out and a node tries again
      const failures = ended ? row.failures : row.failures + 1;
      const now = this.clock.now();
      await this.store.read.remoteSupply.update(row.order_id, {
        state: ended || failures >= MAX_END_FAILURES ? 'ended' : 'live',
        due_at: now + Math.min(5000 * 2 ** Math.min(failures, 10), 10 * 60_000),
        failures,
        updated_at: now,
      });
      return;
    }
    if (row.protocol === 'smshub') {
      // The agent pushes its SMS; nothing to follow until the order ends.
      await this.store.read.remoteSupply.update(row.order_id, { state: 'live', due_at: Number.MAX_SAFE_INTEGER, failures: row.failures, updated_at: this.clock.now() });
      return;
    }
    const started = performance.now();
    let next = POLL_MS;
    let retrySent: number | undefined;
    try {
      // The customer asked for another SMS (SMS-Activate status 3 here): so does the upstream.
      if (row.retry_at !== null && (row.retry_sent_at === null || row.retry_sent_at < row.retry_at)) {
        await this.clients.upstream.requestAnother(at, row.remote_id, timeout(CALL_TIMEOUT_MS));
        retrySent = row.retry_at;
      }
      const status = await this.clients.upstream.status(at, row.remote_id, this.config.remoteWaitSeconds, timeout(this.config.remoteWaitSeconds * 1000 + CALL_TIMEOUT_MS));
      if (status.state === 'code') {
        const sms = (await this.clients.upstream.lastSms(at, row.remote_id, timeout(CALL_TIMEOUT_MS)).catch(() => undefined)) ?? { code: status.code, text: status.code };
        await this.deliver(row, sms);
      } else if (status.state === 'waiting' && performance.now() - started >= POLL_MS) {
        next = 0; // the upstream held the request (it supports wait=): ask again at once
      } else if (status.state === 'ended') {
        // Nothing more will come; the order runs to its own end, and then nothing is left to end upstream.
        await this.store.read.remoteSupply.update(row.order_id, { state: 'ended', due_at: this.clock.now(), failures: row.failures, updated_at: this.clock.now() });
        return;
      }
    } catch {
      if (stopping?.aborted) return;
      next = POLL_MS; // upstream slow or down: ask again later, the order's expiry bounds it
    }
    const now = this.clock.now();
    await this.store.read.remoteSupply.update(row.order_id, { state: 'live', due_at: now + next, failures: row.failures, retry_sent_at: retrySent, updated_at: now });
  }

  /** An upstream SMS through the one ingest path, once per (supplier, activation, code and text). */
  private deliver(row: ClaimedActivation, sms: { code: string; text: string }): Promise<ReceivedSms> {
    const digest = createHash('sha256').update(`${sms.code}\n${sms.text}`).digest('hex').slice(0, 32);
    return this.inboundSms.receive({
      source: 'upstream',
      sourceKey: `${row.remote_id}:${digest}`,
      supplierId: row.supplier_id,
      receiver: row.number,
      sender: '',
      text: sms.text,
      receivedAt: this.clock.now(),
    });
  }

  /** SMSHub PUSH_SMS: the agent that holds this key delivers an SMS, once per smsId. */
  async pushSms(key: string, sms: PushedSms): Promise<ReceivedSms> {
    const agent = key ? await this.store.read.remoteSupply.byKey('smshub', key) : undefined;
    if (!agent) throw new DomainError('UNAUTHORIZED', 'Unknown agent key');
    return this.inboundSms.receive({
      source: 'smshub',
      sourceKey: String(sms.smsId),
      supplierId: agent.supplier_id,
      receiver: String(sms.phone),
      sender: sms.phoneFrom,
      text: sms.text,
      receivedAt: this.clock.now(),
    });
  }

  /** Asks every SMSHub agent GET_SERVICES and keeps its counts (the stock table adds them). */
  async refreshAgentStock(): Promise<void> {
    const agents = await this.store.read.remoteSupply.ofProtocol('smshub');
    await Promise.all(
      agents.map(async (agent) => {
        const listed = await this.clients.agent.services({ url: agent.url, key: agent.key }, AbortSignal.timeout(CALL_TIMEOUT_MS)).catch(() => undefined);
        if (!listed) return; // its last counts go stale (AGENT_STOCK_FRESH_MS) rather than vanish on one failed call
        const counts = new Map<string, { service: string; country: string; count: number }>();
        for (const entry of listed) {
          const [service, country] = await Promise.all([this.names.serviceBySmsActivate(entry.service), this.names.countryByFivesim(entry.country)]);
          if (!service || !country) continue;
          const key = `${service.id}\n${country.iso}`;
          const seen = counts.get(key);
          counts.set(key, { service: service.id, country: country.iso, count: (seen?.count ?? 0) + entry.count });
        }
        await this.store.transaction((repos) => repos.remoteSupply.replaceStock(agent.supplier_id, [...counts.values()], this.clock.now()));
      }),
    );
  }

}

const noNumbers = () =>
  new DomainError('NO_NUMBERS', 'The phone number is not available. Please try again later. Suggestion: Try another country or another channel');
