// The GoIP "SMS server" surface: UDP packets in clear text (GoIP SMS Interface). A keepalive
//   req:<count>;id:<line>;pass:<password>;num:<number>;signal:..;gsm_status:LOGIN|LOGOUT;...
// is answered `reg:<count>;status:200;`; an SMS
//   RECEIVE:<recvid>;id:<line>;password:<password>;srcnum:<sender>;msg:<text>
// is answered `RECEIVE <recvid> OK\n` once delivered (the GoIP sends it again until then). Other
// packets of a line (DELIVER, STATE, RECORD, REMAIN...) are acknowledged the same way. A wrong
// password gets no keepalive ack, an ERROR for anything else, and a log line.
import dgram from 'node:dgram';
import type { FastifyBaseLogger } from 'fastify';
import { asDomainError, isDomainError } from '../../domain/errors.js';
import type { GoipService } from '../../domain/goip.js';

export interface GoipListener {
  /** The UDP port bound (the real one when 0 was asked for). */
  port: number;
  close(): Promise<void>;
}

interface Packet {
  /** `req`, `RECEIVE`, `DELIVER`...: the word before the first colon. */
  command: string;
  /** The packet's sequence: the keepalive count or the recvid. */
  sequence: string;
  fields: Map<string, string>;
}

/** "RECEIVE:17;id:l1;password:pw;srcnum:+44..;msg:a;b" -> command, sequence and fields; `msg` takes the rest, `;` and all. */
export function parsePacket(text: string): Packet | undefined {
  const head = /^([A-Za-z_]+):([^;]*);?/.exec(text);
  if (!head) return undefined;
  const fields = new Map<string, string>();
  let rest = text.slice(head[0].length);
  while (rest !== '') {
    const colon = rest.indexOf(':');
    if (colon < 0) break;
    const key = rest.slice(0, colon);
    if (key === 'msg') {
      fields.set(key, rest.slice(colon + 1));
      break;
    }
    const end = rest.indexOf(';', colon);
    fields.set(key, rest.slice(colon + 1, end < 0 ? undefined : end));
    rest = end < 0 ? '' : rest.slice(end + 1);
  }
  return { command: head[1]!, sequence: head[2]!, fields };
}

/** The answer to a packet, or undefined when it gets none. */
async function answer(goip: GoipService, packet: Packet, from: string, log: FastifyBaseLogger): Promise<string | undefined> {
  const { command, sequence, fields } = packet;
  const line = fields.get('id') ?? '';
  // Keepalives carry `pass`, the other packets `password`.
  const password = fields.get('pass') ?? fields.get('password') ?? '';
  try {
    if (command === 'req') {
      const outcome = await goip.keepalive({ line, password, number: fields.get('num') ?? '', loggedIn: fields.get('gsm_status') !== 'LOGOUT' });
      if (outcome.problem) log.warn({ line, from, problem: outcome.problem }, 'GoIP line number not online');
      return `reg:${sequence};status:200;`;
    }
    if (command === 'RECEIVE') await goip.receive({ line, password, recvid: sequence, sender: fields.get('srcnum') ?? '', text: fields.get('msg') ?? '' });
    else await goip.check(line, password);
    return `${command} ${sequence} OK\n`;
  } catch (error) {
    const refused = isDomainError(error, 'UNAUTHORIZED');
    if (refused) log.warn({ line, from, command }, 'GoIP packet refused: wrong line id or password');
    else if (asDomainError(error)) log.warn({ line, from, command, problem: (error as Error).message }, 'GoIP packet not taken');
    else log.error({ err: error, line, from, command }, 'GoIP packet failed');
    // The GoIP SMS Interface acknowledges a keepalive only for a known line and password.
    if (command === 'req') return undefined;
    const reason = refused ? 'wrong id or password' : asDomainError(error)?.message ?? 'try again later';
    return `${command} ${sequence} ERROR ${reason}\n`;
  }
}

export async function startGoipListener(goip: GoipService, options: { port: number; host: string }, log: FastifyBaseLogger): Promise<GoipListener> {
  const socket = dgram.createSocket(options.host.includes(':') ? 'udp6' : 'udp4');
  const pending = new Set<Promise<void>>();
  let closed = false;
  socket.on('message', (message, remote) => {
    const from = `${remote.address}:${remote.port}`;
    const packet = parsePacket(message.toString('utf8'));
    if (!packet) {
      log.debug({ from }, 'GoIP: not a packet of the SMS server protocol');
      return;
    }
    const work = answer(goip, packet, from, log).then((reply) => {
      if (reply !== undefined && !closed) socket.send(reply, remote.port, remote.address);
    });
    pending.add(work);
    void work.finally(() => pending.delete(work));
  });
  socket.on('error', (error) => log.error({ err: error }, 'GoIP UDP socket error'));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port, options.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    port: socket.address().port,
    async close() {
      closed = true;
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      // Packets being handled finish (their replies are dropped): no write outlives the store.
      await Promise.all(pending);
    },
  };
}
