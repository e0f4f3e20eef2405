// The SMPP server with a real SMPP client (the same npm package, client side) on 127.0.0.1, on SQLite
// and Postgres: binds, every way a message arrives (deliver_sm and submit_sm, UDH and SAR
// concatenation, message_payload, GSM 03.38 and UCS-2), throttling, retransmissions and refusals.
import { once } from 'node:events';
import smpp, { type PDU, type PduFields, type Session } from 'smpp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSmppServer, type SmppServer } from '../src/api/smpp/server.js';
import { loadConfig } from '../src/config.js';
import { DUPLICATE_WINDOW_MS, PART_TTL_MS } from '../src/domain/smpp.js';
import { startServer } from '../src/server.js';
import { hereJson, runHere } from './helpers/cli.js';
import { createTestDatabase, DIALECTS } from './helpers/databases.js';
import { createTestPlatform, expectLedgerConsistent, seedUserAndSupplier, type Seeded, type TestPlatform } from './helpers/platform.js';

type Command = 'bind_transceiver' | 'bind_receiver' | 'bind_transmitter' | 'deliver_sm' | 'submit_sm' | 'enquire_link' | 'unbind';

interface Client {
  session: Session;
  /** Sends a PDU and resolves with its response. */
  request(command: Command, fields?: PduFields): Promise<PDU>;
  /** Resolves when the server has closed the connection. */
  closed: Promise<unknown>;
}

async function connect(port: number): Promise<Client> {
  const session = smpp.connect({ host: '127.0.0.1', port });
  // A connection the server cuts may end in ECONNRESET: the test looks at `closed` instead.
  session.on('error', () => undefined);
  await once(session, 'connect');
  const closed = once(session, 'close');
  return {
    session,
    request: (command, fields = {}) =>
      Promise.race([
        new Promise<PDU>((resolve) => session[command](fields, resolve)),
        closed.then(() => Promise.reject(new Error(`the server closed the connection before answering ${command}`))),
      ]),
    closed,
  };
}

interface Credentials {
  systemId: string;
  password: string;
}

async function bind(port: number, credentials: Credentials, command: Command = 'bind_transceiver'): Promise<Client> {
  const client = await connect(port);
  const resp = await client.request(command, { system_id: credentials.systemId, password: credentials.password });
  expect(resp.command_status).toBe(smpp.ESME_ROK);
  expect(resp.system_id).toBe('fastpva');
  return client;
}

const ucs2 = (text: string) => Buffer.from(text, 'utf16le').swap16();
const udh8 = (ref: number, total: number, seq: number) => Buffer.from([5, 0x00, 3, ref, total, seq]);
const udh16 = (ref: number, total: number, seq: number) => Buffer.from([6, 0x08, 4, ref >> 8, ref & 0xff, total, seq]);
const UDHI = 0x40;

/** Cyrillic with an emoji, in three UCS-2 parts; the first boundary falls inside the emoji's surrogate pair. */
const CYRILLIC = 'Telegram: ваш код подтверждения 48213. Никому его не сообщайте 🔐 даже если просят сотрудники Telegram. Если вы не запрашивали код, проигнорируйте это сообщение. Спасибо!';
function cyrillicParts(): Buffer[] {
  const octets = ucs2(CYRILLIC);
  const first = (CYRILLIC.indexOf('🔐') + 1) * 2;
  const second = first + Math.ceil((octets.length - first) / 4) * 2;
  const parts = [octets.subarray(0, first), octets.subarray(first, second), octets.subarray(second)];
  // 140 octets per SMS, less the header.
  expect(parts.every((p) => p.length > 0 && p.length <= 134)).toBe(true);
  return parts;
}

