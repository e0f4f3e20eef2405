// Remote supply: two real fastpva servers on 127.0.0.1, one reselling the other over the SMS-Activate
// protocol; and a small real SMSHub agent server speaking the agent protocol.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRemoteSupply } from '../src/jobs/remote-supply.js';
import { hereJson, runHere } from './helpers/cli.js';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, seedUserAndSupplier, type Seeded, type TestPlatform } from './helpers/platform.js';

const handler = (t: TestPlatform) => `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/stubs/handler_api.php`;

async function sa(t: TestPlatform, key: string, params: Record<string, string>): Promise<string> {
  const res = await t.app.inject({ method: 'GET', url: '/stubs/handler_api.php', query: { api_key: key, ...params } });
  return res.body;
}

describe.each(DIALECTS)('resale from an upstream fastpva on %s', (dialect) => {
  let upstream: TestPlatform;
  let reseller: TestPlatform;
  let up: Seeded; // the upstream's SIM bank, and the reseller's account there
  let customerKey: string;
  let silent: net.Server;
  let smsSeq = 0;

  const pushUpstream = async (to: string, text: string) => {
    const res = await upstream.app.inject({
      method: 'POST',
      url: '/supplier/v1/sms',
      headers: { authorization: `Bearer ${up.supplierKey}` },
      payload: { id: `up-${++smsSeq}`, to, from: 'Telegram', text },
    });
    expect(res.statusCode).toBe(200);
  };

  beforeAll(async () => {
    upstream = await createTestPlatform(dialect, { releaseAfterMs: 0 });
    reseller = await createTestPlatform(dialect, { releaseAfterMs: 0, remoteWaitSeconds: 0, remoteBudgetMs: 1000 });
    await upstream.app.listen({ host: '127.0.0.1', port: 0 });
    await reseller.app.listen({ host: '127.0.0.1', port: 0 });
    up = await seedUserAndSupplier(upstream.platform, { username: 'reseller', balance: 10_000, count: 2 });
    await upstream.platform.catalog.createProject({ enname: 'Telegram', price: 50 });

    await reseller.platform.catalog.createProject({ enname: 'Telegram', price: 80 });
    customerKey = (await reseller.platform.users.create({ username: 'carol', balance: 1000 })).apiKey;
    await reseller.platform.suppliers.create({ name: 'Upstream', channels: [6] });
    await reseller.platform.remoteSupply.attach('Upstream', { protocol: 'sms-activate', url: handler(upstream), key: up.apiKey, markupPercent: 10 });
    // A remote that accepts connections and never answers.
    silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    silent?.close();
    await reseller?.close();
    await upstream?.close();
  });

  it('sells an upstream number, delivers its code, and finishes it upstream; both ledgers agree', async () => {
    const bought = await sa(reseller, customerKey, { action: 'getNumber', service: 'tg', country: '16' });
    const [, id, number] = bought.split(':');
    expect(bought).toMatch(/^ACCESS_NUMBER:\d+:4477009\d{5}$/);
    expect(up.numbers).toContain(number);
    expect(await sa(reseller, customerKey, { action: 'getStatus', id: id! })).toBe('STATUS_WAIT_CODE');

    await pushUpstream(number!, 'Telegram code: 51234. Do not share it.');
    await reseller.platform.remoteSupply.followDue();
    expect(await sa(reseller, customerKey, { action: 'getStatus', id: id! })).toBe('STATUS_OK:51234');
    // Followed again (the upstream still shows that code): the same SMS is not delivered twice.
    const customerId = (await reseller.platform.users.authenticate(customerKey)).id;
    reseller.clock.advance(3000);
    expect(await reseller.platform.store.read.remoteSupply.anyDue(reseller.clock.now())).toBe(true);
    await reseller.platform.remoteSupply.followDue();
    expect((await reseller.platform.orders.activation(customerId, Number(id))).smsCount).toBe(1);

    // "Another SMS" goes upstream too, and the next code comes through.
    expect(await sa(reseller, customerKey, { action: 'setStatus', id: id!, status: '3' })).toBe('ACCESS_RETRY_GET');
    reseller.clock.advance(3000);
    await reseller.platform.remoteSupply.followDue();
    expect((await upstream.platform.orders.liveActivations(up.userId))[0]).toMatchObject({ number, waitingForRetry: true });
    expect(await sa(reseller, customerKey, { action: 'getStatus', id: id! })).toBe('STATUS_WAIT_RETRY:51234');
    await pushUpstream(number!, 'Telegram code: 67890');
    reseller.clock.advance(3000);
    await reseller.platform.remoteSupply.followDue();
    expect(await sa(reseller, customerKey, { action: 'getStatus', id: id! })).toBe('STATUS_OK:67890');
    expect((await reseller.platform.orders.activation(customerId, Number(id))).smsCount).toBe(2);

    expect(await sa(reseller, customerKey, { action: 'setStatus', id: id!, status: '6' })).toBe('ACCESS_ACTIVATION');
    await reseller.platform.remoteSupply.followDue();
    const [upstreamOrder] = (await upstream.platform.orders.liveActivations(up.userId)).concat(await upstream.platform.orders.activationHistory(up.userId, { offset: 0, limit: 1 }));
    expect(upstreamOrder).toMatchObject({ number, numberStatus: 'released', endReason: 'finish', smsStatus: 'received', price: 50 });

    // The reseller owes the upstream exactly what the upstream charged its account.
    expect((await upstream.platform.users.info(up.userId)).balance).toBe(10_000 - 50);
    expect((await reseller.platform.suppliers.show('Upstream')).balance).toBe(50);
    expect(await sa(reseller, customerKey, { action: 'getBalance' })).toBe('ACCESS_BALANCE:9.20');
    await expectLedgerConsistent(upstream.platform);
    await expectLedgerConsistent(reseller.platform);
  });

  it('cancels upstream when the customer cancels: refunds on both sides', async () => {
    const bought = await sa(reseller, customerKey, { action: 'getNumber', service: 'tg', country: '16' });
    expect(bought).toMatch(/^ACCESS_NUMBER:/);
    const [, id, number] = bought.split(':');
    expect(await sa(reseller, customerKey, { action: 'setStatus', id: id!, status: '8' })).toBe('ACCESS_CANCEL');
    await reseller.platform.remoteSupply.followDue();
    const [last] = await upstream.platform.orders.activationHistory(up.userId, { offset: 0, limit: 1 });
    expect(last).toMatchObject({ number, numberStatus: 'released', endReason: 'release', smsStatus: 'failed' });
    // A late upstream SMS is a late SMS: stored upstream, charged nowhere.
    await pushUpstream(number!, 'Telegram code: 99999');
    await reseller.platform.remoteSupply.followDue();
    expect((await upstream.platform.users.info(up.userId)).balance).toBe(10_000 - 50);
    expect((await reseller.platform.suppliers.show('Upstream')).balance).toBe(50);
    expect(await sa(reseller, customerKey, { action: 'getBalance' })).toBe('ACCESS_BALANCE:9.20');
    await expectLedgerConsistent(upstream.platform);
    await expectLedgerConsistent(reseller.platform);
  });

  it('is followed by the background job: the code comes, and the end reaches the upstream', async () => {
    const bought = await sa(reseller, customerKey, { action: 'getNumber', service: 'tg', country: '16' });
    const [, id, number] = bought.split(':');
    await pushUpstream(number!, 'Telegram code: 24242');
    const job = startRemoteSupply(reseller.platform.remoteSupply, reseller.app.log);
    try {
      await vi.waitFor(async () => expect(await sa(reseller, customerKey, { action: 'getStatus', id: id! })).toBe('STATUS_OK:24242'), { timeout: 5000, interval: 50 });
      expect(await sa(reseller, customerKey, { action: 'setStatus', id: id!, status: '6' })).toBe('ACCESS_ACTIVATION');
      await vi.waitFor(async () => expect((await upstream.platform.orders.activationHistory(up.userId, { offset: 0, limit: 1 }))[0]).toMatchObject({ number, endReason: 'finish' }), {
        timeout: 5000,
        interval: 50,
      });
    } finally {
      await job.stop();
    }
    // Two SMS charged upstream, two owed by the reseller: the ledgers still agree.
    expect((await upstream.platform.users.info(up.userId)).balance).toBe(10_000 - 100);
    expect((await reseller.platform.suppliers.show('Upstream')).balance).toBe(100);
    await expectLedgerConsistent(reseller.platform);
  });

  it('is added by an admin command, which never shows the upstream key again', async () => {
    const db = reseller.database.url;
    const created = await hereJson(['admin', 'supplier', 'create', '--name', 'Second upstream', '--upstream', 'sms-activate', '--upstream-url', handler(upstream), '--upstream-key', 'sekrit-upstream-key', '--markup', '15', '--db', db]);
    expect(created).toMatchObject({ channels: [6] });
    const listed = await runHere(['admin', 'supplier', 'list', '--json', '--db', db]);
    expect(listed.stdout).not.toContain('sekrit-upstream-key');
    expect(JSON.parse(listed.stdout).find((s: { name: string }) => s.name === 'Second upstream').remote).toEqual({ protocol: 'sms-activate', url: handler(upstream), markupPercent: 15 });
    expect(await runHere(['admin', 'supplier', 'create', '--name', 'Half', '--upstream', 'sms-activate', '--db', db])).toMatchObject({ code: 2 });
    // Audited as the command line, with what the remote is and never its key.
    const { entries } = await reseller.platform.audit.list({ page: 1, limit: 10, target: 'supplier:Second upstream' });
    expect(entries.map((e) => e.action).sort()).toEqual(['supplier.attach_remote', 'supplier.create']);
    expect(entries.find((e) => e.action === 'supplier.attach_remote')).toMatchObject({ actor: expect.stringMatching(/^cli:/), after: { protocol: 'sms-activate', url: handler(upstream), markupBp: 1500 } });
    expect(JSON.stringify(entries)).not.toContain('sekrit-upstream-key');
    await reseller.platform.suppliers.setEnabled('Second upstream', false);
  });

  it('answers NO_NUMBERS when the upstream has none, and when it is slow or down', async () => {
    await upstream.platform.suppliers.setEnabled('SIM bank', false);
    expect(await sa(reseller, customerKey, { action: 'getNumber', service: 'tg', country: '16' })).toBe('NO_NUMBERS');
    await upstream.platform.suppliers.setEnabled('SIM bank', true);

    await reseller.platform.suppliers.setEnabled('Upstream', false);
    await reseller.platform.suppliers.create({ name: 'Silent', channels: [6] });
    const port = (silent.address() as AddressInfo).port;
    await reseller.platform.remoteSupply.attach('Silent', { protocol: 'sms-activate', url: `http://127.0.0.1:${port}/stubs/handler_api.php`, key: 'k' });
    // The budget (1 s here) ends the wait: a clean refusal on every surface, nothing held.
    expect(await sa(reseller, customerKey, { action: 'getNumber', service: 'tg', country: '16' })).toBe('NO_NUMBERS');
    const fastpva = await reseller.app.inject({ method: 'GET', url: '/pvapublic/sms/getNumber', headers: { apikey: customerKey }, query: { myPid: '1000', locale: 'GB' } });
    expect(JSON.parse(fastpva.body)).toMatchObject({ code: -1 });
    const fivesim = await reseller.app.inject({ method: 'GET', url: '/v1/user/buy/activation/england/any/telegram', headers: { authorization: `Bearer ${customerKey}` } });
    expect(fivesim.body).toBe('no free phones');
    expect(await sa(reseller, customerKey, { action: 'getBalance' })).toBe('ACCESS_BALANCE:8.40');
    await reseller.platform.suppliers.setEnabled('Silent', false);
    await reseller.platform.suppliers.setEnabled('Upstream', true);
  });
});

