// What the ingest and waiters parts share: an SMS for a live order sent through each door of the
// server (the domain call itself, the supplier push API, an SMS Gateway for Android webhook, SMPP), and
// long-poll waiters (getCode with wait=) that see its code arrive.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import smpp, { type PDU, type Session } from 'smpp';
import type { Platform } from '../packages/server/src/domain/platform.js';
import { Store } from '../packages/server/src/store/store.js';
import { heldWaits, request, type Reply, type Running } from './infra.js';
import type { LiveOrder } from './seed.js';

/** The code in the SMS to `number`: five digits taken from the number, so each order expects its own. */
export const codeFor = (number: string) => String(10_000 + (Number(number.slice(-5)) % 90_000));
const textFor = (number: string) => `Telegram code ${codeFor(number)}. Do not give this code to anyone.`;
const SENDER = 'Telegram';

/** One way an SMS reaches the server; `send` resolves when the SMS was acknowledged as that door acknowledges, and throws otherwise. */
export interface Door {
  name: string;
  /** `key` is the source's message id, unique per SMS. */
  send(order: LiveOrder, key: string): Promise<void>;
  close(): Promise<void>;
}

/** An agent with a kept-alive socket for each of `sockets` concurrent requests. */
export const agentFor = (sockets: number) => new http.Agent({ keepAlive: true, maxSockets: sockets });

function expectReply(door: string, reply: Reply, check: (body: string) => boolean): void {
  if (reply.status !== 200 || !check(reply.body)) throw new Error(`${door}: HTTP ${reply.status} ${reply.body.slice(0, 200)}`);
}

/** `InboundSmsService.receive` in this process, on the same database: every door's floor. */
export function bareDoor(platform: Platform, supplierId: number): Door {
  return {
    name: 'receiveSms, in-process',
    async send(order, key) {
      const received = await platform.inboundSms.receive({ source: 'bench', sourceKey: key, supplierId, receiver: order.number, sender: SENDER, text: textFor(order.number), receivedAt: Date.now() });
      if (received.orderId !== order.orderId) throw new Error(`receiveSms: went to ${received.orderId} (${received.reason}), not ${order.orderId}`);
    },
    close: async () => undefined,
  };
}

/** POST /supplier/v1/sms, as a supplier's modem software pushes. */
export function pushDoor(server: Running, supplierKey: string, sockets: number): Door {
  const agent = agentFor(sockets);
  const headers = { authorization: `Bearer ${supplierKey}`, 'content-type': 'application/json' };
  return {
    name: 'supplier push API',
    async send(order, key) {
      const body = JSON.stringify({ id: key, to: order.number, from: SENDER, text: textFor(order.number), receivedAt: new Date().toISOString() });
      const reply = await request(agent, `${server.url}/supplier/v1/sms`, { method: 'POST', body, headers });
      expectReply('push API', reply, (b) => (JSON.parse(b) as { orderId?: unknown }).orderId === order.orderId);
    },
    close: async () => agent.destroy(),
  };
}

/** SMS Gateway for Android's signed `sms:received` webhook, as the app posts it. */
export function androidDoor(server: Running, path: string, signingKey: string, sockets: number): Door {
  const agent = agentFor(sockets);
  return {
    name: 'Android gateway webhook',
    async send(order, key) {
      const body = JSON.stringify({
        deviceId: 'ffffffffceb0b1db0000018e937c815b',
        event: 'sms:received',
        id: key,
        payload: { messageId: key, message: textFor(order.number), sender: SENDER, recipient: `+${order.number}`, simNumber: 1, receivedAt: new Date().toISOString() },
        webhookId: 'bench',
      });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = createHmac('sha256', signingKey).update(body + timestamp).digest('hex');
      const headers = { 'content-type': 'application/json', 'x-signature': signature, 'x-timestamp': timestamp };
      const reply = await request(agent, server.url + path, { method: 'POST', body, headers });
      // The app's acknowledgement names no order: deliveredBySource checks where the SMS went.
      expectReply('Android webhook', reply, (b) => b === '{"accepted":true}');
    },
    close: async () => agent.destroy(),
  };
}

/**
 * deliver_sm over `sessions` bound transceiver sessions of the npm `smpp` client (what SMSCs and SMPP
 * gateways send), taken in turn; each session carries several PDUs at once, as SMPP's window allows.
 */
export async function smppDoor(server: Running, credentials: { systemId: string; password: string }, sessions: number): Promise<Door> {
  if (server.smppPort === undefined) throw new Error('the server was started without SMPP_PORT');
  const bound: Session[] = [];
  const close = async () => {
    await Promise.all(
      bound.map(async (session) => {
        const closed = once(session, 'close');
        session.unbind(undefined, () => session.close());
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
        session.destroy();
      }),
    );
  };
  try {
    for (let i = 0; i < sessions; i++) {
      const session = smpp.connect({ host: '127.0.0.1', port: server.smppPort });
      session.on('error', () => undefined); // a refused PDU or a cut connection fails its send, below
      await once(session, 'connect');
      bound.push(session);
      const resp = await new Promise<PDU>((resolve) => session.bind_transceiver({ system_id: credentials.systemId, password: credentials.password }, resolve));
      if (resp.command_status !== smpp.ESME_ROK) throw new Error(`smpp bind refused: status ${resp.command_status}`);
    }
  } catch (error) {
    await close();
    throw error;
  }
  let turn = 0;
  return {
    name: 'SMPP deliver_sm',
    async send(order) {
      const session = bound[turn++ % bound.length]!;
      const fields = { source_addr: SENDER, destination_addr: order.number, data_coding: 0, short_message: Buffer.from(textFor(order.number)) };
      const resp = await new Promise<PDU>((resolve) => session.deliver_sm(fields, resolve));
      if (resp.command_status !== smpp.ESME_ROK) throw new Error(`deliver_sm: status ${resp.command_status}`);
    },
    close,
  };
}

