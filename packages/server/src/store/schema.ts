// Table shapes as Kysely sees them. One schema for SQLite and Postgres:
// money is integer cents, time is integer epoch milliseconds, flags are 0/1 integers.
import type { Generated, Insertable, Selectable } from 'kysely';

type Id = Generated<number>;
/** A 0/1 flag: identical in both dialects (SQLite has no boolean type). */
export type Flag = 0 | 1;

export type UserRole = 'user' | 'admin' | 'supplier';
export type AccountKind = 'user' | 'supplier' | 'revenue' | 'world';
export type TransferKind = 'hold' | 'charge' | 'refund' | 'expire' | 'supplier_share' | 'recharge' | 'adjustment' | 'payout';
export type NumberStatus = 'receiving' | 'released';
export type SmsStatus = 'waiting' | 'received' | 'failed';
export type RechargeStatus = 'unpaid' | 'paid';
/** release: given back by the customer; shield: given back and shielded; expire: time ran out; finish: closed by the customer after its SMS. */
export type EndReason = 'release' | 'shield' | 'expire' | 'finish';

export interface UsersTable {
  id: Id;
  public_id: string;
  username: string;
  password_hash: string | null;
  api_key_hash: string;
  api_key_prefix: string;
  role: UserRole;
  email: string;
  mobile: string;
  tg: string;
  disabled: Flag;
  /** This user's cap on live orders (null: the operator's MAX_ACTIVE_ORDERS; 0: no cap). */
  max_active_orders: number | null;
  /** This user's API requests per minute (null: the operator's default). */
  rate_limit: number | null;
  created_at: number;
  updated_at: number;
}

export interface AccountsTable {
  id: Id;
  kind: AccountKind;
  user_id: number | null;
  supplier_id: number | null;
  /** Posted money, credit-normal: what the owner has. The world account goes negative. */
  balance: number;
  /** Sum of open holds against this account. Available = balance - held. */
  held: number;
  allow_negative: Flag;
  /** A customer's live orders, kept in step with orders (the active-order cap is checked against it). */
  active_orders: Generated<number>;
  /** Orders its owner ever took, counted by a trigger on orders (the `count` of an unfiltered history). */
  orders_taken: Generated<number>;
}

export interface TransfersTable {
  id: Id;
  kind: TransferKind;
  debit_account_id: number;
  credit_account_id: number;
  amount: number;
  /** For charge / refund / expire: the hold this transfer resolves (unique: a hold resolves once). */
  pending_id: number | null;
  /** The order a charge, refund, expiry or supplier share belongs to (a hold is linked from its order). */
  order_id: number | null;
  recharge_id: number | null;
  note: Generated<string>;
  created_at: number;
}

export interface ChannelsTable {
  id: number;
  name: string;
  enabled: Flag;
  created_at: number;
}

export interface ProjectsTable {
  /** The customer-facing myPid. */
  id: number;
  public_id: string;
  enname: string;
  channel_id: number;
  /** The brand the code extractor should expect (Telegram, WhatsApp...). */
  service: string;
  selling_price: number;
  support_country: Flag;
  enabled: Flag;
  created_at: number;
  updated_at: number;
}

export interface ProjectCountryPricesTable {
  project_id: number;
  country: string;
  price: number;
}

export interface UserProjectPricesTable {
  user_id: number;
  project_id: number;
  price: number;
}

export interface CollectsTable {
  user_id: number;
  project_id: number;
  created_at: number;
}

export interface SuppliersTable {
  id: Id;
  public_id: string;
  name: string;
  key_hash: string;
  key_prefix: string;
  /** Supplier's share of each charge, in basis points (7000 = 70%). */
  share_bp: number;
  enabled: Flag;
  created_at: number;
  updated_at: number;
}

export interface SupplierChannelsTable {
  supplier_id: number;
  channel_id: number;
}