/** A small SMSHub agent: GET_SERVICES, GET_NUMBER, FINISH_ACTIVATION, as the protocol has them (gzip replies). */
function startAgent(key: string) {
  const calls: Record<string, unknown>[] = [];
  const numbers = ['447700800001', '447700800002'];
  /** FINISH_ACTIVATION calls to refuse before accepting them again. */
  const refuse = { finishes: 0 };
  let next = 100;
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const call = JSON.parse(body) as Record<string, unknown>;
      calls.push(call);
      let reply: unknown = { status: 'ERROR' };
      if (call.key === key && call.action === 'GET_SERVICES') {
        reply = { countryList: [{ country: 'england', operatorMap: { any: { tg: numbers.length } } }], status: 'SUCCESS' };
      } else if (call.key === key && call.action === 'GET_NUMBER') {
        const excluded = call.exceptionPhoneSet as string[];
        const free = numbers.find((n) => !excluded.some((prefix) => n.startsWith(prefix)));
        reply = free ? { number: Number(free), activationId: next++, status: 'SUCCESS' } : { status: 'NO_NUMBERS' };
      } else if (call.key === key && call.action === 'FINISH_ACTIVATION') {
        reply = refuse.finishes > 0 ? { status: 'ERROR' } : { status: 'SUCCESS' };
        refuse.finishes = Math.max(0, refuse.finishes - 1);
      }
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      response.end(gzipSync(JSON.stringify(reply)));
    });
  });
  return { server, calls, refuse };
}

