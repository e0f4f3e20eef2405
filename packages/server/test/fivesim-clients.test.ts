// Third-party 5SIM clients from npm, unmodified, against a server listening on 127.0.0.1, on SQLite and
// Postgres: `fivesim-api` (reference §2: the static baseURL properties set before the client is made)
// and `5sim-api` (its per-service axios instances pointed at us). Each drives a whole order lifecycle;
// an SIM "answers" every order by pushing its SMS through the supplier API, as a gateway would.
import {
  AuthenticationError,
  FiveSimAPI,
  GuestService,
  InsufficientBalanceError,
  NoPhoneNumbersError,
  NotFoundError,
  OrderHasSMSError,
  UserService,
  ValidationError,
} from 'fivesim-api';
import { FiveSim } from '5sim-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, type TestPlatform } from './helpers/platform.js';

/** fivesim-api declares its base URLs `private static readonly`: reference §2.2's cast. */
function pointFivesimApiAt(base: string): void {
  (UserService as unknown as { baseURL: string }).baseURL = base;
  (GuestService as unknown as { baseURL: string }).baseURL = base;
}

describe.each(DIALECTS)('third-party 5SIM clients on %s', (dialect) => {
  let t: TestPlatform;
  let base: string;
  let supplierKey: string;
  let sms = 0;
  /** Until called, every new order on one of these numbers gets its SMS pushed shortly after. */
  let stopAnswering: () => void = () => {};

  const push = async (to: string, from: string, text: string) => {
    const res = await fetch(`${base.replace(/\/v1$/, '')}/supplier/v1/sms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${supplierKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: `c${++sms}`, to, from, text }),
    });
    expect(res.status).toBe(200);
  };

  /** The simulated SIM bank: each order gets `text` from `from`, `delayMs` after it is made. */
  const answerOrders = (from: string, text: string, delayMs = 300) => {
    stopAnswering = t.platform.events.on('order.created', ({ number }) => {
      setTimeout(() => void push(number, from, text), delayMs);
    });
  };

  beforeAll(async () => {
    t = await createTestPlatform(dialect, { releaseAfterMs: 10_000 });
    const p = t.platform;
    const supplier = await p.suppliers.create({ name: 'SIM bank', channels: [6] });
    supplierKey = supplier.key;
    await p.suppliers.registerNumbers(supplier.id, [
      { number: '447700900101', country: 'GB', operator: 'vodafone' },
      { number: '447700900102', country: 'GB', operator: 'vodafone' },
      { number: '447700900103', country: 'GB', operator: 'three' },
    ]);
    await p.suppliers.setOnline(supplier.id, ['447700900101', '447700900102', '447700900103']);
    // One price for every operator: `best` takes the operator with the most numbers (vodafone).
    await p.catalog.createProject({ enname: 'Telegram-C6', price: 25, channel: 6 });
    await p.catalog.createProject({ enname: 'Discord-C6', channel: 6, countryPrices: { GB: 30 } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('not listening');
    base = `http://127.0.0.1:${address.port}/v1`;
  });
  afterAll(async () => {
    stopAnswering();
    await t?.close();
  });

  it('fivesim-api (unmodified) drives a lifecycle, and gets its typed errors', async () => {
    pointFivesimApiAt(base);
    const key = (await t.platform.users.create({ username: 'znmn', balance: 1000, email: 'znmn@example.com' })).apiKey;
    const api = new FiveSimAPI(key);

    // Guest calls, static, with no key.
    const countries = await FiveSimAPI.getCountries();
    expect(countries.england).toMatchObject({ iso: { gb: 1 }, prefix: { '+44': 1 }, text_en: 'United Kingdom', vodafone: { activation: 1 }, three: { activation: 1 } });
    expect(await FiveSimAPI.getProducts('england', 'any')).toEqual({
      discord: { Category: 'activation', Qty: 3, Price: 0.3 },
      telegram: { Category: 'activation', Qty: 3, Price: 0.25 },
    });
    expect(await FiveSimAPI.getPricesByCountryAndProduct('england', 'telegram')).toEqual({
      england: { telegram: { three: { cost: 0.25, count: 1 }, vodafone: { cost: 0.25, count: 2 } } },
    });
    expect(await FiveSimAPI.getNotifications('en')).toEqual({ text: '' });
    expect(await api.getProfile()).toMatchObject({ email: 'znmn@example.com', balance: 10, frozen_balance: 0, rating: 96 });

    // `best` reads guest/prices (cheapest, then most numbers: vodafone); `wait` polls check until RECEIVED.
    answerOrders('Telegram', 'Telegram code: 41235');
    const received = await api.buyActivationNumber('england', 'best', 'telegram', { wait: true, reuse: '1', voice: '0', forwarding: false } as never);
    stopAnswering();
    expect(received).toMatchObject({ operator: 'vodafone', product: 'telegram', price: 0.25, status: 'RECEIVED', country: 'england' });
    expect(received.phone).toMatch(/^\+44770090010[12]$/);
    expect(received.sms).toEqual([expect.objectContaining({ sender: 'Telegram', text: 'Telegram code: 41235', code: '41235' })]);
    expect((await api.checkOrder(received.id)).status).toBe('RECEIVED');
    expect((await api.getSMSInbox(received.id)).Total).toBe(1);
    await expect(api.cancelOrder(received.id)).rejects.toBeInstanceOf(OrderHasSMSError);
    expect(await api.finishOrder(received.id)).toMatchObject({ id: received.id, status: 'FINISHED' });

    // Reuse the number for the same product; cancel it (after the 10-second window) for a refund.
    const reused = await api.reuseNumber('telegram', received.phone.slice(1));
    expect(reused).toMatchObject({ phone: received.phone, status: 'PENDING', sms: null });
    t.clock.advance(10_000);
    expect(await api.cancelOrder(reused.id)).toMatchObject({ status: 'CANCELED' });

    // A ban: refunded, BANNED.
    const banned = await api.buyActivationNumber('england', 'three', 'discord');
    expect(banned).toMatchObject({ operator: 'three', price: 0.3, status: 'PENDING' });
    t.clock.advance(10_000);
    expect(await api.banOrder(banned.id)).toMatchObject({ status: 'BANNED' });

    const history = await api.getOrderHistory({ category: 'activation', limit: 15, offset: 0, order: 'id', reverse: true });
    expect(history.Total).toBe(3);
    expect(history.Data.map((o) => o.status)).toEqual(['BANNED', 'CANCELED', 'FINISHED']);
    const payments = await api.getPaymentHistory({ limit: 15, offset: 0, order: 'id', reverse: false });
    expect(payments.Data.map((d) => [d.TypeName, d.Amount, d.Balance])).toEqual([
      ['charge', 10, 10],
      ['buy', -0.25, 9.75],
    ]);
    expect(await api.getProfile()).toMatchObject({ balance: 9.75, frozen_balance: 0 });

    // Typed errors, from 5SIM's statuses and texts.
    await expect(api.checkOrder(999_999)).rejects.toBeInstanceOf(NotFoundError);
    await expect(api.finishOrder(999_999)).rejects.toBeInstanceOf(ValidationError);
    await expect(api.buyActivationNumber('england', 'beeline', 'telegram')).rejects.toBeInstanceOf(NoPhoneNumbersError);
    await expect(api.buyActivationNumber('narnia', 'any', 'telegram')).rejects.toMatchObject({ name: 'ValidationError', message: '"bad country"' });
    await expect(new FiveSimAPI('not-a-key').getProfile()).rejects.toBeInstanceOf(AuthenticationError);
    const poor = new FiveSimAPI((await t.platform.users.create({ username: 'poor', balance: 5 })).apiKey);
    await expect(poor.buyActivationNumber('england', 'any', 'telegram')).rejects.toBeInstanceOf(InsufficientBalanceError);
    expect(await t.platform.users.show('znmn')).toMatchObject({ balance: 975, held: 0 });
    await expectLedgerConsistent(t.platform);
  });

  it('5sim-api (unmodified), pointed at us through its axios instances, drives a lifecycle', async () => {
    const key = (await t.platform.users.create({ username: 'halo', balance: 500 })).apiKey;
    const client = new FiveSim(key);
    // Its base URL is fixed when each service is made; each keeps its axios instance as `api`.
    for (const service of [client.balance, client.orderHistory, client.number, client.sms] as unknown as { api: { defaults: { baseURL: string } } }[]) {
      service.api.defaults.baseURL = `${base}/`;
    }
    expect(await client.getUserBalance()).toMatchObject({ balance: 5, rating: 96, frozen_balance: 0 });

    const order = await client.buyActivationNumber({ country: 'england', operator: 'any', product: 'telegram' });
    expect(order).toMatchObject({ product: 'telegram', status: 'PENDING', price: 0.25, sms: null });
    setTimeout(() => void push(order.phone.slice(1), 'Telegram', 'Telegram code: 77001'), 300);
    const first = await client.waitForSMS({ id: order.id, timeout: 10_000, interval: 100 });
    expect(first).toMatchObject({ sender: 'Telegram', text: 'Telegram code: 77001', code: '77001' });

    const history = await client.getOrderHistory('activation');
    expect(history.Total).toBe(1);
    expect(history.Data[0]).toMatchObject({ id: order.id, status: 'RECEIVED' });
    // Its finishNumber calls /user/cancel (a bug of the client): refused, the code is in.
    await expect(client.finishNumber(order.id)).rejects.toThrow(/status code 400/);

    const second = await client.buyActivationNumber({ country: 'england', operator: 'any', product: 'telegram' });
    t.clock.advance(10_000);
    expect(await client.banNumber(second.id)).toMatchObject({ id: second.id, status: 'BANNED' });
    expect(await t.platform.users.show('halo')).toMatchObject({ balance: 475, held: 0 });
    await expectLedgerConsistent(t.platform);
  });
});
