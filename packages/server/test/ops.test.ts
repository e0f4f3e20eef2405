// /healthz and /metrics as an operator's monitoring reads them.
import { CompiledQuery, sql, type Compilable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_METRICS } from '../src/api/ops.js';
import { onlineCountQuery } from '../src/store/repositories/numbers.js';
import { liveStatsQuery } from '../src/store/repositories/orders.js';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, seedUserAndSupplier, type TestPlatform } from './helpers/platform.js';

describe.each(DIALECTS)('operations endpoints on %s', (dialect) => {
  let t: TestPlatform;
  beforeAll(async () => {
    // Gauges refresh in the background; every 20 ms here so that the test sees its changes soon.
    t = await createTestPlatform(dialect, {}, { metrics: { ...DEFAULT_METRICS, refreshMs: 20 } });
  });
  afterAll(async () => t?.close());

  it('reports health with the database it uses, on GET and HEAD', async () => {
    const res = await t.app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(`{"status":"ok","database":"${dialect}"}`);
    // Over a real socket: Node's HTTP server, not inject, is what drops a HEAD reply's body.
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const head = await fetch(`${address}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('exposes request latency, live orders, SMS received and holds outstanding', async () => {
    const s = await seedUserAndSupplier(t.platform, { count: 2 });
    const { myPid } = await t.platform.catalog.createProject({ enname: 'Telegram', price: 30 });
    const first = JSON.parse((await t.app.inject(`/pvapublic/sms/getNumber?myPid=${myPid}&apikey=${s.apiKey}`)).body).data;
    await t.app.inject(`/pvapublic/sms/getNumber?myPid=${myPid}&apikey=${s.apiKey}`);
    await t.platform.inboundSms.receive({ source: 'supplier-push', sourceKey: '1', supplierId: s.supplierId, receiver: first.number, sender: 'x', text: 'Telegram code 12345', receivedAt: t.clock.now() });

    await vi.waitFor(async () => {
      const res = await t.app.inject('/metrics');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      const metrics = res.body;
      expect(metrics).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/pvapublic\/sms\/getNumber",status_code="200"\} 2$/m);
      expect(metrics).toMatch(/^fastpva_orders_live\{sms_status="waiting"\} 1$/m);
      expect(metrics).toMatch(/^fastpva_orders_live\{sms_status="received"\} 1$/m);
      expect(metrics).toMatch(/^fastpva_sms_received_total\{source="supplier-push",matched="true"\} 1$/m);
      expect(metrics).toMatch(/^fastpva_orders_created_total 2$/m);
      expect(metrics).toMatch(/^fastpva_holds_outstanding 1$/m);
      expect(metrics).toMatch(/^fastpva_holds_outstanding_cents 30$/m);
      expect(metrics).toMatch(/^fastpva_numbers_online 2$/m);
      expect(metrics).toMatch(/^fastpva_stats_refreshed_timestamp_seconds \d+/m);
      expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
    });
  });

  it('reads only live orders and online numbers, whatever the history', async () => {
    const db = t.store.kysely;
    const s = await seedUserAndSupplier(t.platform, { username: 'historian', supplier: 'old bank', count: 1, prefix: '4477005', channel: 40 });
    const { myPid } = await t.platform.catalog.createProject({ enname: 'History-40', price: 5, channel: 40 });
    const number = (await t.platform.store.read.numbers.findByNumber(s.numbers[0]!))!;
    // 20,000 ended orders and 5,000 offline numbers: history that a scrape must never walk.
    const ended = (i: number) => ({
      public_id: `h${String(i).padStart(23, '0')}`,
      user_id: s.userId,
      project_id: myPid,
      number_id: number.id,
      supplier_id: s.supplierId,
      number: number.number,
      country: 'GB',
      price: 5,
      hold_id: null,
      number_status: 'released' as const,
      sms_status: i % 2 ? ('received' as const) : ('failed' as const),
      code: null,
      content: null,
      sms_count: 0,
      balance_after: 0,
      expires_at: i,
      ended_at: i,
      created_at: i,
      updated_at: i,
    });
    for (let i = 0; i < 20_000; i += 500) await db.insertInto('orders').values([...Array(500)].map((_, j) => ended(i + j))).execute();
    await t.platform.suppliers.registerNumbers(s.supplierId, [...Array(5000)].map((_, i) => ({ number: `4477006${String(i).padStart(5, '0')}`, country: 'GB' })));
    await sql`analyze`.execute(db);

    const plan = async (query: Compilable) => {
      const { sql: text, parameters } = query.compile();
      const explain = dialect === 'sqlite' ? 'explain query plan ' : 'explain ';
      const { rows } = await db.executeQuery<Record<string, string>>(CompiledQuery.raw(explain + text, [...parameters]));
      return rows.map((r) => r.detail ?? r['QUERY PLAN']).join('\n');
    };
    const orders = await plan(liveStatsQuery(db));
    const numbers = await plan(onlineCountQuery(db));
    // Either partial index on live orders will do, and either on online numbers.
    expect(orders).toMatch(/orders_expiry|orders_one_active_per_number/);
    expect(numbers).toMatch(/numbers_online|numbers_heartbeat/);
    // SQLite says "SCAN orders" for a full table scan (with USING INDEX when it walks an index instead).
    for (const line of `${orders}\n${numbers}`.split('\n')) {
      expect(line).not.toMatch(/Seq Scan|^SCAN (orders|numbers)$/);
    }
  });

  it('serves /metrics to this host only unless a token is set, and behind a trusted proxy to no one it forwards', async () => {
    const remote = await t.app.inject({ url: '/metrics', remoteAddress: '203.0.113.9' });
    expect(remote.statusCode).toBe(403);
    expect(remote.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect((await t.app.inject({ url: '/metrics', remoteAddress: '::1' })).statusCode).toBe(200);

    const proxied = await createTestPlatform(dialect, {}, { trustProxy: 'loopback' });
    try {
      // The proxy on this host forwards an outside client: that client is who asks, and is refused,
      // even when it claims to be local itself.
      const forwarded = (xff: string) => proxied.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': xff } });
      expect((await forwarded('203.0.113.9')).statusCode).toBe(403);
      expect((await forwarded('127.0.0.1, 203.0.113.9')).statusCode).toBe(403);
      expect((await proxied.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
    } finally {
      await proxied.close();
    }

    const token = 'a-long-scrape-token-0123456789';
    const guarded = await createTestPlatform(dialect, {}, { metrics: { ...DEFAULT_METRICS, token } });
    try {
      const scrape = (authorization?: string) => guarded.app.inject({ url: '/metrics', remoteAddress: '203.0.113.9', headers: authorization ? { authorization } : {} });
      const missing = await scrape();
      expect(missing.statusCode).toBe(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer');
      expect(missing.body).toBe('{"error":{"code":"unauthorized","message":"A valid bearer token is required"}}');
      expect((await scrape('Bearer wrong')).statusCode).toBe(401);
      expect((await scrape(`Bearer ${token}`)).statusCode).toBe(200);
      // With a token, being local is not enough.
      expect((await guarded.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(401);
    } finally {
      await guarded.close();
    }
  });
});
