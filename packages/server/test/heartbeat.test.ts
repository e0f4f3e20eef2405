// The supplier heartbeat on SQLite and Postgres, with a manual clock and the real job: a number that
// nobody reports within SUPPLIER_HEARTBEAT_SECONDS goes offline by itself; the push API's online set
// and a gateway's pings keep it (or bring it back) online.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { heartbeatSweepMs, startHeartbeatSweeper } from '../src/jobs/heartbeat.js';
import type { Job } from '../src/jobs/job.js';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, type TestPlatform } from './helpers/platform.js';

const MINUTE = 60_000;

/** Polls until `check` holds (the job runs on its own timer), or fails after `ms`. */
async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(DIALECTS)('supplier heartbeat on %s', (dialect) => {
  let t: TestPlatform;
  let job: Job;
  let key: string;
  let supplierId: number;

  beforeAll(async () => {
    t = await createTestPlatform(dialect);
    job = startHeartbeatSweeper(t.platform.numbers, 10, t.app.log);
    const supplier = await t.platform.suppliers.create({ name: 'SIM bank' });
    [key, supplierId] = [supplier.key, supplier.id];
    await t.platform.suppliers.registerNumbers(supplierId, ['447700900001', '447700900002', '447700900003'].map((number) => ({ number, country: 'GB' })));
  });
  afterAll(async () => {
    await job?.stop();
    await t?.close();
  });

  const online = async (number: string) => (await t.store.read.numbers.findByNumber(number))?.online === 1;
  const reportOnline = async (numbers: string[]) => {
    const res = await t.app.inject({ method: 'POST', url: '/supplier/v1/numbers/online', headers: { authorization: `Bearer ${key}` }, payload: { numbers } });
    expect(res.statusCode).toBe(200);
  };
  /** Long enough for the job (every 10 ms here) to have run a few times. */
  const aFewSweeps = () => new Promise((resolve) => setTimeout(resolve, 100));

  it('takes a number offline once its supplier has not reported it for SUPPLIER_HEARTBEAT_SECONDS', async () => {
    await reportOnline(['447700900001', '447700900002']);
    t.clock.advance(4 * MINUTE);
    // Reporting the online set again is the heartbeat: 001 is seen now, 002 left the set.
    await reportOnline(['447700900001']);
    expect([await online('447700900001'), await online('447700900002')]).toEqual([true, false]);
    t.clock.advance(4 * MINUTE + 59_999);
    await aFewSweeps();
    expect(await online('447700900001')).toBe(true);
    t.clock.advance(2);
    await until(async () => !(await online('447700900001')));
    expect(await t.store.read.numbers.findByNumber('447700900001')).toMatchObject({ online: 0, last_seen_at: t.clock.now() - 5 * MINUTE - 1 });
    // Reported again: back in the pool.
    await reportOnline(['447700900001']);
    expect(await online('447700900001')).toBe(true);
  });

  it("keeps a gateway's numbers online while its device pings, and lets them go when it falls silent", async () => {
    await t.app.inject({
      method: 'PUT',
      url: '/supplier/v1/numbers',
      headers: { authorization: `Bearer ${key}` },
      payload: { numbers: [{ number: '447700900003', country: 'GB', device: 'phone-7', slot: 1 }] },
    });
    const gateway = await t.platform.gateways.add({ supplier: 'SIM bank', kind: 'android-sms-gateway', signingKey: 'k' });
    const ping = async () => {
      const body = JSON.stringify({ deviceId: 'phone-7', event: 'system:ping', id: `ping-${t.clock.now()}`, payload: { health: { status: 'pass' } } });
      const timestamp = String(Math.floor(t.clock.now() / 1000));
      const signature = createHmac('sha256', 'k').update(body + timestamp).digest('hex');
      const res = await t.app.inject({ method: 'POST', url: gateway.path, headers: { 'x-signature': signature, 'x-timestamp': timestamp }, payload: body });
      expect(res.statusCode).toBe(200);
    };
    await ping();
    expect(await online('447700900003')).toBe(true);
    for (let i = 0; i < 3; i++) {
      t.clock.advance(4 * MINUTE);
      await ping();
      await aFewSweeps();
      expect(await online('447700900003')).toBe(true);
    }
    t.clock.advance(5 * MINUTE + 1);
    await until(async () => !(await online('447700900003')));
    await ping();
    expect(await online('447700900003')).toBe(true);
  });

  it('works through a large stale pool in slices', async () => {
    const bulk = await t.platform.suppliers.create({ name: 'SIM farm' });
    const numbers = [...Array(2500)].map((_, i) => `4478${String(i).padStart(8, '0')}`);
    await t.platform.suppliers.registerNumbers(bulk.id, numbers.map((number) => ({ number, country: 'GB' })));
    await t.platform.suppliers.setOnline(bulk.id, numbers);
    expect((await t.platform.stats.live()).numbersOnline).toBeGreaterThanOrEqual(2500);
    t.clock.advance(5 * MINUTE + 1);
    await until(async () => (await t.platform.store.read.numbers.countOnline()) === 0);
  });
});

describe('SUPPLIER_HEARTBEAT_SECONDS', () => {
  it('defaults to 5 minutes, 0 turns the heartbeat off, and the job runs a tenth as often', async () => {
    expect(loadConfig({}).domain.supplierHeartbeatMs).toBe(5 * MINUTE);
    expect(loadConfig({ SUPPLIER_HEARTBEAT_SECONDS: '90' }).domain.supplierHeartbeatMs).toBe(90_000);
    expect(() => loadConfig({ SUPPLIER_HEARTBEAT_SECONDS: 'soon' })).toThrow('SUPPLIER_HEARTBEAT_SECONDS=soon: not a whole number');
    expect([heartbeatSweepMs(300_000), heartbeatSweepMs(1000), heartbeatSweepMs(86_400_000)]).toEqual([30_000, 1000, 30_000]);

    const t = await createTestPlatform('sqlite', { supplierHeartbeatMs: 0 });
    try {
      const supplier = await t.platform.suppliers.create({ name: 'Always on' });
      await t.platform.suppliers.registerNumbers(supplier.id, [{ number: '447700900009', country: 'GB' }]);
      await t.platform.suppliers.setOnline(supplier.id, ['447700900009']);
      t.clock.advance(24 * 60 * MINUTE);
      expect(await t.platform.numbers.takeStaleOffline()).toBe(0);
      expect((await t.store.read.numbers.findByNumber('447700900009'))?.online).toBe(1);
    } finally {
      await t.close();
    }
  });
});
