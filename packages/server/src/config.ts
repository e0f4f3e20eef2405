// Server configuration from the environment (and CLI flags), validated once at start.
import { z } from 'zod';
import { DEFAULT_TIMEOUTS, type AppOptions } from './api/app.js';
import { DEFAULT_FIVESIM } from './api/fivesim/plugin.js';
import { DEFAULT_RATE_LIMITS } from './api/limits.js';
import { DEFAULT_METRICS } from './api/ops.js';
import type { SmppOptions } from './api/smpp/server.js';
import type { DomainConfig } from './domain/config.js';
import { MAX_PER_SECOND_LIMIT } from './domain/smpp.js';
import { MAX_ACTIVE_ORDERS_LIMIT } from './domain/users.js';
import { MAX_WAIT_SECONDS } from './domain/waits.js';
import { DEFAULT_DATABASE_URL } from './store/dialect.js';

/** A setting is wrong; the message names it, what it is, and what it must be, in one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A whole number from `min` to `max`, typed as text (an environment variable, a flag); `unit` names what it counts. */
export function wholeNumber(min: number, max: number, unit = '') {
  const of = unit ? ` ${unit}` : '';
  return z
    .string()
    .trim()
    .regex(/^[-+]?\d+$/, `not a whole number${unit ? ` of${of}` : ''}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, min === 0 ? 'cannot be negative' : `at least ${min}${of}`)
        .max(max, `at most ${max}${of}`),
    );
}

export const PORT = wholeNumber(0, 65535);

const flag = z
  .string()
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v.toLowerCase()))
  .default(false);

/** On unless turned off (`off`, `false`, `no`, `0`). */
const onUnlessOff = z
  .string()
  .transform((v) => !['0', 'false', 'no', 'off'].includes(v.toLowerCase()))
  .default(true);

const DAY_MS = 86_400_000;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const perMinute = wholeNumber(0, 100_000_000, 'requests per minute');
const ms = wholeNumber(1, DAY_MS, 'milliseconds');

const envSchema = z.object({
  PORT: PORT.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
  DB_POOL_SIZE: wholeNumber(1, 500).default(20),
  ORDER_TTL_SECONDS: wholeNumber(1, 86_400).default(900),
  RELEASE_AFTER_SECONDS: wholeNumber(0, 86_400).default(10),
  SWEEP_INTERVAL_MS: wholeNumber(10, DAY_MS).default(1000),
  CACHE_TTL_MS: wholeNumber(0, DAY_MS).default(2000),
  MAX_ACTIVE_ORDERS: wholeNumber(0, MAX_ACTIVE_ORDERS_LIMIT).default(20),
  SHIELD_QUORUM: wholeNumber(1, 1000).default(3),
  MAX_OPEN_RECHARGES: wholeNumber(1, 1000).default(3),
  RECHARGE_TTL_MINUTES: wholeNumber(1, 525_600).default(60),
  SUPPLIER_HEARTBEAT_SECONDS: wholeNumber(0, 86_400).default(300),
  REST_AFTER_FAILURES: wholeNumber(0, 1000).default(5),
  REST_MINUTES: wholeNumber(1, 525_600).default(60),
  GOIP_UDP_PORT: PORT.optional(),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'not an http:// or https:// URL' })
    .refine((v) => !/[?#]/.test(v), 'the address the server is reached at, without a query')
    .transform((v) => v.replace(/\/+$/, ''))
    .optional(),
  SIGNUP: z.enum(['open', 'closed'], { error: 'either open or closed' }).default('open'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `not one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  LOG_REQUESTS: flag,
  TRUST_PROXY: z
    .string()
    .refine(
      (v) => !['true', 'yes', 'on', '1', '*'].includes(v.toLowerCase()),
      'name the proxies (addresses, CIDRs, or loopback): trusting every peer lets any client pick its own IP',
    )
    .optional(),
  RATE_LIMITS: onUnlessOff,
  RATE_LIMIT_PER_IP: perMinute.default(DEFAULT_RATE_LIMITS.perIp),
  RATE_LIMIT_PER_USER: perMinute.default(DEFAULT_RATE_LIMITS.perUser),
  RATE_LIMIT_PER_SUPPLIER: perMinute.default(DEFAULT_RATE_LIMITS.perSupplier),
  RATE_LIMIT_AUTH_FAILURES: perMinute.default(DEFAULT_RATE_LIMITS.authFailures),
  RATE_LIMIT_PASSWORD_CHECKS: perMinute.default(DEFAULT_RATE_LIMITS.passwordChecks),
  REDIS_URL: z.string().optional(),
  RATE_LIMIT_REDIS_PREFIX: z.string().default(DEFAULT_RATE_LIMITS.redisPrefix),
  METRICS_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  METRICS_REFRESH_MS: ms.default(DEFAULT_METRICS.refreshMs),
  HEADERS_TIMEOUT_MS: ms.default(DEFAULT_TIMEOUTS.headersMs),
  REQUEST_TIMEOUT_MS: ms.default(DEFAULT_TIMEOUTS.requestMs),
  HANDLER_TIMEOUT_MS: ms.default(DEFAULT_TIMEOUTS.handlerMs),
  SOCKET_TIMEOUT_MS: ms.default(DEFAULT_TIMEOUTS.socketMs),
  KEEP_ALIVE_TIMEOUT_MS: ms.default(DEFAULT_TIMEOUTS.keepAliveMs),
  SMPP_PORT: PORT.optional(),
  SMPP_HOST: z.string().min(1).optional(),
  SMPP_MAX_PER_SECOND: wholeNumber(1, MAX_PER_SECOND_LIMIT, 'messages per second').default(50),
  SMPP_IDLE_SECONDS: wholeNumber(1, 86_400, 'seconds').default(120),
  FIVESIM_NO_FREE_PHONES_STATUS: z
    .enum(['200', '400'], { error: 'not 200 or 400' })
    .transform((v) => (v === '200' ? 200 : 400))
    .default(DEFAULT_FIVESIM.noFreePhonesStatus),
  WEBHOOK_ALLOW_PRIVATE: flag,
  WEBHOOK_TIMEOUT_MS: wholeNumber(100, 60_000, 'milliseconds').default(10_000),
  REMOTE_BUDGET_MS: wholeNumber(100, 10_000, 'milliseconds').default(3000),
})
  .refine((e) => e.HEADERS_TIMEOUT_MS <= e.REQUEST_TIMEOUT_MS, { path: ['HEADERS_TIMEOUT_MS'], message: 'must not exceed REQUEST_TIMEOUT_MS' })
  .refine((e) => e.HANDLER_TIMEOUT_MS < e.SOCKET_TIMEOUT_MS, { path: ['SOCKET_TIMEOUT_MS'], message: 'must exceed HANDLER_TIMEOUT_MS, or a late reply cannot be sent' });

