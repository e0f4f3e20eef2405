// The SMPP server (SMPP 3.4, as the SMSC side): gateways and SMSCs bind with a supplier's credentials
// (`fastpva admin supplier smpp`) and send the SMS their SIMs receive as deliver_sm or submit_sm (vendors
// differ). A message is answered only once it is stored; when storing fails the answer is a temporary
// error, so that the sender retries.
import type { FastifyBaseLogger } from 'fastify';
import smpp, { type PDU, type Session } from 'smpp';
import { isDomainError } from '../../domain/errors.js';
import type { Platform } from '../../domain/platform.js';
import type { SmppBinding } from '../../domain/smpp.js';
import { digest, isReceipt, messageKey, readMessage, Refusal } from './pdu.js';
import { decodeText } from './text.js';
import { Throttle } from './throttle.js';

export interface SmppOptions {
  port: number;
  host: string;
  /** Message PDUs per second per supplier, for suppliers without a rate of their own. */
  maxPerSecond: number;
  /** A connection that sends nothing for this long is closed. */
  idleMs: number;
}

export interface SmppServer {
  /** The port as bound (the real one when 0 was asked for). */
  port: number;
  close(): Promise<void>;
}

// Every bind type is accepted, and messages on any of them: gateways label their binds loosely.
const BINDS = new Set(['bind_transceiver', 'bind_receiver', 'bind_transmitter']);
/** Our system_id in bind responses. */
const SYSTEM_ID = 'fastpva';
/** A resp's message_id: 64 bits of the message's digest, so a retransmitted PDU gets the same id. */
const idOf = (fingerprint: string): string => fingerprint.slice(0, 16);

/** A refusal answers its own status; a number that is not the supplier's is refused for good. */
function failureStatus(error: unknown, command: string): number {
  if (error instanceof Refusal) return error.status;
  if (isDomainError(error, 'UNKNOWN_NUMBER') || isDomainError(error, 'INVALID_INPUT')) return smpp.ESME_RINVDSTADR;
  // Anything else (the database) may pass. SMPP 3.4 names no temporary errors; senders such as Kannel
  // retry these two.
  return command === 'deliver_sm' ? smpp.ESME_RX_T_APPN : smpp.ESME_RSYSERR;
}

