// Server configuration from the environment (and CLI flags), validated once at start.
import { z } from 'zod';
import type { DomainConfig } from './domain/config.js';
import { DEFAULT_DATABASE_URL } from './store/dialect.js';

const flag = z
  .string()
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v.toLowerCase()))
  .default(false);

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
  ORDER_TTL_SECONDS: z.coerce.number().int().min(1).default(900),
  RELEASE_AFTER_SECONDS: z.coerce.number().int().min(0).default(10),
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(10).default(1000),
  CACHE_TTL_MS: z.coerce.number().int().min(0).default(2000),
  MAX_ACTIVE_ORDERS: z.coerce.number().int().min(0).max(1_000_000).default(20),
  SHIELD_QUORUM: z.coerce.number().int().min(1).max(1000).default(3),
  MAX_OPEN_RECHARGES: z.coerce.number().int().min(1).max(1000).default(3),
  RECHARGE_TTL_MINUTES: z.coerce.number().int().min(1).max(525_600).default(60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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

/** Reads the environment; `overrides` (from CLI flags) win. Throws with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) {
    throw new Error(`Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
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