/** After a long-poll, time to read and answer before the handler timeout turns the reply into a 503. */
const WAIT_HEADROOM_MS = 5000;

/** 60 s, or less where HANDLER_TIMEOUT_MS leaves less room. */
export const maxWaitMs = (handlerTimeoutMs: number): number => Math.max(0, Math.min(MAX_WAIT_SECONDS * 1000, handlerTimeoutMs - WAIT_HEADROOM_MS));

export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  dbPoolSize: number;
  /** Long-poll wake-ups between processes go through this Redis (it also holds the rate-limit counters). */
  redisUrl: string | undefined;
  sweepIntervalMs: number;
  logLevel: string;
  logRequests: boolean;
  /** The GoIP SMS server's UDP port; none: not started. */
  goipUdpPort: number | undefined;
  /** The HTTP layer: proxies, timeouts, rate limits, /metrics, the 5SIM surface's choices, the public URL. */
  http: Required<Pick<AppOptions, 'timeouts' | 'rateLimits' | 'metrics' | 'fivesim'>> & Pick<AppOptions, 'trustProxy' | 'publicUrl'>;
  domain: Partial<DomainConfig>;
  /** The SMPP server; off (undefined) unless SMPP_PORT is set. Its host, when not its own, is the HTTP host. */
  smpp: (Omit<SmppOptions, 'host'> & { host: string | undefined }) | undefined;
}

