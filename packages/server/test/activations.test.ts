// What the SMS-Activate and 5SIM surfaces stand on, through the domain on SQLite and Postgres: buying
// by service and country at the cheapest price, orders named by their numeric id, "another SMS",
// finishing, and the tables that translate each protocol's names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError, type DomainErrorCode } from '../src/domain/errors.js';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, seedUserAndSupplier, type TestPlatform } from './helpers/platform.js';

async function rejectsWith(promise: Promise<unknown>, code: DomainErrorCode): Promise<void> {
  await expect(promise).rejects.toSatisfy((e: unknown) => isDomainError(e, code));
}

describe.each(DIALECTS)('activations on %s', (dialect) => {
  let t: TestPlatform;
  let sms = 0;
  const push = (supplierId: number, to: string, text: string) =>
    t.platform.inboundSms.receive({ source: 'test', sourceKey: `a${++sms}`, supplierId, receiver: to, sender: 'Telegram', text, receivedAt: t.clock.now() });

  beforeAll(async () => {
    t = await createTestPlatform(dialect, { releaseAfterMs: 10_000 });
  });
  afterAll(async () => t?.close());

  it('translates service codes and countries for each protocol, and admins may change them', async () => {
    const names = t.platform.names;
    expect(await names.serviceBySmsActivate('tg')).toMatchObject({ id: 'telegram', fivesim: 'telegram' });
    expect(await names.serviceByFivesim('vkontakte')).toMatchObject({ id: 'vk', smsActivate: 'vk' });
    expect(await names.countryBySmsActivate(16)).toMatchObject({ iso: 'GB', fivesim: 'england' });
    expect(await names.countryBySmsActivate(187)).toMatchObject({ iso: 'US', fivesim: 'usa' });
    expect(await names.countryByFivesim('england')).toMatchObject({ iso: 'GB', smsActivate: 16 });
    expect((await names.services()).length).toBeGreaterThan(50);

    expect(await names.setService('depop', { name: 'Depop', smsActivate: 'dp' })).toEqual({ id: 'depop', name: 'Depop', smsActivate: 'dp', fivesim: 'depop' });
    expect(await names.serviceBySmsActivate('dp')).toMatchObject({ id: 'depop' });
    await rejectsWith(names.setService('other', { smsActivate: 'tg' }), 'ALREADY_EXISTS');
    await rejectsWith(names.setService('Bad Id', {}), 'INVALID_INPUT');
    expect(await names.setCountry('gb', { fivesim: 'unitedkingdom' })).toMatchObject({ iso: 'GB', fivesim: 'unitedkingdom' });
    expect(await names.countryByFivesim('england')).toBeUndefined();
    await names.setCountry('GB', { fivesim: 'england' });
    await rejectsWith(names.setCountry('XX', { smsActivate: 1 }), 'INVALID_INPUT');

    // A project's service is the canonical id the protocols look up.
    expect((await t.platform.catalog.createProject({ enname: 'Telegram-C77', price: 1, channel: 77 })).service).toBe('telegram');
    expect((await t.platform.catalog.createProject({ enname: 'Shop-77', price: 1, channel: 77, service: 'tg' })).service).toBe('telegram');
  });

  it('buys a service in a country at the cheapest price that has a number, within the maximum', async () => {
    const p = t.platform;
    const s = await seedUserAndSupplier(p, { username: 'byservice', supplier: 'svc bank', count: 2, prefix: '4477301', channel: 51 });
    await p.suppliers.registerNumbers(s.supplierId, [{ number: '31612345001', country: 'NL', operator: 'kpn' }]);
    await p.suppliers.setOnline(s.supplierId, [...s.numbers, '31612345001']);
    const cheap = await p.catalog.createProject({ enname: 'WhatsApp-51', channel: 51, countryPrices: { NL: 12 } });
    const dear = await p.catalog.createProject({ enname: 'WhatsApp Business-51', channel: 51, countryPrices: { GB: 40, NL: 20 } });
    expect([cheap.service, dear.service]).toEqual(['whatsapp', 'whatsapp']);

    // NL: the cheap project. GB: only the dear one sells there.
    const nl = await p.orders.acquireForService({ userId: s.userId, service: 'whatsapp', country: 'NL' });
    expect(nl).toMatchObject({ myPid: cheap.myPid, number: '31612345001', price: 12 });
    expect(nl.activationId).toBeTypeOf('number');
    await rejectsWith(p.orders.acquireForService({ userId: s.userId, service: 'whatsapp', country: 'GB', maxPrice: 39 }), 'PRICE_TOO_LOW');
    const gb = await p.orders.acquireForService({ userId: s.userId, service: 'whatsapp', country: 'GB', maxPrice: 40, excludePrefixes: ['447730100000'] });
    expect(gb).toMatchObject({ myPid: dear.myPid, price: 40, number: s.numbers[1] });
    // The cheap project has no number left in NL: the dear one's turn; then none at all.
    await rejectsWith(p.orders.acquireForService({ userId: s.userId, service: 'whatsapp', country: 'NL' }), 'NO_NUMBERS');
    await rejectsWith(p.orders.acquireForService({ userId: s.userId, service: 'whatsapp', country: 'GB', operators: ['vodafone'] }), 'NO_NUMBERS');
    await rejectsWith(p.orders.acquireForService({ userId: s.userId, service: 'tinder', country: 'GB' }), 'SERVICE_NOT_OFFERED');
    await rejectsWith(p.orders.acquireForService({ userId: s.userId, service: 'whatsapp', excludePrefixes: ['44%'] }), 'INVALID_INPUT');
    await expectLedgerConsistent(p);
  });

  it('names orders by their numeric id, asks for another SMS, and finishes once an SMS came', async () => {
    const p = t.platform;
    const s = await seedUserAndSupplier(p, { username: 'activator', supplier: 'act bank', count: 1, prefix: '4477302', channel: 52 });
    const other = await p.users.create({ username: 'stranger' });
    await p.catalog.createProject({ enname: 'Telegram-52', price: 25, channel: 52 });
    const order = await p.orders.acquireForService({ userId: s.userId, service: 'telegram', country: 'GB' });
    const id = order.activationId;

    expect(await p.orders.activation(s.userId, id)).toMatchObject({ activationId: id, orderId: order.orderId, service: 'telegram', smsStatus: 'waiting', code: null, waitingForRetry: false });
    await rejectsWith(p.orders.activation(other.id, id), 'ORDER_NOT_FOUND');
    await rejectsWith(p.orders.activation(s.userId, 1.5), 'ORDER_NOT_FOUND');
    expect((await p.orders.liveActivations(s.userId)).map((a) => a.activationId)).toEqual([id]);

    await rejectsWith(p.orders.finish(s.userId, id), 'ORDER_NOT_RECEIVED');
    await rejectsWith(p.orders.requestAnotherSms(s.userId, id), 'ORDER_NOT_RECEIVED');
    await push(s.supplierId, s.numbers[0]!, 'Telegram code: 11111');
    expect(await p.orders.requestAnotherSms(s.userId, id)).toMatchObject({ code: '11111', waitingForRetry: true });
    await push(s.supplierId, s.numbers[0]!, 'Telegram code: 22222');
    expect(await p.orders.activation(s.userId, id)).toMatchObject({ code: '22222', smsCount: 2, waitingForRetry: false });
    expect((await p.orders.deliveredSms(s.userId, id)).map((m) => m.code)).toEqual(['11111', '22222']);

    // Finishing needs no 10-second wait: nothing is refunded. Then the order is over.
    expect(await p.orders.finish(s.userId, id)).toEqual({ refunded: false });
    expect(await p.orders.activation(s.userId, id)).toMatchObject({ numberStatus: 'released', smsStatus: 'received', endReason: 'finish' });
    await rejectsWith(p.orders.requestAnotherSms(s.userId, id), 'ORDER_ENDED');
    expect(await p.orders.liveActivations(s.userId)).toEqual([]);
    expect((await p.users.info(s.userId)).balance).toBe(10_000 - 25);
    await expectLedgerConsistent(p);
  });

  it('tells what is for sale: each project by country and operator, its price and free numbers', async () => {
    const p = t.platform;
    const s = await seedUserAndSupplier(p, { username: 'stocker', supplier: 'stock bank', count: 3, prefix: '4477303', channel: 53 });
    await p.suppliers.registerNumbers(s.supplierId, [{ number: '31612345301', country: 'NL', operator: 'kpn' }]);
    await p.suppliers.setOnline(s.supplierId, [...s.numbers, '31612345301']);
    const flat = await p.catalog.createProject({ enname: 'Tinder-53', price: 25, channel: 53 });
    const priced = await p.catalog.createProject({ enname: 'Discord-53', channel: 53, countryPrices: { GB: 10, FR: 30 } });
    await p.orders.acquire({ userId: s.userId, myPid: flat.myPid, locale: 'GB' });
    const mine = (await p.stock.rows()).filter((r) => r.channel === 53);
    expect(mine.sort((a, b) => a.myPid - b.myPid || a.country.localeCompare(b.country))).toEqual([
      { myPid: flat.myPid, enname: 'Tinder-53', service: 'tinder', channel: 53, country: 'GB', operator: 'any', price: 25, count: 2 },
      { myPid: flat.myPid, enname: 'Tinder-53', service: 'tinder', channel: 53, country: 'NL', operator: 'kpn', price: 25, count: 1 },
      { myPid: priced.myPid, enname: 'Discord-53', service: 'discord', channel: 53, country: 'FR', operator: 'any', price: 30, count: 0 },
      { myPid: priced.myPid, enname: 'Discord-53', service: 'discord', channel: 53, country: 'GB', operator: 'any', price: 10, count: 2 },
    ]);
  });
});
