// `fastpva supplier push-sms`: runs on the supplier's own machine, called by its modem software for
// each SMS received (smstools3's eventhandler, Gammu SMSD's RunOnReceive), and pushes the SMS to the
// supplier push API, retrying with backoff until it is taken. The message id is made from the message,
// so a repeated call (a retry, the modem software running it again) is processed once.
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { wholeNumber } from '../config.js';
import { fromLatin9, fromUtf16be, fromUtf8Or } from '../domain/charsets.js';
import { contentKey } from '../domain/ids.js';
import { normalizeNumber } from '../domain/suppliers.js';
import { option, required, text, UsageError } from './args.js';
import { command, Refused, type Io } from './command.js';

interface ModemSms {
  /** The number it arrived on, when the modem software names it (a modem named after its number). */
  modemNumber: string | undefined;
  from: string;
  text: string;
  /** ISO-8601; undefined: the server takes the arrival time. */
  receivedAt: string | undefined;
  /** What makes this message this one, for its id. */
  identity: string;
}

/** smstools writes times as yy-mm-dd hh:mm:ss on the modem machine's clock. */
function smstoolsTime(value: string | undefined): string | undefined {
  const m = /^(\d\d)-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(value?.trim() ?? '');
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return new Date(2000 + year, month - 1, day, hour, minute, second).toISOString();
}