describe.each(DIALECTS)('SMPP server on %s', (dialect) => {
  let t: TestPlatform;
  let server: SmppServer;
  let seeded: Seeded;
  let myPid: number;
  let credentials: Credentials;
  const clients: Client[] = [];
  const admin = <T = any>(...args: string[]) => hereJson<T>(['admin', ...args, '--db', t.database.url]);
  const client = async (c: Promise<Client>) => {
    clients.push(await c);
    return clients.at(-1)!;
  };

  /** A live order on a Telegram project; its number is where the test's SMS goes. */
  const order = () => t.platform.orders.acquire({ userId: seeded.userId, myPid });
  const codeOf = async (orderId: string) => (await t.platform.orders.getCode(seeded.userId, orderId)).sms;
  const storedFor = (number: string) => t.store.kysely.selectFrom('inbound_sms').selectAll().where('receiver', '=', number).execute();
  const storedWith = (text: string) => t.store.kysely.selectFrom('inbound_sms').selectAll().where('text', '=', text).execute();

  beforeAll(async () => {
    t = await createTestPlatform(dialect);
    seeded = await seedUserAndSupplier(t.platform, { count: 12, supplier: 'GoIP rack' });
    myPid = (await t.platform.catalog.createProject({ enname: 'Telegram', price: 30, service: 'Telegram' })).myPid;
    credentials = await admin<Credentials>('supplier', 'smpp', '--supplier', 'GoIP rack');
    server = await startSmppServer(t.platform, { port: 0, host: '127.0.0.1', maxPerSecond: 1000, idleMs: 30_000 }, t.app.log);
  });
  afterAll(async () => {
    for (const c of clients) c.session.destroy();
    await server?.close();
    await t?.close();
  });

  it('issues credentials once: an 8-character password shown once, stored hashed', async () => {
    expect(credentials).toEqual({ systemId: expect.stringMatching(/^pva[0-9a-f]{8}$/), password: expect.stringMatching(/^[A-Za-z0-9]{8}$/), maxPerSecond: null, gsm7: 'unpacked' });
    const stored = await t.store.kysely.selectFrom('smpp_accounts').selectAll().executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^scrypt\$/);
    expect(stored.password_hash).not.toContain(credentials.password);
    // Asking again shows the system_id, never the password.
    expect(await admin('supplier', 'smpp', '--supplier', 'GoIP rack')).toEqual({ systemId: credentials.systemId, maxPerSecond: null, gsm7: 'unpacked' });
    const refused = (...args: string[]) => runHere(['admin', 'supplier', 'smpp', ...args, '--db', t.database.url]);
    expect(await refused('--supplier', 'Nobody')).toMatchObject({ code: 1, stderr: 'fastpva: No supplier Nobody\n' });
    expect(await refused('--supplier', 'GoIP rack', '--max-per-second', '0')).toMatchObject({ code: 2, stderr: expect.stringContaining('--max-per-second 0: at least 1') });
    expect(await refused('--supplier', 'GoIP rack', '--gsm7', 'septets')).toMatchObject({ code: 2, stderr: expect.stringContaining('either unpacked or packed') });
  });

  it('accepts every bind type and answers enquire_link and unbind', async () => {
    for (const command of ['bind_transceiver', 'bind_receiver', 'bind_transmitter'] as const) {
      const c = await client(bind(server.port, credentials, command));
      expect((await c.request('enquire_link')).command_status).toBe(smpp.ESME_ROK);
      expect((await c.request(command, { system_id: credentials.systemId, password: credentials.password })).command_status).toBe(smpp.ESME_RALYBND);
      const resp = await c.request('unbind');
      expect([resp.command, resp.command_status]).toEqual(['unbind_resp', smpp.ESME_ROK]);
      await c.closed;
    }
  });

  it('refuses a wrong password, an unknown system_id and a PDU before the bind, and closes the connection', async () => {
    for (const wrong of [{ ...credentials, password: 'wrong123' }, { systemId: 'pva00000000', password: credentials.password }]) {
      const c = await client(connect(server.port));
      expect((await c.request('bind_transceiver', { system_id: wrong.systemId, password: wrong.password })).command_status).toBe(smpp.ESME_RBINDFAIL);
      await c.closed;
    }
    const early = await client(connect(server.port));
    expect((await early.request('enquire_link')).command_status).toBe(smpp.ESME_RINVBNDSTS);
    await early.closed;
  });

  it('delivers a three-part UCS-2 Cyrillic message with UDH concatenation, by deliver_sm and by submit_sm', async () => {
    const c = await client(bind(server.port, credentials));
    const parts = cyrillicParts();
    for (const [command, header] of [
      ['deliver_sm', udh8],
      ['submit_sm', udh16],
    ] as const) {
      const { number, orderId } = await order();
      const ref = command === 'deliver_sm' ? 0x2a : 0x1234;
      // The parts arrive out of order; each is acknowledged as it arrives.
      for (const seq of [3, 1, 2]) {
        const resp = await c.request(command, {
          source_addr: 'Telegram',
          destination_addr: number,
          esm_class: UDHI,
          data_coding: 8,
          short_message: Buffer.concat([header(ref, 3, seq), parts[seq - 1]!]),
        });
        expect(resp.command_status).toBe(smpp.ESME_ROK);
        expect(resp.message_id).toMatch(/^[0-9a-f]{16}$/);
        if (seq !== 2) expect(await codeOf(orderId)).toBeNull();
      }
      expect(await codeOf(orderId)).toEqual({ code: '48213', content: CYRILLIC });
    }
    // Delivered messages leave no parts behind.
    expect(await t.store.kysely.selectFrom('smpp_partials').selectAll().execute()).toEqual([]);
  });

  it('delivers GSM 03.38 messages, extension characters included, by deliver_sm and by submit_sm', async () => {
    const c = await client(bind(server.port, credentials, 'bind_transmitter'));
    for (const command of ['deliver_sm', 'submit_sm'] as const) {
      const { number, orderId } = await order();
      // "Telegram code 52817 {ok} €": ASCII letters and digits keep their codes; {, } and € are escaped.
      const text = Buffer.concat([Buffer.from('Telegram code 52817 '), Buffer.from([0x1b, 0x28]), Buffer.from('ok'), Buffer.from([0x1b, 0x29, 0x20, 0x1b, 0x65])]);
      const resp = await c.request(command, { source_addr: 'Telegram', destination_addr: `+${number}`, data_coding: 0, short_message: text });
      expect(resp.command_status).toBe(smpp.ESME_ROK);
      expect(await codeOf(orderId)).toEqual({ code: '52817', content: 'Telegram code 52817 {ok} €' });
    }
  });

  it('reassembles a message concatenated with SAR TLVs', async () => {
    const c = await client(bind(server.port, credentials));
    const { number, orderId } = await order();
    const halves = ['Your Telegram login code is 73310. Do not give this code to anyone, ', 'even if they say they are from Telegram!'];
    for (const [i, half] of halves.entries()) {
      const resp = await c.request('deliver_sm', {
        source_addr: 'Telegram',
        destination_addr: number,
        data_coding: 0,
        short_message: Buffer.from(half),
        sar_msg_ref_num: 777,
        sar_total_segments: 2,
        sar_segment_seqnum: i + 1,
      });
      expect(resp.command_status).toBe(smpp.ESME_ROK);
    }
    expect(await codeOf(orderId)).toEqual({ code: '73310', content: halves.join('') });
  });

  it('reads a long message from message_payload', async () => {
    const c = await client(bind(server.port, credentials));
    const { number, orderId } = await order();
    const long = `Telegram code: 61834. ${'This code can be used to log in to your Telegram account. '.repeat(4)}`.trim();
    expect(long.length).toBeGreaterThan(160);
    const resp = await c.request('deliver_sm', { source_addr: 'Telegram', destination_addr: number, data_coding: 3, short_message: Buffer.alloc(0), message_payload: Buffer.from(long, 'latin1') });
    expect(resp.command_status).toBe(smpp.ESME_ROK);
    expect(await codeOf(orderId)).toEqual({ code: '61834', content: long });
  });

  it('delivers only an SMS that belongs to the order, and acknowledges the others', async () => {
    const c = await client(bind(server.port, credentials));
    const { number, orderId } = await order();
    const resp = await c.request('deliver_sm', { source_addr: 'WhatsApp', destination_addr: number, short_message: Buffer.from('Your WhatsApp code: 123-456') });
    expect(resp.command_status).toBe(smpp.ESME_ROK);
    expect(await codeOf(orderId)).toBeNull();
    expect(await storedFor(number)).toEqual([expect.objectContaining({ order_id: null, reason: 'other_service', source: 'smpp' })]);
  });

  it('delivers a retransmitted message once, on the same connection or the next, within the window', async () => {
    const { number, orderId } = await order();
    const sms: PduFields = { source_addr: 'Telegram', destination_addr: number, short_message: Buffer.from('Telegram code 40404') };
    const first = await client(bind(server.port, credentials));
    const answers = [await first.request('deliver_sm', sms), await first.request('deliver_sm', sms)];
    // The resp was lost: the gateway binds again and sends the same PDU.
    first.session.destroy();
    const second = await client(bind(server.port, credentials));
    answers.push(await second.request('deliver_sm', sms));
    // A concatenated message sent whole a second time.
    const parts = cyrillicParts();
    const long = (seq: number): PduFields => ({ source_addr: 'Telegram', destination_addr: number, esm_class: UDHI, data_coding: 8, short_message: Buffer.concat([udh8(9, 3, seq), parts[seq - 1]!]) });
    for (let round = 0; round < 2; round++) for (const seq of [1, 2, 3]) answers.push(await second.request('deliver_sm', long(seq)));
    // A day later, in the next window, a copy is still recognised.
    t.clock.advance(DUPLICATE_WINDOW_MS);
    answers.push(await second.request('deliver_sm', sms));

    expect(answers.every((a) => a.command_status === smpp.ESME_ROK)).toBe(true);
    expect(new Set([answers[0], answers[1], answers[2], answers.at(-1)].map((a) => a!.message_id)).size).toBe(1);
    const stored = await storedFor(number);
    expect(stored.map((s) => s.text)).toEqual(['Telegram code 40404', CYRILLIC]);
    expect((await t.store.kysely.selectFrom('orders').select('sms_count').where('public_id', '=', orderId).executeTakeFirstOrThrow()).sms_count).toBe(2);
    // Two days on, the same text is a new SMS (stored; its order is over by then).
    t.clock.advance(2 * DUPLICATE_WINDOW_MS);
    expect((await second.request('deliver_sm', sms)).command_status).toBe(smpp.ESME_ROK);
    expect(await storedFor(number)).toHaveLength(3);
    await expectLedgerConsistent(t.platform);
  });

  it('throttles a supplier over its rate with ESME_RTHROTTLED', async () => {
    const fast = await t.platform.suppliers.create({ name: 'Slow SMSC' });
    await t.platform.suppliers.registerNumbers(fast.id, [{ number: '447911000001', country: 'GB' }]);
    const own = await admin<Credentials>('supplier', 'smpp', '--supplier', 'Slow SMSC', '--max-per-second', '2');
    const c = await client(bind(server.port, own));
    const sms = (i: number): PduFields => ({ source_addr: 'Bank', destination_addr: '447911000001', short_message: Buffer.from(`Balance notice ${i}`) });
    // The clock stands still: two messages fill the second, the third waits for the next.
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await c.request('submit_sm', sms(i))).command_status);
    expect(statuses).toEqual([smpp.ESME_ROK, smpp.ESME_ROK, smpp.ESME_RTHROTTLED]);
    t.clock.advance(1000);
    expect((await c.request('submit_sm', sms(2))).command_status).toBe(smpp.ESME_ROK);
    expect(await storedFor('447911000001')).toHaveLength(3);
  });

  it('reads packed GSM from a gateway set to send it so', async () => {
    const packed = await admin('supplier', 'smpp', '--supplier', 'Slow SMSC', '--gsm7', 'packed', '--clear-max-per-second');
    expect(packed).toMatchObject({ maxPerSecond: null, gsm7: 'packed' });
    const c = await client(bind(server.port, await admin<Credentials>('supplier', 'smpp', '--supplier', 'Slow SMSC', '--rotate')));
    // 23.038's example: "hellohello" packed.
    const resp = await c.request('deliver_sm', { source_addr: '4420', destination_addr: '447911000001', data_coding: 0, short_message: Buffer.from('e8329bfd4697d9ec37', 'hex') });
    expect(resp.command_status).toBe(smpp.ESME_ROK);
    expect(await storedWith('hellohello')).toHaveLength(1);
  });

  it('answers a failure to store with a temporary error, and takes the retry', async () => {
    const c = await client(bind(server.port, credentials));
    const { number, orderId } = await order();
    const sms: PduFields = { source_addr: 'Telegram', destination_addr: number, short_message: Buffer.from('Telegram code 31337') };
    const deliver = vi.spyOn(t.platform.smpp, 'deliver').mockRejectedValueOnce(new Error('connection to the database lost')).mockRejectedValueOnce(new Error('still lost'));
    expect((await c.request('deliver_sm', sms)).command_status).toBe(smpp.ESME_RX_T_APPN);
    expect((await c.request('submit_sm', sms)).command_status).toBe(smpp.ESME_RSYSERR);
    expect(await codeOf(orderId)).toBeNull();
    expect((await c.request('deliver_sm', sms)).command_status).toBe(smpp.ESME_ROK);
    expect(await codeOf(orderId)).toEqual({ code: '31337', content: 'Telegram code 31337' });
    deliver.mockRestore();
  });

  it("refuses a number that is not the supplier's, a coding it cannot read, and other commands", async () => {
    const c = await client(bind(server.port, credentials));
    const to = (destination_addr: string, more: PduFields = {}) => c.request('deliver_sm', { source_addr: 'Telegram', destination_addr, short_message: Buffer.from('Telegram code 11111'), ...more });
    expect((await to('447911000001')).command_status).toBe(smpp.ESME_RINVDSTADR);
    expect((await to('07700900123')).command_status).toBe(smpp.ESME_RINVDSTADR);
    expect((await to(seeded.numbers[0]!, { data_coding: 0x04 })).command_status).toBe(smpp.ESME_RINVDCS);
    // A delivery receipt reports on nothing of ours: acknowledged, not stored.
    expect((await to(seeded.numbers[0]!, { esm_class: 0x04 })).command_status).toBe(smpp.ESME_ROK);
    expect(await storedWith('Telegram code 11111')).toEqual([]);
    const query = await new Promise<PDU>((resolve) => c.session.send(new smpp.PDU('query_sm', { message_id: '1' }), resolve));
    expect(query.command_status).toBe(smpp.ESME_RINVCMDID);
  });

  it('drops the parts of a message whose other parts never came', async () => {
    const c = await client(bind(server.port, credentials));
    const part = (ref: number, seq: number): PduFields => ({ source_addr: 'Telegram', destination_addr: seeded.numbers[0]!, esm_class: UDHI, short_message: Buffer.concat([udh8(ref, 2, seq), Buffer.from('half')]) });
    expect((await c.request('deliver_sm', part(1, 1))).command_status).toBe(smpp.ESME_ROK);
    t.clock.advance(PART_TTL_MS + 1);
    expect((await c.request('deliver_sm', part(2, 1))).command_status).toBe(smpp.ESME_ROK);
    // The late second part of message 1 finds nothing to join.
    expect((await c.request('deliver_sm', part(1, 2))).command_status).toBe(smpp.ESME_ROK);
    const partials = await t.store.kysely.selectFrom('smpp_partials').select('message_key').orderBy('message_key').execute();
    expect(partials.map((p) => JSON.parse(p.message_key)[4])).toEqual([1, 2]);
    expect(await storedWith('halfhalf')).toEqual([]);
  });

  it('ends bound sessions when the password is rotated or the supplier disabled; a disabled supplier cannot bind', async () => {
    const c = await client(bind(server.port, credentials));
    const rotated = await admin<Credentials>('supplier', 'smpp', '--supplier', 'GoIP rack', '--rotate');
    expect(rotated.systemId).toBe(credentials.systemId);
    expect(rotated.password).not.toBe(credentials.password);
    expect((await c.request('enquire_link')).command_status).toBe(smpp.ESME_RINVBNDSTS);
    await c.closed;
    const old = await client(connect(server.port));
    expect((await old.request('bind_transceiver', { system_id: credentials.systemId, password: credentials.password })).command_status).toBe(smpp.ESME_RBINDFAIL);
    credentials = rotated;

    const bound = await client(bind(server.port, credentials));
    await admin('supplier', 'disable', '--supplier', 'GoIP rack');
    expect((await bound.request('deliver_sm', { source_addr: 'Telegram', destination_addr: seeded.numbers[0]!, short_message: Buffer.from('x') })).command_status).toBe(smpp.ESME_RINVBNDSTS);
    await bound.closed;
    const refused = await client(connect(server.port));
    expect((await refused.request('bind_transceiver', { system_id: credentials.systemId, password: credentials.password })).command_status).toBe(smpp.ESME_RBINDFAIL);
    await admin('supplier', 'enable', '--supplier', 'GoIP rack');
    await client(bind(server.port, credentials));
  });

  it('closes a connection that stays silent too long', async () => {
    // Long enough for the bind's password check (scrypt) on a loaded machine: the peer is silent meanwhile.
    const quick = await startSmppServer(t.platform, { port: 0, host: '127.0.0.1', maxPerSecond: 1000, idleMs: 2000 }, t.app.log);
    try {
      const c = await client(bind(quick.port, credentials));
      const started = Date.now();
      await c.closed;
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    } finally {
      await quick.close();
    }
  });
});

describe('fastpva serve with SMPP_PORT', () => {
  it('starts the SMPP server beside HTTP, and stops it', async () => {
    const database = await createTestDatabase('sqlite');
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, SMPP_PORT: '0', SMPP_HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    expect(loadConfig({}).smpp).toBeUndefined();
    const running = await startServer(config);
    try {
      await running.platform.suppliers.create({ name: 'Gateway' });
      const credentials = (await running.platform.smpp.configure('Gateway')) as Credentials;
      const c = await bind(running.smppPort!, credentials);
      expect((await c.request('enquire_link')).command_status).toBe(smpp.ESME_ROK);
      // Stopping the server unbinds its sessions.
      const unbind = once(c.session, 'unbind');
      await running.close();
      await unbind;
      await c.closed;
    } finally {
      await database.drop();
    }
  });
});