/** WEBHOOK_ALLOW_PRIVATE, for the admin commands that set webhooks: the server's rule applies to them too. */
export const webhookAllowPrivate = (env: NodeJS.ProcessEnv): boolean => flag.parse(env.WEBHOOK_ALLOW_PRIVATE || undefined);

/** Reads the environment; `overrides` (from CLI flags) win. Throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      // A rule between two settings may fault one left at its default, which has no value to show.
      return env[name] === undefined ? `${name}: ${i.message}` : `${name}=${env[name]}: ${i.message}`;
    });
    throw new ConfigError(`${problems.join('; ')} (fix the environment variable${problems.length > 1 ? 's' : ''})`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dbPoolSize: e.DB_POOL_SIZE,
    redisUrl: e.REDIS_URL,
    sweepIntervalMs: e.SWEEP_INTERVAL_MS,
    logLevel: e.LOG_LEVEL,
    logRequests: e.LOG_REQUESTS,
    goipUdpPort: e.GOIP_UDP_PORT,
    http: {
      trustProxy: e.TRUST_PROXY,
      publicUrl: e.PUBLIC_URL,
      timeouts: {
        headersMs: e.HEADERS_TIMEOUT_MS,
        requestMs: e.REQUEST_TIMEOUT_MS,
        handlerMs: e.HANDLER_TIMEOUT_MS,
        socketMs: e.SOCKET_TIMEOUT_MS,
        keepAliveMs: e.KEEP_ALIVE_TIMEOUT_MS,
      },
      rateLimits: {
        enabled: e.RATE_LIMITS,
        perIp: e.RATE_LIMIT_PER_IP,
        perUser: e.RATE_LIMIT_PER_USER,
        perSupplier: e.RATE_LIMIT_PER_SUPPLIER,
        authFailures: e.RATE_LIMIT_AUTH_FAILURES,
        passwordChecks: e.RATE_LIMIT_PASSWORD_CHECKS,
        redisUrl: e.REDIS_URL,
        redisPrefix: e.RATE_LIMIT_REDIS_PREFIX,
      },
      metrics: { token: e.METRICS_TOKEN, refreshMs: e.METRICS_REFRESH_MS },
      fivesim: { noFreePhonesStatus: e.FIVESIM_NO_FREE_PHONES_STATUS },
    },
    domain: {
      orderTtlMs: e.ORDER_TTL_SECONDS * 1000,
      releaseAfterMs: e.RELEASE_AFTER_SECONDS * 1000,
      cacheTtlMs: e.CACHE_TTL_MS,
      maxActiveOrders: e.MAX_ACTIVE_ORDERS,
      shieldQuorum: e.SHIELD_QUORUM,
      maxOpenRecharges: e.MAX_OPEN_RECHARGES,
      rechargeTtlMs: e.RECHARGE_TTL_MINUTES * 60_000,
      maxWaitMs: maxWaitMs(e.HANDLER_TIMEOUT_MS),
      webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
      webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS,
      supplierHeartbeatMs: e.SUPPLIER_HEARTBEAT_SECONDS * 1000,
      restAfterFailures: e.REST_AFTER_FAILURES,
      restMs: e.REST_MINUTES * 60_000,
      signUpOpen: e.SIGNUP === 'open',
      remoteBudgetMs: e.REMOTE_BUDGET_MS,
    },
    smpp:
      e.SMPP_PORT === undefined
        ? undefined
        : { port: e.SMPP_PORT, host: e.SMPP_HOST, maxPerSecond: e.SMPP_MAX_PER_SECOND, idleMs: e.SMPP_IDLE_SECONDS * 1000 },
    ...overrides,
  };
}
