// FASTPVA's stock extension, /pvapublic/sms/stock, on SQLite and Postgres: how many numbers are free
// now for a project, by country, byte for byte; the same counts SMS-Activate's getNumbersStatus and
// 5SIM's products give; counted again once the stock table's few seconds have passed; refusals in
// FASTPVA's words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, type TestPlatform } from './helpers/platform.js';

describe.each(DIALECTS)('FASTPVA stock on %s', (dialect) => {
  let t: TestPlatform;
  let key: string;
  let telegram: number;
  let whatsapp: number;

  const get = async (url: string) => {
    const res = await t.app.inject({ url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    return res.body;
  };
  const stock = (myPid: number | string) => get(`/pvapublic/sms/stock?myPid=${myPid}&apikey=${key}`);

  beforeAll(async () => {
    t = await createTestPlatform(dialect);
    const p = t.platform;
    const bank = await p.suppliers.create({ name: 'SIM bank', channels: [6] });
    await p.suppliers.registerNumbers(bank.id, [
      { number: '447700900001', country: 'GB', operator: 'vodafone' },
      { number: '447700900002', country: 'GB', operator: 'EE' },
      { number: '447700900003', country: 'GB' },
      { number: '447700900004', country: 'GB' },
      { number: '31612345001', country: 'NL' },
    ]);
    // 447700900004 stays offline: not free.
    await p.suppliers.setOnline(bank.id, ['447700900001', '447700900002', '447700900003', '31612345001']);
    // Another channel's numbers are another pool.
    const other = await p.suppliers.create({ name: 'Other bank', channels: [9] });
    await p.suppliers.registerNumbers(other.id, [{ number: '447700900100', country: 'GB' }]);
    await p.suppliers.setOnline(other.id, ['447700900100']);
    telegram = (await p.catalog.createProject({ enname: 'Telegram-C6', price: 25, channel: 6 })).myPid;
    whatsapp = (await p.catalog.createProject({ enname: 'WhatsApp-C6', channel: 6, countryPrices: { GB: 40, FR: 30 } })).myPid;
    key = (await p.users.create({ username: 'alice', balance: 1000 })).apiKey;
  });
  afterAll(async () => t?.close());

  it('counts the free numbers of a project by country, most first', async () => {
    expect(await stock(telegram)).toBe(`{"code":1,"data":{"myPid":${telegram},"countries":[{"country":"GB","count":3},{"country":"NL","count":1}]}}`);
    // Per-country prices: only the countries it sells in, a priced one with nothing free at 0.
    expect(await stock(whatsapp)).toBe(`{"code":1,"data":{"myPid":${whatsapp},"countries":[{"country":"GB","count":3},{"country":"FR","count":0}]}}`);
  });

  it('gives the counts SMS-Activate and 5SIM give', async () => {
    const numbersStatus = JSON.parse(await get(`/stubs/handler_api.php?api_key=${key}&action=getNumbersStatus&country=16`)) as Record<string, number>;
    expect(numbersStatus.tg_0).toBe(3);
    const products = JSON.parse((await t.app.inject({ url: '/v1/guest/products/netherlands/any' })).body) as Record<string, { Qty: number }>;
    expect(products.telegram?.Qty).toBe(1);
  });

  it('counts again a few seconds later: a number taken is no longer free', async () => {
    const taken = JSON.parse(await get(`/pvapublic/sms/getNumber?myPid=${telegram}&locale=GB&apikey=${key}`)) as { code: number };
    expect(taken.code).toBe(1);
    // The table is shared for a few seconds, then counted again.
    expect(await stock(telegram)).toContain('{"country":"GB","count":3}');
    t.clock.advance(10_001);
    expect(await stock(telegram)).toBe(`{"code":1,"data":{"myPid":${telegram},"countries":[{"country":"GB","count":2},{"country":"NL","count":1}]}}`);
  });

  it('refuses in FASTPVA\'s words', async () => {
    expect(await stock(999)).toBe('{"code":-1,"data":"Invalid Service ID"}');
    expect(await stock('abc')).toBe('{"code":-1,"data":"Invalid Service ID"}');
    expect(await get(`/pvapublic/sms/stock?apikey=${key}`)).toBe('{"code":-1,"data":"Invalid Service ID"}');
    expect(await get(`/pvapublic/sms/stock?myPid=${telegram}&apikey=wrong`)).toBe('{"code":-1,"data":"No user found."}');
    // A closed project is not for sale.
    await t.platform.catalog.setProjectEnabled(whatsapp, false);
    t.platform.stock.forget();
    expect(await stock(whatsapp)).toBe('{"code":-1,"data":"Invalid Service ID"}');
  });
});