/** An smstools3 received-message file: `Name: value` header lines, a blank line, the text in the file's Alphabet. */
function smstoolsMessage(file: string): ModemSms {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new Refused(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  const split = lf >= 0 && (crlf < 0 || lf < crlf) ? { at: lf, gap: 2 } : crlf >= 0 ? { at: crlf, gap: 4 } : undefined;
  if (!split) throw new Refused(`${file} is not an smstools message file: no blank line after the headers`);
  const headers = new Map<string, string>();
  for (const line of bytes.subarray(0, split.at).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const from = headers.get('From');
  if (!from) throw new Refused(`${file} has no From: header: not a received message`);
  const body = bytes.subarray(split.at + split.gap);
  // smstools reads only the first three letters: UCS2, UCS-2, Unicode...
  const alphabet = (headers.get('Alphabet') ?? 'ISO').slice(0, 3).toUpperCase();
  if (alphabet === 'BIN') throw new Refused(`${file} holds a binary message, not text`);
  // ISO files are ISO-8859-15; with smsd's incoming_utf8 they hold UTF-8 instead, which decodes as such.
  const textOf = alphabet === 'UCS' || alphabet === 'CHI' || alphabet === 'UNI' ? fromUtf16be(body) : alphabet === 'UTF' ? body.toString('utf8') : fromUtf8Or(body, fromLatin9);
  return {
    modemNumber: normalizeNumber(headers.get('Modem') ?? headers.get('Subject') ?? ''),
    from,
    text: textOf,
    receivedAt: smstoolsTime(headers.get('Received') ?? headers.get('Sent')),
    identity: bytes.toString('base64'),
  };
}

/** Gammu SMSD's RunOnReceive environment: SMS_n_NUMBER/TEXT per physical part, DECODED_n_TEXT for a joined long message. */
function gammuMessage(env: NodeJS.ProcessEnv, messageIds: string[]): ModemSms {
  const parts = Number(env.SMS_MESSAGES);
  if (!Number.isInteger(parts) || parts < 1) throw new Refused('No SMS_MESSAGES in the environment: --format gammu runs as Gammu SMSD\'s RunOnReceive');
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const decoded = Number(env.DECODED_PARTS) || 0;
  const joined = decoded > 0 && env.DECODED_1_TEXT !== undefined;
  const text = (joined ? range(decoded).map((i) => env[`DECODED_${i}_TEXT`]) : range(parts).map((i) => env[`SMS_${i}_TEXT`])).join('');
  const from = env.SMS_1_NUMBER;
  if (!from) throw new Refused('No SMS_1_NUMBER in the environment: Gammu SMSD names the sender there');
  return {
    modemNumber: normalizeNumber(env.PHONE_ID ?? ''),
    from,
    text,
    receivedAt: undefined,
    // The ids SMSD appends (rows or file names) tell two equal texts apart.
    identity: [from, text, ...messageIds].join('\n'),
  };
}

interface PushAnswer {
  accepted: boolean;
  orderId: string | null;
  reason?: string;
  duplicate?: boolean;
}

/** Posts until the server takes it: network errors, 408, 429 (after Retry-After) and 5xx are retried with backoff; other refusals are final. */
async function push(baseUrl: string, key: string, sms: object, retryForMs: number, io: Io): Promise<PushAnswer> {
  const deadline = Date.now() + retryForMs;
  for (let attempt = 1, backoff = 1000; ; attempt++, backoff = Math.min(backoff * 2, 30_000)) {
    let problem: string;
    let wait = backoff;
    try {
      const response = await fetch(`${baseUrl}/supplier/v1/sms`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(sms),
        signal: AbortSignal.timeout(30_000),
      });
      const body = await response.text();
      if (response.ok) return JSON.parse(body) as PushAnswer;
      const message = (() => {
        try {
          return (JSON.parse(body) as { error: { message: string } }).error.message;
        } catch {
          return body.slice(0, 200);
        }
      })();
      problem = `HTTP ${response.status}: ${message}`;
      if (response.status < 500 && response.status !== 408 && response.status !== 429) throw new Refused(`The server refused the SMS (${problem})`);
      wait = Number(response.headers.get('retry-after')) * 1000 || backoff;
    } catch (error) {
      if (error instanceof Refused) throw error;
      problem = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
    }
    if (Date.now() + wait > deadline) throw new Refused(`Could not push the SMS after ${attempt} attempts: ${problem}`);
    io.stderr.write(`fastpva: ${problem}; retrying in ${wait / 1000} s\n`);
    await sleep(wait);
  }
}

const formats = z.enum(['smstools', 'gammu'], { error: 'smstools or gammu' });

export const pushSms = command({
  name: 'supplier push-sms',
  summary: "push an SMS the supplier's modem received, as smstools3's eventhandler or Gammu SMSD's RunOnReceive",
  details: [
    'smstools3 (smsd.conf): eventhandler = /usr/bin/fastpva supplier push-sms --url URL --key KEY --format smstools',
    '  smsd calls it with RECEIVED FILE (other events are ignored); a FILE alone works too.',
    'Gammu SMSD (gammu-smsdrc): RunOnReceive = /usr/bin/fastpva supplier push-sms --url URL --key KEY --format gammu',
    '  it reads SMS_MESSAGES, SMS_n_NUMBER, SMS_n_TEXT, DECODED_PARTS and DECODED_n_TEXT.',
    'The receiving number is --to, else the modem\'s name when it is a number (smstools Modem:, Gammu PhoneID).',
  ].join('\n'),
  operands: '[RECEIVED FILE | FILE | MESSAGE_ID ...]',
  flags: {
    url: required('URL', "the platform's address, e.g. https://sms.example.com", z.url({ protocol: /^https?$/, error: 'not an http:// or https:// URL' })),
    key: required('KEY', 'the supplier key', text),
    format: required('FORMAT', 'smstools or gammu: which software calls it', formats),
    to: option('NUMBER', 'the number the modem receives on (registered with PUT /supplier/v1/numbers)', text),
    'retry-for': option('SECONDS', 'keep retrying this long; under 120, as Gammu SMSD waits at most 2 minutes', wholeNumber(0, 86_400), 100),
  },
  async run(o, io) {
    let sms: ModemSms;
    if (o.format === 'gammu') {
      sms = gammuMessage(io.env, o.operands);
    } else {
      const [event, file, ...extra] = o.operands.length === 1 ? ['RECEIVED', ...o.operands] : o.operands;
      if (file === undefined || extra.length > 0) throw new UsageError('give the message file: RECEIVED FILE, as smsd calls the eventhandler, or FILE');
      // smsd also calls the eventhandler for SENT, FAILED, REPORT and CALL: nothing to push.
      if (event !== 'RECEIVED') return { json: { pushed: false, event }, text: `Nothing to push for a ${event} event` };
      sms = smstoolsMessage(file);
    }
    const to = o.to ?? sms.modemNumber;
    if (to === undefined) throw new Refused('Which number received it? Give --to NUMBER, or name the modem after its number (smstools [447700900123] section, Gammu PhoneID = 447700900123)');
    const id = `${o.format}-${contentKey(to, sms.identity)}`;
    const answer = await push(o.url.replace(/\/+$/, ''), o.key, { id, to, from: sms.from, text: sms.text, ...(sms.receivedAt ? { receivedAt: sms.receivedAt } : {}) }, o['retry-for'] * 1000, io);
    const outcome = answer.orderId ? `delivered to order ${answer.orderId}` : `kept, no order took it (${answer.reason})`;
    return { json: { id, to, from: sms.from, ...answer }, text: `SMS ${id} from ${sms.from} to ${to}: ${answer.duplicate ? 'pushed before, ' : ''}${outcome}` };
  },
});
