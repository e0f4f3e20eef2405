// The domain, wired: every use case over one store, one clock and one event hub.
import type { Store } from '../store/store.js';
import { AuditLog } from './audit.js';
import { BlacklistService } from './blacklist.js';
import { CacheSync } from './cache.js';
import { CatalogService } from './catalog.js';
import { systemClock, type Clock } from './clock.js';
import { defaultDomainConfig, type DomainConfig } from './config.js';
import { DomainEventHub } from './events.js';
import { GatewayService } from './gateways.js';
import { GoipService } from './goip.js';
import { InboundSmsService } from './inbound-sms.js';
import { ProtocolNames } from './names.js';
import { Ledger } from './ledger.js';
import { NumberService } from './numbers.js';
import { OrderFeed } from './order-feed.js';
import { OrderService } from './orders.js';
import { RechargeService } from './recharges.js';
import { RemoteSupply, type RemoteClients } from './remote-supply.js';
import { smsActivateUpstream } from '../remote/sms-activate.js';
import { smshubAgents } from '../remote/smshub.js';
import { SmppService } from './smpp.js';
import { ReportService } from './reports.js';
import { SessionService } from './sessions.js';
import { StatsService } from './stats.js';
import { StockService } from './stock.js';
import { SupplierService } from './suppliers.js';
import { UserService } from './users.js';
import { SmsWaits } from './waits.js';
import { WebhookService } from './webhooks.js';

export interface Platform {
  store: Store;
  clock: Clock;
  config: DomainConfig;
  events: DomainEventHub;
  /** The caches of every process of a cluster, kept in step through the bus. */
  caches: CacheSync;
  ledger: Ledger;
  users: UserService;
  catalog: CatalogService;
  suppliers: SupplierService;
  numbers: NumberService;
  orders: OrderService;
  inboundSms: InboundSmsService;
  gateways: GatewayService;
  goip: GoipService;
  recharges: RechargeService;
  smpp: SmppService;
  blacklist: BlacklistService;
  /** How SMS-Activate and 5SIM name services and countries. */
  names: ProtocolNames;
  /** What is for sale now, with counts. */
  stock: StockService;
  stats: StatsService;
  /** Changes to orders on every process (bus.ts connects it to the others). */
  feed: OrderFeed;
  /** Long-poll: `await waits.forSms(userId, [order], waitMs, request.signal)`, then read as usual. */
  waits: SmsWaits;
  webhooks: WebhookService;
  /** Web sign-in and its second factor. */
  sessions: SessionService;
  /** Admin actions, recorded. */
  audit: AuditLog;
  /** Upstream providers and SMSHub agents: numbers bought elsewhere when none is free here. */
  remoteSupply: RemoteSupply;
  /** The admin overview's charts. */
  reports: ReportService;
}

export async function createPlatform(
  store: Store,
  options: { clock?: Clock; config?: Partial<DomainConfig>; remoteClients?: RemoteClients } = {},
): Promise<Platform> {
  const clock = options.clock ?? systemClock;
  const config = { ...defaultDomainConfig, ...options.config };
  const events = new DomainEventHub();
  const caches = new CacheSync();
  const ledger = await Ledger.load(store);
  const audit = new AuditLog(store, clock);
  const catalog = new CatalogService(store, clock, config, audit, caches);
  const inboundSms = new InboundSmsService(store, ledger, events, clock);
  const users = new UserService(store, ledger, clock, config, audit, caches);
  const feed = new OrderFeed(events);
  const names = new ProtocolNames(store, clock, config.cacheTtlMs, audit);
  const remoteSupply = new RemoteSupply(store, inboundSms, names, options.remoteClients ?? { upstream: smsActivateUpstream, agent: smshubAgents }, clock, config, audit, catalog);
  return {
    store,
    clock,
    config,
    events,
    caches,
    ledger,
    users,
    catalog,
    suppliers: new SupplierService(store, catalog, ledger, clock, config, audit),
    numbers: new NumberService(store, clock, config, audit),
    orders: new OrderService(store, ledger, catalog, events, clock, config, remoteSupply),
    inboundSms,
    gateways: new GatewayService(store, inboundSms, clock, audit),
    goip: new GoipService(store, inboundSms, clock, audit),
    recharges: new RechargeService(store, ledger, clock, config, audit),
    smpp: new SmppService(store, inboundSms, clock, audit),
    blacklist: new BlacklistService(store, clock, audit),
    names,
    stock: new StockService(store, clock),
    stats: new StatsService(store),
    feed,
    waits: new SmsWaits(store, feed, config.maxWaitMs),
    webhooks: new WebhookService(store, clock, config, audit),
    sessions: new SessionService(store, users, clock),
    audit,
    reports: new ReportService(store, clock),
    remoteSupply,
  };
}
