// /healthz and /metrics as an operator's monitoring reads them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, seedUserAndSupplier, type TestPlatform } from './helpers/platform.js';

describe.each(DIALECTS)('operations endpoints on %s', (dialect) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await createTestPlatform(dialect);
  });
  afterAll(async () => t?.close());

  it('reports health with the database it uses', async () => {
    const res = await t.app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(`{"status":"ok","database":"${dialect}"}`);
  });

  it('exposes request latency, orders by status, SMS received and holds outstanding', async () => {
    const s = await seedUserAndSupplier(t.platform, { count: 2 });
    const { myPid } = await t.platform.catalog.createProject({ enname: 'Telegram', price: 30 });
    const first = JSON.parse((await t.app.inject(`/pvapublic/sms/getNumber?myPid=${myPid}&apikey=${s.apiKey}`)).body).data;
    await t.app.inject(`/pvapublic/sms/getNumber?myPid=${myPid}&apikey=${s.apiKey}`);
    await t.platform.inboundSms.receive({ source: 'supplier-push', sourceKey: '1', supplierId: s.supplierId, receiver: first.number, sender: 'x', text: 'Telegram code 12345', receivedAt: t.clock.now() });

    const res = await t.app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const metrics = res.body;
    expect(metrics).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/pvapublic\/sms\/getNumber",status_code="200"\} 2$/m);
    expect(metrics).toMatch(/^fastpva_orders\{number_status="receiving",sms_status="waiting"\} 1$/m);
    expect(metrics).toMatch(/^fastpva_orders\{number_status="receiving",sms_status="received"\} 1$/m);
    expect(metrics).toMatch(/^fastpva_sms_received_total\{source="supplier-push",matched="true"\} 1$/m);
    expect(metrics).toMatch(/^fastpva_orders_created_total 2$/m);
    expect(metrics).toMatch(/^fastpva_holds_outstanding 1$/m);
    expect(metrics).toMatch(/^fastpva_holds_outstanding_cents 30$/m);
    expect(metrics).toMatch(/^fastpva_numbers_online 2$/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
  });
});