describe.each(DIALECTS)('SMSHub agents on %s', (dialect) => {
  let t: TestPlatform;
  let customerKey: string;
  const agent = startAgent('agent-secret');

  const push = (body: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/smshub', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: gzipSync(JSON.stringify(body)) });

  beforeAll(async () => {
    t = await createTestPlatform(dialect, { releaseAfterMs: 0 });
    await new Promise<void>((resolve) => agent.server.listen(0, '127.0.0.1', resolve));
    await t.platform.catalog.createProject({ enname: 'Telegram', price: 100 });
    customerKey = (await t.platform.users.create({ username: 'dave', balance: 1000 })).apiKey;
    await t.platform.suppliers.create({ name: 'Agent', channels: [6], shareBp: 6000 });
    await t.platform.remoteSupply.attach('Agent', { protocol: 'smshub', url: `http://127.0.0.1:${(agent.server.address() as AddressInfo).port}/`, key: 'agent-secret' });
  });

  afterAll(async () => {
    agent.server.close();
    await t?.close();
  });

  it("counts the agent's GET_SERVICES in the stock", async () => {
    await t.platform.remoteSupply.refreshAgentStock();
    t.platform.stock.forget();
    expect(JSON.parse(await sa(t, customerKey, { action: 'getNumbersStatus', country: '16' }))).toMatchObject({ tg_0: 2 });
  });

  it('serves an order from the agent, takes its pushed SMS once, and tells it sold', async () => {
    const bought = await sa(t, customerKey, { action: 'getNumber', service: 'tg', country: '16' });
    expect(bought).toMatch(/^ACCESS_NUMBER:\d+:447700800001$/);
    const [, id] = bought.split(':');
    expect(agent.calls.find((c) => c.action === 'GET_NUMBER')).toMatchObject({ country: 'england', operator: 'any', service: 'tg', sum: 0.6, currency: 840, exceptionPhoneSet: [] });

    const sms = { action: 'PUSH_SMS', key: 'agent-secret', smsId: 7, phone: 447700800001, phoneFrom: 'Telegram', text: 'Telegram code 24680' };
    for (let i = 0; i < 2; i++) {
      const res = await push(sms);
      expect(res.body).toBe('{"status":"SUCCESS"}');
    }
    expect(await sa(t, customerKey, { action: 'getStatus', id: id! })).toBe('STATUS_OK:24680');
    const userId = (await t.platform.users.authenticate(customerKey)).id;
    expect((await t.platform.orders.activation(userId, Number(id))).smsCount).toBe(1);
    expect((await push({ ...sms, key: 'wrong' })).body).toBe('{"status":"ERROR","error":"Unknown agent key"}');
    const plain = await t.app.inject({ method: 'POST', url: '/smshub', payload: { ...sms, smsId: 8, text: 'Telegram code 13579' } });
    expect(plain.body).toBe('{"status":"SUCCESS"}');
    expect(await sa(t, customerKey, { action: 'getStatus', id: id! })).toBe('STATUS_OK:13579');
    const malformed = await t.app.inject({ method: 'POST', url: '/smshub', payload: { ...sms, smsId: undefined } });
    expect(malformed.statusCode).toBe(400);
    expect(JSON.parse(malformed.body)).toMatchObject({ status: 'ERROR' });

    expect(await sa(t, customerKey, { action: 'setStatus', id: id!, status: '6' })).toBe('ACCESS_ACTIVATION');
    await t.platform.remoteSupply.followDue();
    expect(agent.calls.filter((c) => c.action === 'FINISH_ACTIVATION')).toEqual([{ action: 'FINISH_ACTIVATION', activationId: 100, status: 3, key: 'agent-secret' }]);
    expect((await t.platform.suppliers.show('Agent')).balance).toBe(60);
    await expectLedgerConsistent(t.platform);
  });

  it('never asks for a number the project used, and tells the agent of a cancel', async () => {
    const bought = await sa(t, customerKey, { action: 'getNumber', service: 'tg', country: '16' });
    expect(bought).toMatch(/^ACCESS_NUMBER:\d+:447700800002$/);
    expect(agent.calls.filter((c) => c.action === 'GET_NUMBER').at(-1)).toMatchObject({ exceptionPhoneSet: ['447700800001'] });
    const [, id] = bought.split(':');
    expect(await sa(t, customerKey, { action: 'setStatus', id: id!, status: '8' })).toBe('ACCESS_CANCEL');
    // The agent refuses the first FINISH_ACTIVATION: told again after a backoff, not at once.
    agent.refuse.finishes = 1;
    const finishes = () => agent.calls.filter((c) => c.action === 'FINISH_ACTIVATION');
    await t.platform.remoteSupply.followDue();
    expect(finishes()).toHaveLength(2);
    await t.platform.remoteSupply.followDue();
    expect(finishes()).toHaveLength(2);
    t.clock.advance(10_000);
    await t.platform.remoteSupply.followDue();
    expect(finishes()).toHaveLength(3);
    expect(finishes().at(-1)).toMatchObject({ activationId: 101, status: 4 });
    t.clock.advance(60_000);
    await t.platform.remoteSupply.followDue();
    expect(finishes()).toHaveLength(3);
    expect(await sa(t, customerKey, { action: 'getBalance' })).toBe('ACCESS_BALANCE:9.00');
    await expectLedgerConsistent(t.platform);
  });

  it('turns an agent that answers garbage into a clean NO_NUMBERS', async () => {
    const broken = http.createServer((_request, response) => response.end('<html>oops</html>'));
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    try {
      await t.platform.suppliers.setEnabled('Agent', false);
      await t.platform.suppliers.create({ name: 'Broken agent', channels: [6] });
      await t.platform.remoteSupply.attach('Broken agent', { protocol: 'smshub', url: `http://127.0.0.1:${(broken.address() as AddressInfo).port}/`, key: 'k' });
      await t.platform.remoteSupply.refreshAgentStock();
      expect(await sa(t, customerKey, { action: 'getNumber', service: 'tg', country: '16' })).toBe('NO_NUMBERS');
      expect(await sa(t, customerKey, { action: 'getBalance' })).toBe('ACCESS_BALANCE:9.00');
    } finally {
      broken.close();
    }
  });
});