export async function startSmppServer(platform: Platform, options: SmppOptions, log: FastifyBaseLogger): Promise<SmppServer> {
  const throttle = new Throttle();
  const inFlight = new Set<Promise<void>>();
  let closing = false;

  const server = smpp.createServer({}, (session: Session) => {
    const peer = `${session.socket.remoteAddress}:${session.socket.remotePort}`;
    let binding: SmppBinding | undefined;
    const refuse = (pdu: PDU, status: number) => session.send(pdu.response({ command_status: status }));

    session.socket.setTimeout(options.idleMs);
    session.socket.on('timeout', () => {
      log.info({ peer, supplier: binding?.supplier }, 'smpp: connection silent too long, closed');
      session.destroy();
    });
    // The package reports broken connections and unreadable PDUs here; without a listener the process dies.
    session.on('error', (error: Error) => {
      log.warn({ peer, supplier: binding?.supplier, err: error }, 'smpp: connection failed');
      session.destroy();
    });
    session.on('pdu', (pdu: PDU) => {
      const handling = handle(pdu)
        .catch((error: unknown) => {
          log.error({ peer, supplier: binding?.supplier, err: error }, `smpp: ${pdu.command} failed; connection closed`);
          session.destroy();
        })
        .finally(() => inFlight.delete(handling));
      inFlight.add(handling);
    });

    async function handle(pdu: PDU): Promise<void> {
      // Responses are to our unbind: nothing waits for them.
      if (pdu.isResponse()) return;
      if (BINDS.has(pdu.command)) return bind(pdu);
      const bound = binding;
      if (!bound) {
        refuse(pdu, smpp.ESME_RINVBNDSTS);
        session.close();
        return;
      }
      switch (pdu.command) {
        case 'enquire_link':
          if (await stillBound(pdu, bound)) session.send(pdu.response());
          return;
        case 'unbind':
          log.info({ peer, supplier: bound.supplier }, 'smpp: unbound');
          session.send(pdu.response());
          session.close();
          return;
        case 'deliver_sm':
        case 'submit_sm':
          return message(pdu, bound);
        default:
          refuse(pdu, smpp.ESME_RINVCMDID);
      }
    }

    async function bind(pdu: PDU): Promise<void> {
      if (binding) return void refuse(pdu, smpp.ESME_RALYBND);
      // PDUs behind the bind wait until it is decided.
      session.pause();
      const found = await platform.smpp.authenticate(pdu.system_id ?? '', pdu.password ?? '');
      if (!found) {
        log.warn({ peer, systemId: pdu.system_id }, 'smpp: bind refused (unknown system_id, wrong password or disabled supplier)');
        refuse(pdu, smpp.ESME_RBINDFAIL);
        session.close();
        return;
      }
      binding = found;
      log.info({ peer, supplier: found.supplier, bind: pdu.command }, 'smpp: bound');
      session.send(pdu.response({ system_id: SYSTEM_ID }));
      if (!closing) session.resume();
    }

    /** Whether the bind still holds (SmppService.recheck), taking the supplier's current settings; ends the session when not. */
    async function stillBound(pdu: PDU, bound: SmppBinding): Promise<boolean> {
      const settings = await platform.smpp.recheck(bound);
      if (settings) {
        bound.settings = settings;
        return true;
      }
      log.warn({ peer, supplier: bound.supplier }, 'smpp: password rotated or supplier disabled since the bind; session ended');
      binding = undefined;
      refuse(pdu, smpp.ESME_RINVBNDSTS);
      session.close();
      return false;
    }

    async function message(pdu: PDU, bound: SmppBinding): Promise<void> {
      if (isReceipt(pdu)) return void session.send(pdu.response());
      if (!throttle.take(bound.supplierId, bound.settings.maxPerSecond ?? options.maxPerSecond, platform.clock.now())) {
        return void refuse(pdu, smpp.ESME_RTHROTTLED);
      }
      try {
        if (!(await stillBound(pdu, bound))) return;
        const m = readMessage(pdu, bound.settings.gsm7);
        let units = m.units;
        let fingerprint = digest(m.sender, m.receiver, m.alphabet, units.toString('hex'));
        let completes: string | undefined;
        if (m.concatenation) {
          const key = messageKey(m, m.concatenation);
          const whole = await platform.smpp.addPart({ supplierId: bound.supplierId, messageKey: key, total: m.concatenation.total, seq: m.concatenation.seq, units });
          if (!whole) return void session.send(pdu.response({ message_id: idOf(digest(key, m.concatenation.seq, units.toString('hex'))) }));
          units = whole;
          fingerprint = digest(key, whole.toString('hex'));
          completes = key;
        }
        const text = decodeText(units, m.alphabet);
        const received = await platform.smpp.deliver({ supplierId: bound.supplierId, sender: m.sender, receiver: m.receiver, text, fingerprint }, completes);
        log.debug({ peer, supplier: bound.supplier, receiver: m.receiver, ...received }, 'smpp: SMS stored');
        session.send(pdu.response({ message_id: idOf(fingerprint) }));
      } catch (error) {
        const status = failureStatus(error, pdu.command);
        const expected = error instanceof Refusal || isDomainError(error);
        log[expected ? 'warn' : 'error']({ peer, supplier: bound.supplier, status, err: error }, `smpp: ${pdu.command} refused`);
        refuse(pdu, status);
      }
    }
  });
  server.on('error', (error: Error) => log.error({ err: error }, 'smpp: server error'));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    async close() {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Messages being stored get their answer; then every session is unbound.
      for (const session of server.sessions) session.pause();
      await Promise.allSettled([...inFlight]);
      for (const session of [...server.sessions]) {
        session.unbind();
        session.close();
      }
      // A peer that does not close its end is cut off.
      const cutOff = setTimeout(() => [...server.sessions].forEach((session) => session.destroy()), 1000);
      await stopped;
      clearTimeout(cutOff);
    },
  };
}
