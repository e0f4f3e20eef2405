// Every admin command as an operator runs it, on SQLite and Postgres, and what a running server sees
// afterwards. The server is a platform with its own caches and a manual clock, like another process:
// it notices a change within CACHE_TTL_MS, while the process that made the change notices at once.
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hereJson, runHere } from './helpers/cli.js';
import { createTestDatabase, DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, type TestPlatform } from './helpers/platform.js';
import { WebClient } from './helpers/web.js';

describe.each(DIALECTS)('admin commands on %s', (dialect) => {
  let t: TestPlatform;
  // The commands' JSON, read loosely: the assertions say what it holds.
  const admin = <T = any>(...args: string[]) => hereJson<T>(['admin', ...args, '--db', t.database.url]);
  const refused = (...args: string[]) => runHere(['admin', ...args, '--db', t.database.url]);
  const api = async (path: string) => (await t.app.inject({ url: `/pvapublic${path}` })).json();
  const push = async (key: string, method: 'PUT' | 'POST', path: string, body: object) => {
    const res = await t.app.inject({ method, url: `/supplier/v1${path}`, headers: { authorization: `Bearer ${key}` }, payload: body });
    return { status: res.statusCode, body: res.json() };
  };
  /** What another process waits before it sees a change: CACHE_TTL_MS. */
  const afterCacheTtl = () => t.clock.advance(2001);
  const userId = async (username: string) => (await t.store.read.users.findByUsername(username))!.id;

  /** A supplier with online numbers on its own channel, and a project there. */
  async function pool(name: string, channel: number, numbers: string[], price = 30) {
    const supplier = await t.platform.suppliers.create({ name, channels: [channel] });
    await t.platform.suppliers.registerNumbers(supplier.id, numbers.map((number) => ({ number, country: 'GB' })));
    await t.platform.suppliers.setOnline(supplier.id, numbers);
    // Telegram: the tests push Telegram's SMS, and only an SMS of the order's own service is delivered.
    const project = await t.platform.catalog.createProject({ enname: `${name}-project`, price, channel, service: 'Telegram' });
    return { supplier, myPid: project.myPid };
  }

  beforeAll(async () => {
    t = await createTestPlatform(dialect);
  });
  afterAll(async () => t?.close());

  it('lists, shows, disables and enables users', async () => {
    const alice = await admin('user', 'create', '--username', 'alice', '--email', 'alice@example.com', '--balance', '500');
    await admin('user', 'create', '--username', 'bob', '--email', 'bob@shop.example');
    await admin('user', 'create', '--username', 'carol', '--role', 'admin');

    const first = await admin('user', 'list', '--limit', '2');
    expect(first.count).toBe(3);
    expect(first.users.map((u: any) => u.username)).toEqual(['alice', 'bob']);
    expect((await admin('user', 'list', '--page', '2', '--limit', '2')).users.map((u: any) => u.username)).toEqual(['carol']);
    expect((await admin('user', 'list', '--search', 'SHOP')).users).toEqual([
      expect.objectContaining({ username: 'bob', email: 'bob@shop.example', role: 'user', disabled: false, balance: 0, held: 0, activeOrders: 0 }),
    ]);

    // A live order holds money: show tells held from available.
    const { myPid } = await pool('users-rack', 11, ['447711000001']);
    await t.platform.orders.acquire({ userId: await userId('alice'), myPid });
    await admin('user', 'price', '--username', 'alice', '--project', String(myPid), '--price', '25');
    expect(await admin('user', 'show', '--username', 'alice')).toMatchObject({
      username: 'alice',
      balance: 470,
      held: 30,
      activeOrders: 1,
      activeOrderCap: 20,
      limits: { maxActiveOrders: null, rateLimit: null },
      prices: [{ myPid, enname: 'users-rack-project', price: 25 }],
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect((await refused('user', 'show', '--username', 'nobody')).stderr).toBe('fastpva: No user nobody\n');

    // A disabled user's key stops working: at once in the process that disabled it, within the
    // cache time elsewhere.
    const info = `/user/info?apikey=${alice.apikey}`;
    expect(await api(info)).toMatchObject({ code: 1 });
    expect(await admin('user', 'disable', '--username', 'alice')).toMatchObject({ username: 'alice', disabled: true });
    expect(await api(info)).toMatchObject({ code: 1 });
    afterCacheTtl();
    expect(await api(info)).toEqual({ code: -1, data: 'No user found.' });
    expect((await admin('user', 'list', '--search', 'alice')).users[0]).toMatchObject({ disabled: true });
    await t.platform.users.setDisabled('alice', false);
    expect(await api(info)).toMatchObject({ code: 1 });
    await t.platform.users.setDisabled('alice', true);
    expect(await api(info)).toEqual({ code: -1, data: 'No user found.' });
    expect(await admin('user', 'enable', '--username', 'alice')).toMatchObject({ disabled: false });
  });

  it("sets and clears a user's own limits", async () => {
    await admin('user', 'create', '--username', 'capped', '--balance', '1000');
    const { myPid } = await pool('limits-rack', 12, ['447712000001', '447712000002', '447712000003']);
    const user = await userId('capped');
    expect(await admin('user', 'limits', '--username', 'capped', '--max-active-orders', '1', '--rate-limit', '120')).toEqual({
      username: 'capped',
      limits: { maxActiveOrders: 1, rateLimit: 120 },
      activeOrderCap: 1,
    });
    await t.platform.orders.acquire({ userId: user, myPid });
    await expect(t.platform.orders.acquire({ userId: user, myPid })).rejects.toMatchObject({ code: 'TOO_MANY_ACTIVE_ORDERS' });

    expect(await admin('user', 'limits', '--username', 'capped', '--clear-max-active-orders')).toMatchObject({
      limits: { maxActiveOrders: null, rateLimit: 120 },
      activeOrderCap: 20,
    });
    await t.platform.orders.acquire({ userId: user, myPid });
    expect(await admin('user', 'limits', '--username', 'capped', '--max-active-orders', '0', '--clear-rate-limit')).toMatchObject({
      limits: { maxActiveOrders: 0, rateLimit: null },
      activeOrderCap: 0,
    });
    await t.platform.orders.acquire({ userId: user, myPid });
    expect((await admin('user', 'show', '--username', 'capped')).activeOrders).toBe(3);

    const both = await refused('user', 'limits', '--username', 'capped', '--rate-limit', '5', '--clear-rate-limit');
    expect(both).toMatchObject({ code: 2, stderr: 'fastpva: give --rate-limit or --clear-rate-limit, not both (see `fastpva admin user limits --help`)\n' });
    expect((await refused('user', 'limits', '--username', 'capped')).stderr).toMatch(/^fastpva: nothing to change/);
    expect((await refused('user', 'limits', '--username', 'capped', '--rate-limit', '0')).stderr).toMatch(/^fastpva: --rate-limit 0: at least 1 /);
    expect((await refused('user', 'limits', '--username', 'capped', '--max-active-orders', '2000000')).stderr).toMatch(/: at most 1000000 /);
  });

  it('lists, updates, re-prices, disables and enables projects', async () => {
    await pool('catalogue-rack', 13, ['447713000001', '447713000002']);
    await admin('user', 'create', '--username', 'shopper', '--balance', '1000');
    const user = await userId('shopper');
    const depop = await admin('project', 'create', '--name', 'Depop-13', '--country', 'GB=30', '--country', 'nl=12', '--channel', '13');
    await admin('project', 'create', '--name', 'Gmail-13', '--price', '14', '--channel', '13');

    const listed = await admin('project', 'list', '--search', 'DEPOP');
    expect(listed).toMatchObject({ count: 1, projects: [{ myPid: depop.myPid, enname: 'Depop-13', countryPrices: { GB: 30, NL: 12 }, enabled: true }] });
    expect((await admin('project', 'list', '--channel', '13')).projects.map((p: any) => p.enname)).toEqual(['catalogue-rack-project', 'Depop-13', 'Gmail-13']);
    expect((await admin('project', 'list', '--channel', '13', '--limit', '1', '--page', '3')).projects.map((p: any) => p.enname)).toEqual(['Gmail-13']);
    const pid = String(depop.myPid);
    expect(await admin('project', 'show', '--project', pid)).toMatchObject({ service: 'Depop', supportCountry: true, sellingPrice: 12, channel: 13 });

    // Per country -> one price -> per country again; the server's cached terms follow within the TTL.
    expect((await t.platform.orders.acquire({ userId: user, myPid: depop.myPid, locale: 'GB' })).price).toBe(30);
    const flat = await admin('project', 'update', '--project', pid, '--price', '25');
    expect(flat).toMatchObject({ supportCountry: false, sellingPrice: 25 });
    expect(flat.countryPrices).toBeUndefined();
    afterCacheTtl();
    expect((await t.platform.orders.acquire({ userId: user, myPid: depop.myPid, locale: 'GB' })).price).toBe(25);
    expect(await admin('project', 'update', '--project', pid, '--country', 'US=40', '--name', 'Depop-US', '--service', 'Depop')).toMatchObject({
      enname: 'Depop-US',
      supportCountry: true,
      sellingPrice: 40,
      countryPrices: { US: 40 },
    });
    afterCacheTtl();
    await expect(t.platform.orders.acquire({ userId: user, myPid: depop.myPid, locale: 'GB' })).rejects.toMatchObject({ code: 'COUNTRY_NOT_SUPPORTED' });

    // Disabled: `Invalid Service ID` for new orders; at once in this process.
    expect(await admin('project', 'disable', '--project', pid)).toMatchObject({ enabled: false });
    expect((await admin('project', 'list', '--search', 'depop')).projects[0]).toMatchObject({ enabled: false });
    afterCacheTtl();
    await expect(t.platform.orders.acquire({ userId: user, myPid: depop.myPid })).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND' });
    await t.platform.catalog.setProjectEnabled(depop.myPid, true);
    await expect(t.platform.orders.acquire({ userId: user, myPid: depop.myPid, locale: 'us' })).rejects.toMatchObject({ code: 'NO_NUMBERS' });

    for (const [args, message] of [
      [['--price', '5', '--country', 'GB=5'], 'give --price or --country, not both'],
      [['--country', 'XX=5'], '--country XX=5: XX is not an ISO 3166 country code'],
      [['--country', 'GB'], '--country GB: write COUNTRY=CENTS'],
      [['--price', '-1'], '--price -1: cannot be negative'],
      [['--price', '100000001'], '--price 100000001: at most 100000000 cents'],
      [[], 'nothing to change'],
    ] as const) {
      const result = await refused('project', 'update', '--project', pid, ...args);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`fastpva: ${message}`);
    }
    expect(await refused('project', 'update', '--project', '999999', '--price', '1')).toMatchObject({ code: 1, stderr: 'fastpva: No project with myPid 999999\n' });
    expect(await refused('project', 'update', '--project', pid, '--name', 'Gmail-13')).toMatchObject({ code: 1, stderr: 'fastpva: A project named Gmail-13 exists\n' });
  });

  it("manages suppliers: keys, enabled, channels and share", async () => {
    const { supplier: rack, myPid } = await pool('rack-14', 14, ['447714000001', '447714000002']);
    const phones = await admin('supplier', 'create', '--name', 'phones-14', '--channel', '14', '--share', '6000');
    expect((await push(phones.key, 'PUT', '/numbers', { numbers: [{ number: '447714000009', country: 'GB' }] })).status).toBe(200);
    expect((await push(phones.key, 'POST', '/numbers/online', { numbers: ['447714000009'] })).body).toEqual({ online: 1 });

    const listed = await admin('supplier', 'list');
    expect(listed.find((s: any) => s.name === 'rack-14')).toMatchObject({ enabled: true, channels: [14], shareBp: 7000, numbers: 2, online: 2, balance: 0 });
    expect(await admin('supplier', 'show', '--supplier', 'phones-14')).toMatchObject({ name: 'phones-14', channels: [14], shareBp: 6000, numbers: 1, online: 1 });

    // A disabled supplier's key is refused, and its numbers are not handed out.
    await admin('user', 'create', '--username', 'buyer14', '--balance', '1000');
    const user = await userId('buyer14');
    await admin('supplier', 'disable', '--supplier', 'rack-14');
    const key = rack.key;
    expect((await push(key, 'POST', '/numbers/online', { numbers: [] })).status).toBe(401);
    expect((await t.platform.orders.acquire({ userId: user, myPid })).number).toBe('447714000009');
    await expect(t.platform.orders.acquire({ userId: user, myPid })).rejects.toMatchObject({ code: 'NO_NUMBERS' });
    expect(await admin('supplier', 'enable', '--supplier', 'rack-14')).toMatchObject({ enabled: true });
    expect((await push(key, 'POST', '/numbers/online', { numbers: ['447714000001'] })).body).toEqual({ online: 1 });
    expect((await t.platform.orders.acquire({ userId: user, myPid })).number).toBe('447714000001');

    const rotated = await admin('supplier', 'rotate-key', '--supplier', 'rack-14');
    expect((await push(key, 'POST', '/numbers/online', { numbers: [] })).status).toBe(401);
    expect((await push(rotated.key, 'POST', '/numbers/online', { numbers: [] })).status).toBe(200);

    // The only supplier of a channel leaves it: the channel's projects are unavailable.
    expect(await admin('supplier', 'channels', '--supplier', 'rack-14', '--remove', '14', '--add', '15', '--add', '16')).toMatchObject({ channels: [15, 16] });
    await admin('supplier', 'disable', '--supplier', 'phones-14');
    afterCacheTtl();
    await expect(t.platform.orders.acquire({ userId: user, myPid })).rejects.toMatchObject({ code: 'CHANNEL_UNAVAILABLE' });

    expect(await admin('supplier', 'share', '--supplier', 'phones-14', '--share', '5000')).toMatchObject({ shareBp: 5000 });
    expect((await refused('supplier', 'share', '--supplier', 'phones-14', '--share', '10001')).stderr).toMatch(/^fastpva: --share 10001: at most 10000 basis points/);
    expect((await refused('supplier', 'channels', '--supplier', 'phones-14')).code).toBe(2);
    expect(await refused('supplier', 'show', '--supplier', 'nobody')).toMatchObject({ code: 1, stderr: 'fastpva: No supplier nobody\n' });
  });

  it('lists, transfers and removes numbers; live orders keep their supplier for payouts', async () => {
    const numbers = ['447721000001', '447721000002', '447721000003'];
    const { supplier: old, myPid } = await pool('old-key', 21, numbers, 100);
    await t.platform.suppliers.registerNumbers(old.id, [{ number: '31612000001', country: 'NL' }]);
    const fresh = await admin('supplier', 'create', '--name', 'new-key', '--channel', '21');

    expect((await admin('number', 'list', '--supplier', 'old-key')).count).toBe(4);
    expect((await admin('number', 'list', '--supplier', 'old-key', '--country', 'nl')).numbers).toEqual([
      expect.objectContaining({ number: '31612000001', country: 'NL', supplier: 'old-key', online: false, orderId: null }),
    ]);
    expect((await admin('number', 'list', '--supplier', 'old-key', '--offline')).numbers.map((n: any) => n.number)).toEqual(['31612000001']);
    expect((await admin('number', 'list', '--supplier', 'old-key', '--online', '--limit', '2')).count).toBe(3);
    expect((await refused('number', 'list', '--online', '--offline')).code).toBe(2);
    expect((await refused('number', 'list', '--country', 'XX')).stderr).toMatch(/^fastpva: --country XX: not an ISO 3166 country code/);

    await admin('user', 'create', '--username', 'buyer21', '--balance', '1000');
    const user = await userId('buyer21');
    const order = await t.platform.orders.acquire({ userId: user, myPid });

    // The number moves; its live order still pays the supplier it was made with.
    expect(await admin('number', 'transfer', '--from', 'old-key', '--to', 'new-key', '--number', `+${order.number}`)).toEqual({ transferred: 1 });
    expect((await admin('number', 'list', '--supplier', 'new-key')).numbers).toEqual([
      expect.objectContaining({ number: order.number, supplier: 'new-key', online: true, orderId: order.orderId }),
    ]);
    const sms = await push(fresh.key, 'POST', '/sms', { id: 'm1', to: order.number, from: 'Telegram', text: 'Telegram code: 11223' });
    expect(sms.body).toEqual({ accepted: true, orderId: order.orderId });
    expect((await admin('supplier', 'show', '--supplier', 'old-key')).balance).toBe(70);
    expect((await admin('supplier', 'show', '--supplier', 'new-key')).balance).toBe(0);

    expect(await admin('number', 'transfer', '--from', 'old-key', '--to', 'new-key', '--all')).toEqual({ transferred: 3 });
    expect(await refused('number', 'transfer', '--from', 'old-key', '--to', 'new-key', '--number', '447721000001')).toMatchObject({
      code: 1,
      stderr: 'fastpva: Not in the pool of old-key: 447721000001\n',
    });
    expect((await refused('number', 'transfer', '--from', 'new-key', '--to', 'new-key', '--all')).code).toBe(1);
    expect((await refused('number', 'transfer', '--from', 'old-key', '--to', 'new-key')).code).toBe(2);

    // Removal: refused under a live order, then the number leaves the pool and the push API forgets it.
    const other = numbers.find((n) => n !== order.number)!;
    const busy = await refused('number', 'remove', '--number', order.number, '--number', other);
    expect(busy).toMatchObject({ code: 1, stderr: `fastpva: A live order is using ${order.number}: wait until it ends, then remove again\n` });
    t.clock.advance(10_000);
    await t.platform.orders.release(user, order.orderId);
    expect(await admin('number', 'remove', '--number', order.number, '--number', other)).toEqual({ removed: 2 });
    expect(await admin('number', 'remove', '--number', order.number)).toEqual({ removed: 0 });
    expect((await admin('number', 'list', '--supplier', 'new-key')).count).toBe(2);
    expect((await admin('number', 'list', '--removed', '--supplier', 'new-key')).numbers.map((n: any) => n.number).sort()).toEqual([other, order.number].sort());
    expect(await push(fresh.key, 'POST', '/numbers/online', { numbers: [order.number] })).toMatchObject({ status: 404, body: { error: { code: 'unknown_number' } } });
    expect(await push(fresh.key, 'POST', '/sms', { id: 'm2', to: order.number, text: 'late' })).toMatchObject({ status: 404 });
    await expect(t.platform.orders.acquire({ userId: user, myPid, number: order.number })).rejects.toMatchObject({ code: 'NO_NUMBERS' });

    // Registered again, by any supplier: back in the pool under that supplier, offline until it says so.
    expect((await push(old.key, 'PUT', '/numbers', { numbers: [{ number: order.number, country: 'GB' }] })).body).toEqual({ registered: 1 });
    expect((await admin('number', 'list', '--supplier', 'old-key')).numbers).toEqual([expect.objectContaining({ number: order.number, online: false })]);
    expect(await refused('number', 'remove', '--number', '447799999999')).toMatchObject({ code: 1, stderr: 'fastpva: Not in the pool: 447799999999\n' });
    await expectLedgerConsistent(t.platform);
  });

  it('blacklists numbers for a project and gives them back', async () => {
    const { myPid } = await pool('blacklist-rack', 22, ['447722000001']);
    const pid = String(myPid);
    expect(await admin('blacklist', 'add', '--number', '447722000001', '--project', pid, '--note', 'spam traps')).toEqual({ added: true });
    expect(await admin('blacklist', 'add', '--number', '447722000001', '--project', pid)).toEqual({ added: false });
    const entry = { number: '447722000001', myPid, enname: 'blacklist-rack-project', reason: 'admin', note: 'spam traps', shields: 0 };
    expect(await admin('blacklist', 'list', '--project', pid)).toMatchObject({ count: 1, entries: [entry] });
    expect(await admin('blacklist', 'list', '--number', '+44 7722 000001')).toMatchObject({ count: 1, entries: [entry] });
    await admin('user', 'create', '--username', 'buyer22', '--balance', '100');
    await expect(t.platform.orders.acquire({ userId: await userId('buyer22'), myPid })).rejects.toMatchObject({ code: 'NO_NUMBERS' });
    expect(await admin('blacklist', 'remove', '--number', '447722000001', '--project', pid)).toEqual({ removed: true });
    expect(await refused('blacklist', 'remove', '--number', '447722000001', '--project', pid)).toMatchObject({
      code: 1,
      stderr: `fastpva: 447722000001 is not blacklisted for project ${myPid}\n`,
    });
    expect((await refused('blacklist', 'add', '--number', '447700000000', '--project', pid)).stderr).toBe('fastpva: No number 447700000000 in the pool\n');
    // Audited newest first; the refused removal wrote nothing.
    const { entries } = await t.platform.audit.list({ target: `blacklist:${myPid}:447722000001`, page: 1, limit: 10 });
    const listed = { number: '447722000001', myPid, reason: 'admin', note: 'spam traps' };
    expect(entries.map((e) => [e.action, e.before, e.after])).toEqual([
      ['blacklist.remove', listed, null],
      ['blacklist.add', listed, listed],
      ['blacklist.add', null, listed],
    ]);
  });

  it('lists orders and shows one with its SMS, delivered or kept from it', async () => {
    const { supplier, myPid } = await pool('orders-rack', 23, ['447723000001', '447723000002']);
    await admin('user', 'create', '--username', 'buyer23', '--balance', '1000');
    const user = await userId('buyer23');
    const first = await t.platform.orders.acquire({ userId: user, myPid });
    const second = await t.platform.orders.acquire({ userId: user, myPid });
    await t.platform.inboundSms.receive({ source: 'supplier-push', sourceKey: 'o1', supplierId: supplier.id, receiver: first.number, sender: 'Telegram', text: 'Telegram code 56032', receivedAt: t.clock.now() });

    const mine = await admin('order', 'list', '--user', 'buyer23');
    expect(mine.orders.map((o: any) => o.orderId)).toEqual([second.orderId, first.orderId]);
    expect(mine.orders[1]).toMatchObject({ username: 'buyer23', supplier: 'orders-rack', numberStatus: 'receiving', smsStatus: 'received', code: '56032', project: { myPid, price: 30 } });
    expect((await admin('order', 'list', '--user', 'buyer23', '--status', 'waiting')).orders.map((o: any) => o.orderId)).toEqual([second.orderId]);
    expect((await admin('order', 'list', '--number', first.number)).orders.map((o: any) => o.orderId)).toEqual([first.orderId]);
    expect((await admin('order', 'list', '--user', 'buyer23', '--status', 'released')).count).toBe(0);
    expect((await refused('order', 'list', '--status', 'lost')).stderr).toMatch(/^fastpva: --status lost: one of receiving, released, waiting, received, failed/);

    // An SMS judged against the order and kept from it carries its reason.
    await t.platform.inboundSms.receive({ source: 'supplier-push', sourceKey: 'o2', supplierId: supplier.id, receiver: second.number, sender: 'Bank', text: 'Your statement', receivedAt: t.clock.now() });
    const order = (await t.store.read.orders.lock({ userId: user, publicId: first.orderId }))!;
    await t.store.kysely.updateTable('inbound_sms').set({ order_id: null, candidate_order_id: order.id, reason: 'other_service' }).where('source_key', '=', 'o2').execute();
    const shown = await admin('order', 'show', '--order', first.orderId);
    expect(shown).toMatchObject({ orderId: first.orderId, username: 'buyer23', number: first.number, smsCount: 1, endedAt: null });
    expect(shown.sms).toEqual([
      expect.objectContaining({ sender: 'Telegram', text: 'Telegram code 56032', code: '56032', delivered: true, reason: null }),
      expect.objectContaining({ sender: 'Bank', text: 'Your statement', delivered: false, reason: 'other_service' }),
    ]);
    const text = await runHere(['admin', 'order', 'show', '--order', first.orderId, '--db', t.database.url]);
    expect(text.stdout).toContain('no: other_service');
    expect(await refused('order', 'show', '--order', 'ffffffffffffffffffffffff')).toMatchObject({ code: 1, stderr: 'fastpva: No order ffffffffffffffffffffffff\n' });
  });

  it("writes every change to the audit log as cli:<os user>, in the change's own transaction, for the admin panel to show", async () => {
    const cli = `cli:${userInfo().username}`;
    await admin('user', 'create', '--username', 'audrey', '--balance', '300');
    await admin('user', 'adjust', '--username', 'audrey', '--amount', '-100', '--note', 'chargeback');
    await admin('user', 'limits', '--username', 'audrey', '--max-active-orders', '3');
    await admin('user', 'disable', '--username', 'audrey');
    const project = await admin('project', 'create', '--name', 'Audited', '--price', '15', '--channel', '17');
    await admin('project', 'update', '--project', String(project.myPid), '--price', '20');
    await admin('supplier', 'create', '--name', 'audited-rack', '--channel', '17');
    await admin('supplier', 'share', '--supplier', 'audited-rack', '--share', '6500');
    const gateway = await admin('supplier', 'gateway', 'add', '--supplier', 'audited-rack', '--kind', 'generic');
    const smpp = await admin('supplier', 'smpp', '--supplier', 'audited-rack');
    await admin('user', 'webhook', '--username', 'audrey', '--clear');
    // Refused changes write nothing.
    expect((await refused('user', 'adjust', '--username', 'audrey', '--amount', '-5000')).code).not.toBe(0);
    expect((await refused('supplier', 'share', '--supplier', 'nobody', '--share', '10')).code).not.toBe(0);

    await admin('user', 'create', '--username', 'auditor', '--password', 'correct horse battery', '--role', 'admin');
    const panel = new WebClient(t.app);
    await panel.signIn('auditor', 'correct horse battery');
    const { entries } = await panel.ok('GET', `/admin/audit?search=${encodeURIComponent(cli)}&limit=12`);
    expect(entries.map((e: any) => [e.actor, e.action, e.target])).toEqual([
      [cli, 'user.create', 'user:auditor'],
      [cli, 'user.webhook', 'user:audrey'],
      [cli, 'supplier.smpp', 'supplier:audited-rack'],
      [cli, 'gateway.add', 'supplier:audited-rack'],
      [cli, 'supplier.share', 'supplier:audited-rack'],
      [cli, 'supplier.create', 'supplier:audited-rack'],
      [cli, 'project.update', `project:${project.myPid}`],
      [cli, 'project.create', `project:${project.myPid}`],
      [cli, 'user.disable', 'user:audrey'],
      [cli, 'user.limits', 'user:audrey'],
      [cli, 'user.adjust_balance', 'user:audrey'],
      [cli, 'user.create', 'user:audrey'],
    ]);
    const of = (action: string) => entries.find((e: any) => e.action === action && e.target !== 'user:auditor');
    expect(of('user.adjust_balance')).toMatchObject({ before: { balance: 300, held: 0 }, after: { balance: 200, held: 0, amount: -100, note: 'chargeback' } });
    expect(of('user.limits')).toMatchObject({ before: { maxActiveOrders: null }, after: { maxActiveOrders: 3 } });
    expect(of('user.disable')).toMatchObject({ before: { disabled: false }, after: { disabled: true } });
    expect(of('project.update')).toMatchObject({ before: { sellingPrice: 15 }, after: { sellingPrice: 20 } });
    expect(of('supplier.share')).toMatchObject({ before: { shareBp: 7000 }, after: { shareBp: 6500 } });
    expect(of('supplier.create').after).toMatchObject({ name: 'audited-rack', channels: [17], keyPrefix: expect.any(String) });
    // The gateway's URL token is shown once, in the command's answer, never in the log.
    const token = /\/ingest\/generic\/([0-9a-f]+)$/.exec(gateway.path)![1]!;
    expect(of('gateway.add').after).toEqual({ id: gateway.id, kind: 'generic', tokenPrefix: token.slice(0, of('gateway.add').after.tokenPrefix.length), signed: false });
    expect(of('supplier.smpp')).toMatchObject({ before: null, after: { systemId: smpp.systemId, newPassword: true } });
    expect(JSON.stringify(entries)).not.toContain(token);
    expect(JSON.stringify(entries)).not.toContain(smpp.password);
    expect(of('user.create')).toMatchObject({ before: null, after: { username: 'audrey', role: 'user', balance: 300 } });

    // One transaction: an entry that cannot be written (its actor names no user) takes the change down with it.
    const ghost = { id: 987_654_321, name: 'ghost' };
    await expect(t.platform.users.adjustBalance('audrey', 1000, 'never', ghost)).rejects.toThrow();
    await expect(t.platform.catalog.setProjectEnabled(project.myPid, false, ghost)).rejects.toThrow();
    expect(await admin('user', 'show', '--username', 'audrey')).toMatchObject({ balance: 200 });
    expect(await admin('project', 'show', '--project', String(project.myPid))).toMatchObject({ enabled: true });
    expect((await t.platform.audit.list({ search: 'ghost', page: 1, limit: 10 })).count).toBe(0);
    await expectLedgerConsistent(t.platform);
  });

  it('refuses a database without the fastpva schema and creates nothing', async () => {
    const empty = await createTestDatabase(dialect);
    try {
      const url = empty.url;
      const result = await runHere(['admin', 'user', 'list', '--db', url]);
      expect(result).toEqual({ code: 1, stdout: '', stderr: `fastpva: No fastpva database at ${url}; run \`fastpva migrate --db ${url}\`\n` });
      expect(JSON.parse((await runHere(['admin', 'user', 'list', '--db', url, '--json'])).stdout)).toEqual({
        error: { code: 'no_database', message: `No fastpva database at ${url}; run \`fastpva migrate --db ${url}\`` },
      });
      if (dialect === 'sqlite') {
        const { existsSync } = await import('node:fs');
        expect(existsSync(url.slice('sqlite:'.length))).toBe(false);
      } else {
        // The database exists and stays empty: no schema, no migration table.
        const pg = (await import('pg')).default;
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        const { rows } = await client.query("select count(*)::int as n from information_schema.tables where table_schema = 'public'");
        await client.end();
        expect(rows[0].n).toBe(0);
        const missing = url.replace(/\/[^/]+$/, '/fastpva_no_such_db');
        expect((await runHere(['admin', 'user', 'list', '--db', missing])).stderr).toMatch(
          /^fastpva: Postgres at 127\.0\.0\.1:5432 has no database fastpva_no_such_db: create it with `createdb fastpva_no_such_db`\n$/,
        );
      }
      // Migrated but one migration short: it says so.
      expect((await hereJson(['migrate', '--db', url])).applied).toContain('0003_admin_lookups');
      const { Store } = await import('../src/store/store.js');
      const store = await Store.open(url);
      await store.kysely.deleteFrom('kysely_migration' as any).where('name', '=', '0003_admin_lookups').execute();
      await store.close();
      expect((await runHere(['admin', 'user', 'list', '--db', url])).stderr).toBe(
        `fastpva: The database at ${url} needs migrations (0003_admin_lookups); run \`fastpva migrate --db ${url}\`\n`,
      );
    } finally {
      await empty.drop();
    }
  });
});