/** SMS that reached an order, by source: what each door delivered, read from the database. */
export async function deliveredBySource(url: string): Promise<Map<string, number>> {
  const store = await Store.open(url, { existing: true });
  try {
    const rows = await store.kysely
      .selectFrom('inbound_sms')
      .select((eb) => ['source', eb.fn.countAll<number>().as('delivered')])
      .where('order_id', 'is not', null)
      .groupBy('source')
      .execute();
    return new Map(rows.map((r) => [r.source, Number(r.delivered)]));
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------- long-poll waiters

/** A held getCode: its reply, or what went wrong (a released waiter's connection is cut on purpose). */
export interface Waiter {
  order: LiveOrder;
  reply: Promise<Reply | Error>;
}

/** Connections opening at once: more overflow the server's listen backlog, and each dropped SYN waits a second. */
const CONNECTING = 200;

const toError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));
const waitUrl = (server: Running, order: LiveOrder) => `${server.url}/pvapublic/sms/getCode?orderId=${order.orderId}&apikey=${order.apiKey}&wait=60`;

/**
 * One FASTPVA getCode with wait=60 per order, each on its own connection of `agent` (which must allow
 * that many sockets), at most 200 connecting at once; resolves once `server` holds every one of them.
 */
export async function holdWaiters(server: Running, agent: http.Agent, orders: readonly LiveOrder[]): Promise<Waiter[]> {
  const before = await heldWaits(server);
  const waiters: Waiter[] = [];
  let holding = true;
  // No SMS comes while they are being held: a reply now means the server did not hold that request.
  let early: Reply | Error | undefined;
  let connecting = 0;
  let slot: (() => void) | undefined;
  for (const order of orders) {
    while (connecting >= CONNECTING) await new Promise<void>((resolve) => (slot = resolve));
    connecting++;
    let done = false;
    const connected = () => {
      if (done) return;
      done = true;
      connecting--;
      slot?.();
      slot = undefined;
    };
    const reply = request(agent, waitUrl(server, order), { connected })
      .catch(toError)
      .then((r) => {
        if (holding) early ??= r;
        return r;
      });
    waiters.push({ order, reply });
  }
  // A scrape of /metrics lists the process's open files: with thousands of sockets, not one to make every few ms.
  const deadline = performance.now() + 30_000;
  let held: number;
  while ((held = (await heldWaits(server)) - before) < waiters.length) {
    if (early) throw new Error(`a waiter was answered at once: ${early instanceof Error ? early.message : `HTTP ${early.status} ${early.body.slice(0, 200)}`}`);
    if (performance.now() > deadline) throw new Error(`${server.url} holds ${held} of ${waiters.length} waiters after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  holding = false;
  return waiters;
}

/**
 * Waiters that ask again each time their wait runs out, as a client's polling loop does, so that they
 * stay held however long the run; the returned function stops them asking (destroy `agent` to end them).
 */
export async function keepWaiting(server: Running, agent: http.Agent, orders: readonly LiveOrder[]): Promise<() => void> {
  let released = false;
  const renew = (waiter: Waiter): void =>
    void waiter.reply.then((reply) => {
      // Only a wait that ran out is asked again: anything else would repeat at once.
      if (!released && !(reply instanceof Error) && reply.status === 200) renew({ order: waiter.order, reply: request(agent, waitUrl(server, waiter.order)).catch(toError) });
    });
  (await holdWaiters(server, agent, orders)).forEach(renew);
  return () => {
    released = true;
  };
}

export interface Wakeups {
  /** From sending the SMS to the waiter's reply with its code, ms. */
  seen: number[];
  /** From sending the SMS to the door's acknowledgement, ms. */
  acked: number[];
}

/** Waiters held at once while being timed: each is timed well within its 60 s wait, however slow the machine. */
const ROUND = 50;

/**
 * For each order in turn: one SMS through `door`, timed until the getCode held on `server` for that
 * order answers with its code. Waiters are held 50 at a time, just before their SMS.
 */
export async function timeWakeups(server: Running, orders: readonly LiveOrder[], door: Door, run: string): Promise<Wakeups> {
  const seen: number[] = [];
  const acked: number[] = [];
  const agent = agentFor(ROUND);
  try {
    for (let start = 0; start < orders.length; start += ROUND) {
      const waiters = await holdWaiters(server, agent, orders.slice(start, start + ROUND));
      for (const [i, waiter] of waiters.entries()) {
        const sent = performance.now();
        await door.send(waiter.order, `${run}-${start + i}`);
        acked.push(performance.now() - sent);
        const reply = await waiter.reply;
        if (reply instanceof Error) throw new Error(`a waiter failed: ${reply.message}`);
        const parsed = JSON.parse(reply.body) as { code?: number; data?: { code?: string } };
        if (parsed.code !== 1 || parsed.data?.code !== codeFor(waiter.order.number)) throw new Error(`a waiter answered ${reply.body.slice(0, 200)}`);
        seen.push(reply.at - sent);
      }
    }
  } finally {
    agent.destroy();
  }
  return { seen, acked };
}
