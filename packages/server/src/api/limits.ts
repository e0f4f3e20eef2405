// Rate limits (README "Rate limits"), with @fastify/rate-limit: every request counts against its
// client IP, an authenticated one also against its caller (a customer or a supplier), and an IP that
// keeps presenting wrong keys is refused for a while. Counters live in Redis when REDIS_URL is set,
// shared by every process; otherwise each process keeps its own.
import rateLimit, { normalizeIP, type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { isDomainError } from '../domain/errors.js';
import { Rejection, rateLimited } from './rejections.js';

export interface RateLimitConfig {
  /** RATE_LIMITS=off turns every limit off (benchmarks, trusted networks). */
  enabled: boolean;
  /** Requests per minute from one client IP, all surfaces together. */
  perIp: number;
  /** Requests per minute with one customer's API key, unless the user has its own (users.rate_limit). */
  perUser: number;
  /** Requests per minute with one supplier key. */
  perSupplier: number;
  /** Failed authentications per minute from one IP; past them, that IP is refused for a minute. */
  authFailures: number;
  /** Web sign-ins and sign-ups per minute from one IP: each hashes a password (32 MiB, tens of ms). */
  passwordChecks: number;
  /** Shared counters; none: per process. */
  redisUrl: string | undefined;
  /** Prefix of the counters' Redis keys, so that deployments may share one Redis. */
  redisPrefix: string;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  enabled: true,
  // A customer script polls getCode about once a second on up to 20 orders: 1,200 a minute. 3,000
  // leaves room for its getNumber, release and history calls on top.
  perUser: 3000,
  // One SMS push per message, plus online-set updates: 100 a second per supplier.
  perSupplier: 6000,
  // Above the per-key limits: an office behind one NAT address runs several customers' scripts.
  perIp: 12_000,
  authFailures: 10,
  passwordChecks: 30,
  redisUrl: undefined,
  redisPrefix: 'fastpva:rl:',
};

export interface Limits {
  /**
   * Runs an authentication. An IP that failed too often lately is refused before its key is looked
   * at; each failure (an UNAUTHORIZED error or a 401) counts against the IP.
   */
  authenticate<T>(request: FastifyRequest, attempt: () => Promise<T>): Promise<T>;
  /** Counts an authenticated request against its caller; `max` (per minute) overrides the default. */
  caller(request: FastifyRequest, kind: 'user' | 'supplier', id: number, max?: number | null): Promise<void>;
  /** Counts a password check (web sign-in or sign-up) against the client IP. */
  passwordCheck(request: FastifyRequest): Promise<void>;
}

const WINDOW_MS = 60_000;
/** Clients a process tracks without Redis; the least recently seen are forgotten first. */
const LOCAL_CLIENTS = 10_000;

const unlimited: Limits = { authenticate: (_request, attempt) => attempt(), caller: async () => {}, passwordCheck: async () => {} };

/** Sets up the limits on the root instance, before the surfaces are registered, and returns them. */
export async function setUpLimits(app: FastifyInstance, config: RateLimitConfig): Promise<Limits> {
  if (!config.enabled) return unlimited;
  const redis = config.redisUrl ? await connectRedis(app, config.redisUrl) : undefined;
  // skipOnError: when Redis is down the API keeps serving, unlimited, rather than failing every call.
  await app.register(rateLimit, { global: false, skipOnError: true, ...(redis ? { redis, nameSpace: config.redisPrefix } : {}) });

  /** A counter per key and minute: counts a request (or only peeks), and refuses it once its key is over the limit. */
  const counter = (options: RateLimitOptions) => {
    const limit = app.createRateLimit({ timeWindow: WINDOW_MS, cache: LOCAL_CLIENTS, ...options } satisfies RateLimitOptions);
    return async (request: FastifyRequest, increment = true) => {
      const result = await limit(request, { increment });
      if (!result.isAllowed && result.isExceeded) throw rateLimited(result.ttlInSeconds);
    };
  };
  // IPv6 clients are counted per /64, the block one subscriber gets.
  const ip = (request: FastifyRequest) => normalizeIP(request.ip);
  const perIp = counter({ max: config.perIp, keyGenerator: (r) => `ip:${ip(r)}` });
  // continueExceeding: the failure that crosses the limit starts a full minute of refusals.
  const authFailures = counter({ max: config.authFailures, continueExceeding: true, keyGenerator: (r) => `auth-failures:${ip(r)}` });
  const passwordChecks = counter({ max: config.passwordChecks, keyGenerator: (r) => `password-checks:${ip(r)}` });
  const callers = new WeakMap<FastifyRequest, { key: string; max: number }>();
  const perCaller = counter({ max: (r) => callers.get(r)!.max, keyGenerator: (r) => callers.get(r)!.key });

  app.addHook('onRequest', (request) => perIp(request));

  return {
    async authenticate(request, attempt) {
      await authFailures(request, false); // a peek: it counts nothing
      try {
        return await attempt();
      } catch (error) {
        if (isDomainError(error, 'UNAUTHORIZED') || (error instanceof Rejection && error.status === 401)) await authFailures(request);
        throw error;
      }
    },
    async caller(request, kind, id, max) {
      callers.set(request, { key: `${kind}:${id}`, max: max ?? (kind === 'user' ? config.perUser : config.perSupplier) });
      await perCaller(request);
    },
    passwordCheck: (request) => passwordChecks(request),
  };
}

/** Connects at start, so that a wrong REDIS_URL stops the server instead of silently limiting nothing. */
async function connectRedis(app: FastifyInstance, url: string): Promise<Redis> {
  // No offline queue and one retry: while Redis is away a count fails at once and the request goes on.
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5000 });
  let down = false;
  redis.on('error', (err) => {
    if (down) return; // once per outage, not once per reconnection attempt
    down = true;
    app.log.warn({ err }, 'Redis is unreachable: rate limits are not enforced while it is away');
  });
  redis.on('ready', () => {
    if (down) app.log.info('Redis is back: rate limits are enforced again');
    down = false;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(`Cannot connect to Redis (REDIS_URL): ${(error as Error).message}`);
  }
  app.addHook('onClose', async () => {
    await redis.quit().catch(() => redis.disconnect()); // Redis may be away by then
  });
  return redis;
}
