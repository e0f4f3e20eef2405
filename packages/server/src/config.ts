// Server configuration from the environment (and CLI flags), validated once at start.
import { z } from 'zod';
import type { DomainConfig } from './domain/config.js';
import { MAX_ACTIVE_ORDERS_LIMIT } from './domain/users.js';
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

const DAY_MS = 86_400_000;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `not one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  LOG_REQUESTS: flag,
});

export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  dbPoolSize: number;
  sweepIntervalMs: number;
  logLevel: string;
  logRequests: boolean;
  domain: Partial<DomainConfig>;
}

/** Reads the environment; `overrides` (from CLI flags) win. Throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      return `${name}=${env[name]}: ${i.message}`;
    });
    throw new ConfigError(`${problems.join('; ')} (fix the environment variable${problems.length > 1 ? 's' : ''})`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dbPoolSize: e.DB_POOL_SIZE,
    sweepIntervalMs: e.SWEEP_INTERVAL_MS,
    logLevel: e.LOG_LEVEL,
    logRequests: e.LOG_REQUESTS,
    domain: {
      orderTtlMs: e.ORDER_TTL_SECONDS * 1000,
      releaseAfterMs: e.RELEASE_AFTER_SECONDS * 1000,
      cacheTtlMs: e.CACHE_TTL_MS,
      maxActiveOrders: e.MAX_ACTIVE_ORDERS,
      shieldQuorum: e.SHIELD_QUORUM,
      maxOpenRecharges: e.MAX_OPEN_RECHARGES,
      rechargeTtlMs: e.RECHARGE_TTL_MINUTES * 60_000,
    },
    ...overrides,
  };
}