export interface NumbersTable {
  id: Id;
  supplier_id: number;
  /** E.164 digits without '+'. */
  number: string;
  country: string;
  operator: string;
  online: Flag;
  /** The order now using this number. Kept in step with orders so that Postgres row locks see it. */
  active_order_id: number | null;
  /** A random position: allocation starts at a random draw so that concurrent takers spread out. */
  draw: number;
  /** Removed by an admin: kept for its history, never offered again. */
  removed_at: number | null;
  /** The gateway device the SIM sits in (an Android phone's deviceId, a Dinstar serial) and its slot or port. */
  device: string | null;
  slot: number | null;
  /** When its supplier, gateway or line last reported it; online numbers not seen for the heartbeat go offline. */
  last_seen_at: number | null;
  /** Orders in a row that ended without an SMS; a delivered SMS sets it back to 0 (domain/number-health.ts). */
  consecutive_failures: Generated<number>;
  /** Not handed out before this time: too many orders in a row ended without an SMS. */
  rested_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface NumberUsagesTable {
  number_id: number;
  project_id: number;
  user_id: number;
  order_id: number;
  created_at: number;
}

/** One user keeps a number away from themselves for one project (shieldNumber). */
export interface NumberShieldsTable {
  number_id: number;
  project_id: number;
  user_id: number;
  order_id: number;
  created_at: number;
}

export type BlacklistReason = 'quorum' | 'admin';

/** The number is out of the project for everyone. */
export interface NumberBlacklistTable {
  number_id: number;
  project_id: number;
  reason: BlacklistReason;
  note: Generated<string>;
  created_at: number;
}

export interface OrdersTable {
  id: Id;
  public_id: string;
  user_id: number;
  project_id: number;
  number_id: number;
  supplier_id: number;
  number: string;
  country: string;
  price: number;
  /** The hold placed on the customer's balance for this order (null for a free project). */
  hold_id: number | null;
  number_status: NumberStatus;
  sms_status: SmsStatus;
  /** Latest SMS: its extracted code ('' when none was found) and full text. */
  code: string | null;
  content: string | null;
  sms_count: number;
  /** When the customer asked for another SMS (SMS-Activate status 3); the wait goes on from then. */
  retry_at: number | null;
  /** How the order ended (null while live, and for orders that ended before this was recorded). */
  end_reason: EndReason | null;
  /** The user's available balance right after this order's last change. */
  balance_after: number;
  expires_at: number;
  ended_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface InboundSmsTable {
  id: Id;
  /** Where it came from (supplier-push, a gateway name...) and that source's own message id. */
  source: string;
  source_key: string;
  supplier_id: number;
  number_id: number | null;
  order_id: number | null;
  receiver: string;
  sender: string;
  text: string;
  code: string | null;
  code_method: string | null;
  /** Why it was not delivered (null: delivered to order_id). */
  reason: UndeliveredReason | null;
  /** The live order it was judged against and kept from. */
  candidate_order_id: number | null;
  received_at: number;
  created_at: number;
}

/** no_live_order: late, or no order on the number; other_service: names another service; no_code: neither a code nor the order's service. */
export type UndeliveredReason = 'no_live_order' | 'other_service' | 'no_code';

export interface RechargeOrdersTable {
  id: Id;
  public_id: string;
  user_id: number;
  /** Credited to the balance. */
  amount: number;
  /** Actually paid through the payment method. */
  order_amt: number;
  payment: string;
  status: RechargeStatus;
  paid_at: number | null;
  /** An unpaid order expires then (null: never). */
  expires_at: number | null;
  created_at: number;
  updated_at: number;
}

/** How SMS-Activate and 5SIM name a service: seeded from domain/vocabulary/services.ts, editable by admins. */
export interface ServicesTable {
  /** Canonical id, as projects.service holds it. */
  id: string;
  name: string;
  sms_activate: string | null;
  fivesim: string;
}

/** How SMS-Activate (numeric id) and 5SIM (slug) name a country: seeded from domain/vocabulary, editable. */
export interface CountriesTable {
  /** ISO 3166-1 alpha-2. */
  iso: string;
  name: string;
  sms_activate: number | null;
  fivesim: string | null;
}

/** An SMS gateway attached to a supplier: it posts to /ingest/<kind>/<token>. */
export interface GatewaysTable {
  id: Id;
  supplier_id: number;
  kind: string;
  /** SHA-256 of the URL token; the token itself is shown once. */
  token_hash: string;
  token_prefix: string;
  /** The vendor's shared secret (signing key, auth token, SMSSync secret): kept as given, since checking a signature needs it. */
  secret: string | null;
  created_at: number;
  updated_at: number;
}

/** One line (SIM channel) of a GoIP gateway, as its "SMS server" settings name it. */
export interface GoipLinesTable {
  id: Id;
  supplier_id: number;
  /** The line's authentication id, unique: a GoIP packet names nothing else. */
  line: string;
  /** SHA-256 of its password; the GoIP sends the password itself in every packet. */
  password_hash: string;
  /** Numbers the line reports that are not registered yet are registered in this country; null: register them first. */
  country: string | null;
  /** The number the line last reported. */
  number_id: number | null;
  created_at: number;
  updated_at: number;
}

/** How a gateway sends data_coding 0 (GSM 03.38): one septet per octet, as SMPP says, or packed. */
export type Gsm7Packing = 'unpacked' | 'packed';

/** A supplier's SMPP credentials and settings. */
export interface SmppAccountsTable {
  supplier_id: number;
  system_id: string;
  password_hash: string;
  /** Message PDUs per second before ESME_RTHROTTLED (null: the server's SMPP_MAX_PER_SECOND). */
  max_per_second: number | null;
  gsm7: Gsm7Packing;
  created_at: number;
  updated_at: number;
}

/** A concatenated SMPP message still missing parts. */
export interface SmppPartialsTable {
  supplier_id: number;
  message_key: string;
  /** JSON: each part's code units as hex, null where it has not arrived. */
  parts: string;
  created_at: number;
}

/** A customer's most for one service (5SIM's max-prices): purchases of it without a maxPrice of their own cost at most this. */
export interface MaxPricesTable {
  id: Id;
  user_id: number;
  /** Canonical service id. */
  service: string;
  /** Cents. */
  price: number;
  created_at: number;
}

/** A user's webhook endpoint (one per user). */
export interface WebhooksTable {
  user_id: number;
  url: string;
  /** The signing secret, kept as is: signing needs it. */
  secret: string;
  created_at: number;
}

export type WebhookEventType = 'sms.received' | 'order.ended';
/** pending: to be delivered (or being delivered); delivered: a 2xx came back; failed: given up; cancelled: the webhook was cleared. */
export type WebhookEventStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

/** The outbox: each event written in the transaction of the change it announces. */
export interface WebhookEventsTable {
  id: Id;
  public_id: string;
  user_id: number;
  type: WebhookEventType;
  /** The exact JSON body sent. */
  body: string;
  status: WebhookEventStatus;
  attempts: Generated<number>;
  /** When the next attempt is due; while one runs, the end of its lease. */
  next_attempt_at: number;
  created_at: number;
  ended_at: number | null;
}

/** One delivery attempt, as the user and admins list them. */
export interface WebhookDeliveriesTable {
  id: Id;
  event_id: number;
  user_id: number;
  attempt: number;
  url: string;
  /** null: no HTTP answer; `error` says why. */
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  created_at: number;
}

/** A signed-in browser (the web user center and admin panel). */
export interface WebSessionsTable {
  /** SHA-256 of the cookie's token. */
  token_hash: string;
  user_id: number;
  /** Sent back by the page on every state-changing call; other sites cannot read it. */
  csrf_token: string;
  created_at: number;
  /** Moved forward as the session is used (see domain/sessions.ts). */
  expires_at: number;
}

/** A user's TOTP second factor (RFC 6238). */
export interface UserTotpTable {
  user_id: number;
  /** Base32, as authenticator apps take it. */
  secret: string;
  /** null: set up, not yet confirmed with a code (not asked at sign-in). */
  enabled_at: number | null;
  /** The time step of the last code accepted: each code signs in once. */
  last_step: Generated<number>;
}

/** An admin action: who, what, on what, when, and the state before and after. */
export interface AuditLogTable {
  id: Id;
  /** null for actions without a signed-in user. */
  actor_id: number | null;
  actor: string;
  /** e.g. user.adjust_balance */
  action: string;
  /** e.g. user:alice, project:1001 */
  target: string;
  /** JSON text, null where there was nothing (a creation's before). */
  before: string | null;
  after: string | null;
  created_at: number;
}

/** How many numbers were online at a moment, for the admin overview. */
export interface OnlineSamplesTable {
  /** The start of the sampling interval, epoch ms. */
  at: number;
  online: number;
}

/** A supplier whose numbers live at another provider (DESIGN §6 "Remote supply"). */
export interface SupplierRemotesTable {
  supplier_id: number;
  protocol: RemoteProtocol;
  url: string;
  /** Stored as given: it is sent with every call. */
  key: string;
  /** Basis points kept over the upstream's price (1000 = 10%). */
  markup_bp: number;
  created_at: number;
}

export type RemoteProtocol = 'sms-activate' | 'smshub';
export type RemoteActivationState = 'live' | 'ended';

/** The remote activation behind an order a remote supplier served. */
export interface RemoteActivationsTable {
  order_id: number;
  supplier_id: number;
  remote_id: string;
  /** What the remote charges when an SMS comes, in cents: the supplier's share of the charge. */
  cost: number;
  state: RemoteActivationState;
  /** When the remote-supply job next works on it (at once once its order has ended). */
  due_at: number;
  /** A node working on it holds it until then. */
  lease_until: Generated<number>;
  failures: number;
  /** The customer's latest "another SMS" request (orders.retry_at) already passed on. */
  retry_sent_at: number | null;
  created_at: number;
  updated_at: number;
}

/** An SMSHub agent's free numbers by service and country, from its last GET_SERVICES. */
export interface RemoteStockTable {
  supplier_id: number;
  service: string;
  country: string;
  count: number;
  updated_at: number;
}

export interface Database {
  users: UsersTable;
  accounts: AccountsTable;
  transfers: TransfersTable;
  channels: ChannelsTable;
  projects: ProjectsTable;
  project_country_prices: ProjectCountryPricesTable;
  user_project_prices: UserProjectPricesTable;
  collects: CollectsTable;
  suppliers: SuppliersTable;
  supplier_channels: SupplierChannelsTable;
  numbers: NumbersTable;
  number_usages: NumberUsagesTable;
  number_shields: NumberShieldsTable;
  number_blacklist: NumberBlacklistTable;
  orders: OrdersTable;
  inbound_sms: InboundSmsTable;
  recharge_orders: RechargeOrdersTable;
  services: ServicesTable;
  countries: CountriesTable;
  smpp_accounts: SmppAccountsTable;
  smpp_partials: SmppPartialsTable;
  max_prices: MaxPricesTable;
  webhooks: WebhooksTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  gateways: GatewaysTable;
  goip_lines: GoipLinesTable;
  web_sessions: WebSessionsTable;
  user_totp: UserTotpTable;
  audit_log: AuditLogTable;
  online_samples: OnlineSamplesTable;
  supplier_remotes: SupplierRemotesTable;
  remote_activations: RemoteActivationsTable;
  remote_stock: RemoteStockTable;
}

export type UserRow = Selectable<UsersTable>;
export type AccountRow = Selectable<AccountsTable>;
export type TransferRow = Selectable<TransfersTable>;
export type ChannelRow = Selectable<ChannelsTable>;
export type ProjectRow = Selectable<ProjectsTable>;
export type SupplierRow = Selectable<SuppliersTable>;
export type SupplierRemoteRow = Selectable<SupplierRemotesTable>;
export type RemoteActivationRow = Selectable<RemoteActivationsTable>;
export type NumberRow = Selectable<NumbersTable>;
export type OrderRow = Selectable<OrdersTable>;
export type ServiceRow = Selectable<ServicesTable>;
export type CountryRow = Selectable<CountriesTable>;
export type MaxPriceRow = Selectable<MaxPricesTable>;
export type InboundSmsRow = Selectable<InboundSmsTable>;
export type RechargeOrderRow = Selectable<RechargeOrdersTable>;
export type SmppAccountRow = Selectable<SmppAccountsTable>;
export type WebhookRow = Selectable<WebhooksTable>;
export type WebhookEventRow = Selectable<WebhookEventsTable>;
export type GatewayRow = Selectable<GatewaysTable>;
export type GoipLineRow = Selectable<GoipLinesTable>;
export type WebSessionRow = Selectable<WebSessionsTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type NewOrder = Insertable<OrdersTable>;
export type NewInboundSms = Insertable<InboundSmsTable>;
