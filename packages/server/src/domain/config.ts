/** The rules an operator may tune (DESIGN §3); the defaults are the trade's usual ones. */
export interface DomainConfig {
  /** How long an order keeps its number. */
  orderTtlMs: number;
  /** A release is refused this soon after the number was taken. */
  releaseAfterMs: number;
  /** The supplier's share of each charge for suppliers created without one, in basis points. */
  defaultSupplierShareBp: number;
  /** The channel listed when /projects gets no channel, and given to new projects and suppliers. */
  defaultChannel: number;
  /** Payment methods a recharge order may name. */
  paymentMethods: string[];
  /**
   * How long a process may reuse who an API key belongs to and a project's terms (0 = never). Other
   * processes see a rotated key, a disabled user or a new price within this time.
   */
  cacheTtlMs: number;
  /** Live orders one user may hold at once, unless an admin set the user's own cap (0 = no cap). */
  maxActiveOrders: number;
  /** Distinct users whose shields take a number out of a project for everyone. */
  shieldQuorum: number;
  /** Unpaid, unexpired recharge orders one user may have open. */
  maxOpenRecharges: number;
  /** An unpaid recharge order expires this long after it was opened. */
  rechargeTtlMs: number;
  /** The longest a long-poll (`wait=`) holds a request: 60 s, less where the HTTP handler timeout needs it. */
  maxWaitMs: number;
  /** Webhooks may point at private, loopback and link-local addresses (tests, trusted networks). */
  webhookAllowPrivate: boolean;
  /** One webhook delivery, connection to answer, must be done by then. */
  webhookTimeoutMs: number;
  /** The first retry of a failed delivery comes this long after it; each later one waits twice as long. */
  webhookFirstRetryMs: number;
  /** An online number its supplier, gateway or line has not reported for this long goes offline (0 = never). */
  supplierHeartbeatMs: number;
  /** A number whose orders end this many times in a row without an SMS is rested (0 = never). */
  restAfterFailures: number;
  /** How long a rested number is not handed out. */
  restMs: number;
  /** Anyone may open an account in the web user center (SIGNUP=open); otherwise admins create them. */
  signUpOpen: boolean;
  /** The most one customer request may spend asking remote suppliers for a number (SMSHub's own rule is 3 s). */
  remoteBudgetMs: number;
  /** How long an upstream's getStatus is asked to hold (`wait=`) while an activation waits for its SMS. */
  remoteWaitSeconds: number;
}

export const defaultDomainConfig: DomainConfig = {
  orderTtlMs: 15 * 60_000,
  releaseAfterMs: 10_000,
  defaultSupplierShareBp: 7000,
  defaultChannel: 6,
  paymentMethods: ['USDT-TRC20', 'USDT-ERC20', 'BTC', 'manual'],
  cacheTtlMs: 2000,
  maxActiveOrders: 20,
  shieldQuorum: 3,
  maxOpenRecharges: 3,
  rechargeTtlMs: 60 * 60_000,
  maxWaitMs: 60_000,
  webhookAllowPrivate: false,
  webhookTimeoutMs: 10_000,
  webhookFirstRetryMs: 10_000,
  // Onlinesim and SMSHub want the online set every 5 minutes; a GoIP keepalive comes every 30 s.
  supplierHeartbeatMs: 5 * 60_000,
  // Five orders in a row without an SMS is rarely the customers' bad luck: the SIM is blocked, out
  // of credit or in a modem that lost its network; an hour is long enough for a supplier to notice.
  restAfterFailures: 5,
  restMs: 60 * 60_000,
  signUpOpen: true,
  remoteBudgetMs: 3000,
  remoteWaitSeconds: 20,
};
