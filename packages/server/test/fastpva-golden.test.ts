// Golden tests: the exact bytes of every FASTPVA response shape (spec/fastpva-api.txt), success and
// error. Clients split the raw text, so key order, compactness and number formats are the contract.
// Ids are random, so each expectation substitutes the ids the server actually returned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, seedUserAndSupplier, type Seeded, type TestPlatform } from './helpers/platform.js';

const ID = /^[0-9a-f]{24}$/;

describe.each(DIALECTS)('FASTPVA wire format on %s', (dialect) => {
  let t: TestPlatform;
  let s: Seeded;
  let gmail: number;
  let depop: number;

  const get = async (path: string, key: string = s.apiKey) => {
    const sep = path.includes('?') ? '&' : '?';
    const res = await t.app.inject({ method: 'GET', url: `/pvapublic${path}${sep}apikey=${key}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    return res.body;
  };

  beforeAll(async () => {
    t = await createTestPlatform(dialect);
    s = await seedUserAndSupplier(t.platform, { balance: 2836, count: 2, prefix: '855917' });
    gmail = (await t.platform.catalog.createProject({ enname: 'Gmail-4', price: 14, channel: 6, myPid: 4561 })).myPid;
    depop = (await t.platform.catalog.createProject({ enname: 'Depop-C6', countryPrices: { GB: 30, NL: 12, FR: 38 }, myPid: 4052 })).myPid;
    await t.platform.catalog.collect(s.userId, gmail);
    await t.platform.catalog.collect(s.userId, depop);
    await t.platform.catalog.setUserPrice('alice', gmail, 10);
  });
  afterAll(async () => t?.close());

  it('lists projects, collects and the legacy list', async () => {
    const projects = await get('/projects?page=1&limit=10&keyword=gmail');
    const gmailId = JSON.parse(projects).data.projects[0]._id as string;
    expect(gmailId).toMatch(ID);
    expect(projects).toBe(
      `{"code":1,"data":{"count":1,"projects":[{"supportCountry":false,"_id":"${gmailId}","enname":"Gmail-4","sellingPrice":14,"myPid":4561,"collect":true,"myPrice":10}]}}`,
    );
    const collects = await get('/collects?page=1&limit=10');
    const depopId = JSON.parse(collects).data.collects[0]._id as string;
    expect(collects).toBe(
      `{"code":1,"data":{"count":2,"collects":[` +
        `{"supportCountry":true,"_id":"${depopId}","myPid":4052,"enname":"Depop-C6","countriesSellingPricePrices":{"FR":{"sellingPrice":38},"GB":{"sellingPrice":30},"NL":{"sellingPrice":12}},"collect":true},` +
        `{"supportCountry":false,"_id":"${gmailId}","myPid":4561,"enname":"Gmail-4","sellingPrice":14,"collect":true,"myPrice":10}]}}`,
    );
    // The legacy list has no myPrice: the user's own price for Gmail (10) is the price it shows.
    expect(await get('/project/list?page=1&limit=10&keyword=')).toBe(
      `{"code":1,"data":[{"myPid":4052,"sellingPrice":12,"enname":"Depop-C6"},{"myPid":4561,"sellingPrice":10,"enname":"Gmail-4"}]}`,
    );
    expect(await get('/projects?page=1&limit=10&channel=77')).toBe('{"code":-1,"data":"Invalid channel ID"}');
    expect(await get('/projects?page=1&limit=10&channel=x')).toBe('{"code":-1,"data":"Invalid channel ID"}');
  });

  it('answers the order lifecycle byte for byte', async () => {
    const taken = await get(`/sms/getNumber?myPid=${gmail}`);
    const { number, orderId } = JSON.parse(taken).data as { number: string; orderId: string };
    expect(orderId).toMatch(ID);
    expect(number).toMatch(/^855917\d{5}$/);
    expect(taken).toBe(`{"code":1,"data":{"number":"${number}","orderId":"${orderId}"}}`);

    expect(await get(`/sms/getCode?orderId=${orderId}`)).toBe(`{"code":-1,"data":{"number":"${number}","balance":2826}}`);
    expect(await get(`/sms/codes?ordersId=${orderId}_65a14e23424sdfg7a1781f`)).toBe(`{"code":-1,"data":{"orders":{},"balance":2826}}`);

    await t.platform.inboundSms.receive({ source: 'test', sourceKey: '1', supplierId: s.supplierId, receiver: number, sender: 'Google', text: 'G-560321 is your Google verification code.', receivedAt: t.clock.now() });
    expect(await get(`/sms/getCode?orderId=${orderId}`)).toBe(
      `{"code":1,"data":{"code":"560321","content":"G-560321 is your Google verification code.","number":"${number}","balance":2826}}`,
    );
    expect(await get(`/sms/codes?ordersId=${orderId}`)).toBe(
      `{"code":1,"data":{"orders":{"${orderId}":{"code":"560321","content":"G-560321 is your Google verification code.","number":"${number}"}},"balance":2826}}`,
    );

    expect(await get(`/sms/releaseNumber?orderId=${orderId}`)).toBe('{"code":-1,"data":"Number release failed: The number can be released 10 seconds from now"}');
    t.clock.advance(10_000);
    expect(await get(`/sms/releaseNumber?orderId=${orderId}`)).toBe('{"code":1,"data":"Number released"}');
    expect(await get(`/sms/releaseNumber?orderId=65a14e6ed68aa4097a1781f5`)).toBe('{"code":-1,"data":"Number release failed: Invalid order ID"}');

    const second = JSON.parse(await get(`/sms/getNumber?myPid=${depop}&locale=GB`)).data as { number: string; orderId: string };
    t.clock.advance(10_000);
    expect(await get(`/sms/shieldNumber?orderId=${second.orderId}`)).toBe('{"code":1,"data":"Number is blacklisted"}');
    expect(await get(`/sms/shieldNumber?orderId=nope`)).toBe('{"code":-1,"data":"Number is blacklisted failed: Invalid order ID"}');

    const created = new Date(t.clock.now() - 20_000).toISOString();
    const released = new Date(t.clock.now() - 10_000).toISOString();
    const shielded = new Date(t.clock.now()).toISOString();
    const createdSecond = released;
    expect(await get('/sms/orders?page=1&limit=10')).toBe(
      `{"code":1,"data":{"count":2,"orders":[` +
        `{"_id":"${second.orderId}","userInfo":{"balance":2826},"number":"${second.number}","numberStatus":"released","smsStatus":"failed","projectInfo":{"enname":"Depop-C6","myPid":4052,"sellingPrice":30},"createdAt":"${createdSecond}","updatedAt":"${shielded}"},` +
        `{"_id":"${orderId}","userInfo":{"balance":2826},"number":"${number}","numberStatus":"released","smsStatus":"received","code":"560321","content":"G-560321 is your Google verification code.","projectInfo":{"enname":"Gmail-4","myPid":4561,"sellingPrice":10},"createdAt":"${created}","updatedAt":"${released}"}]}}`,
    );
    expect(await get(`/sms/orders?page=1&limit=10&smsStatus=Received`)).toContain(`"count":1`);
  });

  it('answers the known FASTPVA error messages word for word', async () => {
    expect(await get('/user/info', 'cb1b2fasdfs00ad23asd17a19ff4d6d1')).toBe('{"code":-1,"data":"No user found."}');
    expect(await t.app.inject('/pvapublic/user/info').then((r) => r.body)).toBe('{"code":-1,"data":"No user found."}');
    expect(await get('/sms/getNumber?myPid=1')).toBe('{"code":-1,"data":"Invalid Service ID"}');
    expect(await get('/sms/getNumber')).toBe('{"code":-1,"data":"Invalid Service ID"}');
    expect(await get(`/sms/getNumber?myPid=${depop}&locale=ZZ`)).toBe('{"code":-1,"data":"Invalid country ID"}');
    expect(await get(`/sms/getNumber?myPid=${depop}&locale=FR`)).toBe(
      '{"code":-1,"data":"The phone number is not available. Please try again later. Suggestion: Try another country or another channel"}',
    );
    const lonely = await t.platform.catalog.createProject({ enname: 'Lonely-12', price: 1, channel: 12 });
    expect(await get(`/sms/getNumber?myPid=${lonely.myPid}`)).toBe('{"code":-1,"data":"Not available for this channel."}');
  });

  it('lists recharge orders and user info', async () => {
    const recharge = await t.platform.recharges.open(s.userId, 100, 'USDT-TRC20');
    const at = new Date(t.clock.now()).toISOString();
    expect(await get('/recharge/orders?page=1&limit=10&status=all')).toBe(
      `{"code":1,"data":[{"status":"unpaid","_id":"${recharge.rechargeId}","amount":100,"payment":"USDT-TRC20","createdAt":"${at}","updatedAt":"${at}","orderAmt":100}]}`,
    );
    expect(await get('/recharge/orders?page=1&limit=10&status=paid')).toBe('{"code":1,"data":[]}');
    const user = await t.platform.users.info(s.userId);
    expect(await get('/user/info')).toBe(
      `{"code":1,"data":{"balance":2826,"_id":"${user.publicId}","username":"alice","mobile":"","email":"","role":{"access":"normal"},"tg":""}}`,
    );
  });
});
