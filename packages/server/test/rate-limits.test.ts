// Rate limits on every surface: per customer (users.rate_limit or the default), per supplier key, per
// client IP, and a block on IPs that keep presenting wrong keys. In-process counters, and Redis
// counters shared by two app instances.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp, type AppOptions } from '../src/api/app.js';
import { DEFAULT_RATE_LIMITS, type RateLimitConfig } from '../src/api/limits.js';
import { loadConfig } from '../src/config.js';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, seedUserAndSupplier, type TestPlatform } from './helpers/platform.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOO_MANY = /^\{"code":-1,"data":"Too many requests, retry in ([1-9]|[1-5]\d|60) s"\}$/;

const limits = (overrides: Partial<RateLimitConfig>): AppOptions => ({ rateLimits: { ...DEFAULT_RATE_LIMITS, ...overrides } });

describe.each(DIALECTS)('rate limits on %s', (dialect) => {
  const platforms: TestPlatform[] = [];
  afterAll(async () => {
    for (const t of platforms) await t.close();
  });
  const platform = async (options: AppOptions) => {
    const t = await createTestPlatform(dialect, {}, options);
    platforms.push(t);
    return t;
  };
  const fastpva = (t: TestPlatform, path: string, apiKey: string, remoteAddress = '127.0.0.1') =>
    t.app.inject({ url: `/pvapublic${path}${path.includes('?') ? '&' : '?'}apikey=${apiKey}`, remoteAddress });

  it('limits each customer per minute, to its own rate_limit where one is set, in the FASTPVA form', async () => {
    const t = await platform(limits({ perUser: 5 }));
    const alice = await seedUserAndSupplier(t.platform, { username: 'alice', count: 1 });
    const bob = await t.platform.users.create({ username: 'bob' });
    await t.store.kysely.updateTable('users').set({ rate_limit: 2 }).where('id', '=', bob.id).execute();

    for (let i = 0; i < 5; i++) expect(JSON.parse((await fastpva(t, '/user/info', alice.apiKey)).body).code).toBe(1);
    const refused = await fastpva(t, '/user/info', alice.apiKey);
    expect(refused.statusCode).toBe(200);
    expect(refused.body).toMatch(TOO_MANY);
    // The limit is the key's, whatever route it calls.
    expect((await fastpva(t, '/sms/getCode?orderId=x', alice.apiKey)).body).toMatch(TOO_MANY);

    for (let i = 0; i < 2; i++) expect(JSON.parse((await fastpva(t, '/user/info', bob.apiKey)).body).code).toBe(1);
    expect((await fastpva(t, '/user/info', bob.apiKey)).body).toMatch(TOO_MANY);
  });

  it('limits each supplier key, answering 429 with Retry-After and the supplier error shape', async () => {
    const t = await platform(limits({ perSupplier: 3 }));
    const { key } = await t.platform.suppliers.create({ name: 'Busy bank' });
    const push = () =>
      t.app.inject({ method: 'POST', url: '/supplier/v1/numbers/online', headers: { authorization: `Bearer ${key}` }, payload: { numbers: [] } });
    for (let i = 0; i < 3; i++) expect((await push()).statusCode).toBe(200);
    const refused = await push();
    expect(refused.statusCode).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.body).toBe(`{"error":{"code":"rate_limited","message":"Too many requests, retry in ${retryAfter} s"}}`);
  });

  it('limits each client IP across keys and surfaces, an IPv6 client per /64', async () => {
    const t = await platform(limits({ perIp: 4 }));
    const s = await seedUserAndSupplier(t.platform, { count: 1 });
    const other = await t.platform.users.create({ username: 'carol' });
    const office = '198.51.100.7';
    expect(JSON.parse((await fastpva(t, '/user/info', s.apiKey, office)).body).code).toBe(1);
    expect(JSON.parse((await fastpva(t, '/user/info', other.apiKey, office)).body).code).toBe(1);
    expect((await t.app.inject({ url: '/healthz', remoteAddress: office })).statusCode).toBe(200);
    const supplierCall = () =>
      t.app.inject({ method: 'POST', url: '/supplier/v1/numbers/online', remoteAddress: office, headers: { authorization: `Bearer ${s.supplierKey}` }, payload: { numbers: [] } });
    expect((await supplierCall()).statusCode).toBe(200);
    expect((await fastpva(t, '/user/info', other.apiKey, office)).body).toMatch(TOO_MANY);
    expect((await supplierCall()).statusCode).toBe(429);
    const health = await t.app.inject({ url: '/healthz', remoteAddress: office });
    expect(health.statusCode).toBe(429);
    expect(health.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // Another address is counted on its own.
    expect(JSON.parse((await fastpva(t, '/user/info', s.apiKey, '198.51.100.8')).body).code).toBe(1);

    for (let i = 0; i < 4; i++) expect((await t.app.inject({ url: '/healthz', remoteAddress: `2001:db8:1:2::${i + 1}` })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/healthz', remoteAddress: '2001:db8:1:2::99' })).statusCode).toBe(429);
    expect((await t.app.inject({ url: '/healthz', remoteAddress: '2001:db8:1:3::1' })).statusCode).toBe(200);
  });

  it('refuses an IP that keeps presenting wrong keys, before looking at its next key', async () => {
    const t = await platform(limits({ authFailures: 3 }));
    const s = await seedUserAndSupplier(t.platform, { count: 1 });
    const guesser = '203.0.113.50';
    for (let i = 0; i < 3; i++) expect((await fastpva(t, '/user/info', `guess${i}`, guesser)).body).toBe('{"code":-1,"data":"No user found."}');
    expect((await fastpva(t, '/user/info', 'guess3', guesser)).body).toMatch(TOO_MANY);
    // Refused for a while, even with the right key: a guess that hit would not be told apart.
    expect((await fastpva(t, '/user/info', s.apiKey, guesser)).body).toMatch(TOO_MANY);
    const supplierCall = (bearer: string, remoteAddress: string) =>
      t.app.inject({ method: 'PUT', url: '/supplier/v1/numbers', remoteAddress, headers: { authorization: `Bearer ${bearer}` }, payload: { numbers: [] } });
    expect((await supplierCall(s.supplierKey, guesser)).statusCode).toBe(429);
    // Other addresses are not affected.
    expect(JSON.parse((await fastpva(t, '/user/info', s.apiKey, '203.0.113.51')).body).code).toBe(1);

    // Wrong supplier keys count the same way.
    const pusher = '203.0.113.60';
    for (let i = 0; i < 3; i++) expect((await supplierCall('wrong', pusher)).statusCode).toBe(401);
    const blocked = await supplierCall('wrong', pusher);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect((await supplierCall(s.supplierKey, pusher)).statusCode).toBe(429);
  });

  it('shares the counters of every process through Redis', async () => {
    // A prefix of its own: runs (and other suites) never see each other's counters.
    const shared = limits({ perUser: 4, redisUrl: REDIS_URL, redisPrefix: `fastpva-test:${randomBytes(6).toString('hex')}:` });
    const t = await platform(shared);
    const second = await buildApp(t.platform, shared);
    try {
      const s = await seedUserAndSupplier(t.platform, { count: 1 });
      const apps = [t.app, second];
      for (let i = 0; i < 4; i++) {
        const res = await apps[i % 2]!.inject(`/pvapublic/user/info?apikey=${s.apiKey}`);
        expect(JSON.parse(res.body).code).toBe(1);
      }
      expect((await second.inject(`/pvapublic/user/info?apikey=${s.apiKey}`)).body).toMatch(TOO_MANY);
      expect((await t.app.inject(`/pvapublic/user/info?apikey=${s.apiKey}`)).body).toMatch(TOO_MANY);
    } finally {
      await second.close();
    }
  });
});

describe('rate limit configuration', () => {
  it('reads its defaults and overrides from the environment', () => {
    expect(loadConfig({}).http.rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    const config = loadConfig({
      RATE_LIMIT_PER_IP: '100',
      RATE_LIMIT_PER_USER: '50',
      RATE_LIMIT_PER_SUPPLIER: '70',
      RATE_LIMIT_AUTH_FAILURES: '5',
      RATE_LIMIT_PASSWORD_CHECKS: '8',
      REDIS_URL: 'redis://cache:6379',
      RATE_LIMIT_REDIS_PREFIX: 'eu1:',
    });
    expect(config.http.rateLimits).toEqual({ enabled: true, perIp: 100, perUser: 50, perSupplier: 70, authFailures: 5, passwordChecks: 8, redisUrl: 'redis://cache:6379', redisPrefix: 'eu1:' });
    expect(loadConfig({ RATE_LIMITS: 'off' }).http.rateLimits.enabled).toBe(false);
  });

  it('RATE_LIMITS=off turns every limit off', async () => {
    const t = await createTestPlatform('sqlite');
    try {
      const config = loadConfig({ RATE_LIMITS: 'off', RATE_LIMIT_PER_USER: '1', RATE_LIMIT_PER_IP: '1', RATE_LIMIT_AUTH_FAILURES: '1' });
      const app = await buildApp(t.platform, config.http);
      try {
        const s = await seedUserAndSupplier(t.platform, { count: 1 });
        for (let i = 0; i < 3; i++) expect((await app.inject('/pvapublic/user/info?apikey=wrong')).body).toBe('{"code":-1,"data":"No user found."}');
        for (let i = 0; i < 3; i++) expect(JSON.parse((await app.inject(`/pvapublic/user/info?apikey=${s.apiKey}`)).body).code).toBe(1);
      } finally {
        await app.close();
      }
    } finally {
      await t.close();
    }
  });

  it('refuses to start on a Redis it cannot reach', async () => {
    const t = await createTestPlatform('sqlite');
    try {
      await expect(buildApp(t.platform, limits({ redisUrl: 'redis://127.0.0.1:1' }))).rejects.toThrow(/Cannot connect to Redis/);
    } finally {
      await t.close();
    }
  });
});
