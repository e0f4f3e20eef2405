// `fastpva admin supplier ...`: who brings the numbers, on which channels, for what share.
import { z } from 'zod';
import { wholeNumber } from '../../config.js';
import { checkRemote, type NewRemote } from '../../domain/remote-supply.js';
import { MAX_PER_SECOND_LIMIT, type SmppAccount } from '../../domain/smpp.js';
import type { SupplierSummary } from '../../domain/suppliers.js';
import { MAX_NOTE_LENGTH } from '../../domain/suppliers.js';
import { basisPoints, cents, channel, option, repeated, required, text, toggle, UsageError } from '../args.js';
import { adminCommand } from '../database.js';
import { fields, iso, table } from '../output.js';

const SUPPLIER = required('NAME', "the supplier's name", text);

const percent = (bp: number) => `${bp / 100}%`;

function describe(s: SupplierSummary): string {
  return fields([
    ['supplier', `${s.name} (${s.publicId})`],
    ['status', s.enabled ? 'enabled' : 'DISABLED (key refused, numbers not handed out)'],
    ['channels', s.channels.join(', ') || 'none'],
    ['share', `${percent(s.shareBp)} of each charge (${s.shareBp} basis points)`],
    ['numbers', `${s.numbers} in the pool, ${s.online} online`],
    ['owed', `${s.balance} cents`],
    ['key', `${s.keyPrefix}... (rotate-key for a new one)`],
    ...(s.remote ? [['remote', `${s.remote.protocol} at ${s.remote.url}${s.remote.protocol === 'sms-activate' ? `, markup ${s.remote.markupPercent}%` : ''}`] as [string, string]] : []),
    ['created', iso(s.createdAt)],
  ]);
}

const list = adminCommand({
  name: 'admin supplier list',
  summary: 'every supplier with its channels, share, numbers and what it is owed',
  flags: {},
  async run(p) {
    const suppliers = await p.suppliers.list();
    const rows = table(
      ['NAME', 'STATUS', 'CHANNELS', 'SHARE', 'NUMBERS', 'ONLINE', 'OWED'],
      suppliers.map((s) => [s.name, s.enabled ? 'enabled' : 'disabled', s.channels.join(',') || '-', percent(s.shareBp), s.numbers, s.online, s.balance]),
    );
    return { json: suppliers, text: suppliers.length ? rows : 'No suppliers' };
  },
});

const show = adminCommand({
  name: 'admin supplier show',
  summary: "a supplier's numbers (in the pool, online), channels, share and the balance owed to it",
  flags: { supplier: SUPPLIER },
  async run(p, o) {
    const supplier = await p.suppliers.show(o.supplier);
    return { json: supplier, text: describe(supplier) };
  },
});

const httpUrl = z.url({ protocol: /^https?$/, error: 'not an http or https URL' });

const create = adminCommand({
  name: 'admin supplier create',
  summary: 'add a supplier and print its key for the push API (shown once); or a remote one: an upstream provider or an SMSHub agent',
  details: [
    'A remote supplier is asked for a number when no local number serves an order (README "Remote supply"):',
    '  --upstream sms-activate --upstream-url URL --upstream-key KEY [--markup PERCENT]   resell another provider',
    '  --smshub-url URL --smshub-key KEY                                                  an SIM bank running an SMSHub agent',
    'The remote key is stored as given (it is sent with every call) and never shown again.',
  ].join('\n'),
  flags: {
    name: required('N', 'a name, 1 to 100 characters', text),
    share: option('BASIS_POINTS', 'its share of each charge, 0 to 10000 (default 7000: 70%)', basisPoints),
    channel: repeated('C', 'a channel it serves; repeat for more (default 6)', channel),
    upstream: option('PROTOCOL', 'resell an upstream provider speaking this protocol: sms-activate', z.enum(['sms-activate'], { error: 'only sms-activate' })),
    'upstream-url': option('URL', "the upstream's handler URL, e.g. https://api.example.com/stubs/handler_api.php", httpUrl),
    'upstream-key': option('KEY', 'our API key at the upstream', text),
    markup: option('PERCENT', 'the least we keep over the upstream price, 0 to 1000 (default 0)', wholeNumber(0, 1000, 'percent')),
    'smshub-url': option('URL', "the SMSHub agent's URL, which we call with GET_SERVICES, GET_NUMBER and FINISH_ACTIVATION", httpUrl),
    'smshub-key': option('KEY', 'the key the agent expects from us and sends with PUSH_SMS', text),
  },
  check(o) {
    const upstream = o.upstream !== undefined || o['upstream-url'] !== undefined || o['upstream-key'] !== undefined || o.markup !== undefined;
    const smshub = o['smshub-url'] !== undefined || o['smshub-key'] !== undefined;
    if (upstream && smshub) throw new UsageError('a supplier is an upstream or an SMSHub agent, not both');
    if (upstream && (o.upstream === undefined || o['upstream-url'] === undefined || o['upstream-key'] === undefined)) {
      throw new UsageError('an upstream needs --upstream, --upstream-url and --upstream-key');
    }
    if (smshub && (o['smshub-url'] === undefined || o['smshub-key'] === undefined)) throw new UsageError('an SMSHub agent needs --smshub-url and --smshub-key');
  },
  async run(p, o, by) {
    const remote: NewRemote | undefined =
      o.upstream !== undefined
        ? { protocol: o.upstream, url: o['upstream-url']!, key: o['upstream-key']!, markupPercent: o.markup }
        : o['smshub-url'] !== undefined
          ? { protocol: 'smshub', url: o['smshub-url'], key: o['smshub-key']! }
          : undefined;
    // Checked before the supplier is created, so that a refused remote leaves no half-made supplier.
    if (remote) checkRemote(remote);
    const supplier = await p.suppliers.create({ name: o.name, shareBp: o.share, channels: o.channel.length ? o.channel : undefined }, by);
    if (remote) await p.remoteSupply.attach(supplier.name, remote, by);
    const where = !remote ? '' : remote.protocol === 'smshub' ? `, SMSHub agent at ${remote.url}` : `, reselling ${remote.url}`;
    return {
      json: { id: supplier.publicId, key: supplier.key, channels: supplier.channels },
      text: `Created supplier ${supplier.name} (${supplier.publicId}) on channels ${supplier.channels.join(', ')}${where}\nSupplier key (shown once): ${supplier.key}`,
    };
  },
});

const rotateKey = adminCommand({
  name: 'admin supplier rotate-key',
  summary: 'give the supplier a new key (shown once); the old one stops working at once',
  flags: { supplier: SUPPLIER },
  async run(p, o, by) {
    const key = await p.suppliers.rotateKey(o.supplier, by);
    return { json: { supplier: o.supplier, key }, text: `New key for ${o.supplier} (shown once; the old one no longer works): ${key}` };
  },
});

/** disable and enable: one switch, two commands. */
const setEnabled = (verb: 'disable' | 'enable') =>
  adminCommand({
    name: `admin supplier ${verb}`,
    summary:
      verb === 'disable'
        ? 'refuse the supplier\'s key and stop handing out its numbers; live orders run on'
        : 'accept a disabled supplier\'s key and numbers again',
    flags: { supplier: SUPPLIER },
    async run(p, o, by) {
      const supplier = await p.suppliers.setEnabled(o.supplier, verb === 'enable', by);
      return { json: supplier, text: `${supplier.name} is ${supplier.enabled ? 'enabled' : 'disabled'}` };
    },
  });

const channels = adminCommand({
  name: 'admin supplier channels',
  summary: 'start or stop serving channels: its numbers serve (or leave) those channels\' projects',
  details: 'Example: fastpva admin supplier channels --supplier "GoIP rack" --add 4 --remove 6',
  flags: {
    supplier: SUPPLIER,
    add: repeated('C', 'a channel to serve; repeat for more', channel),
    remove: repeated('C', 'a channel to stop serving; repeat for more', channel),
  },
  check(o) {
    if (o.add.length === 0 && o.remove.length === 0) throw new UsageError('give --add C or --remove C');
  },
  async run(p, o, by) {
    const supplier = await p.suppliers.changeChannels(o.supplier, { add: o.add, remove: o.remove }, by);
    return { json: supplier, text: `${supplier.name} serves channels ${supplier.channels.join(', ') || 'none'}` };
  },
});

const share = adminCommand({
  name: 'admin supplier share',
  summary: "set the supplier's share of charges made from now on",
  flags: { supplier: SUPPLIER, share: required('BASIS_POINTS', '0 to 10000; 7000 is 70%', basisPoints) },
  async run(p, o, by) {
    const supplier = await p.suppliers.setShare(o.supplier, o.share, by);
    return { json: supplier, text: `${supplier.name} now gets ${percent(supplier.shareBp)} of each charge` };
  },
});

const payout = adminCommand({
  name: 'admin supplier payout',
  summary: 'book money paid to the supplier: a payout transfer from its balance (at most the balance), audited',
  details: 'Example: fastpva admin supplier payout --supplier "GoIP rack" --amount 12500 --note "bank transfer 2026-03-01" --json',
  flags: {
    supplier: SUPPLIER,
    amount: required('CENTS', 'how much was paid, in cents', cents),
    note: option('TEXT', `what it was (a transfer reference), at most ${MAX_NOTE_LENGTH} characters`, text),
  },
  async run(p, o, by) {
    const result = await p.suppliers.payout(by, { supplier: o.supplier, amount: o.amount, note: o.note });
    return { json: result, text: `Paid out ${result.amount} cents to ${result.supplier}; ${result.balance} cents still owed` };
  },
});

function describeSmpp(a: SmppAccount): string {
  return fields([
    ['system_id', a.systemId],
    ['password', a.password === undefined ? 'not shown (--rotate for a new one)' : `${a.password} (shown once)`],
    ['rate', a.maxPerSecond === null ? "the server's SMPP_MAX_PER_SECOND" : `${a.maxPerSecond} messages per second`],
    ['data_coding 0', `GSM 03.38, ${a.gsm7}`],
  ]);
}

const smpp = adminCommand({
  name: 'admin supplier smpp',
  summary: "issue the supplier's SMPP credentials (password shown once), rotate the password, or change its SMPP settings",
  details: [
    'The first run issues a system_id and an 8-character password; later runs show the system_id and change',
    'what is given. The gateway binds to the server on SMPP_PORT (any bind type) with them.',
    'Example: fastpva admin supplier smpp --supplier "GoIP rack" --max-per-second 20 --json',
  ].join('\n'),
  flags: {
    supplier: SUPPLIER,
    rotate: toggle('a new password (shown once): the old one stops working, and sessions bound with it end'),
    'max-per-second': option('N', `message PDUs per second before ESME_RTHROTTLED, 1 to ${MAX_PER_SECOND_LIMIT}`, wholeNumber(1, MAX_PER_SECOND_LIMIT)),
    'clear-max-per-second': toggle("back to the server's SMPP_MAX_PER_SECOND"),
    gsm7: option(
      'unpacked|packed',
      'how the gateway sends data_coding 0: one GSM character per octet, as SMPP says (the default), or packed 7-bit',
      z.enum(['unpacked', 'packed'], { error: 'either unpacked or packed' }),
    ),
  },
  check(o) {
    if (o['max-per-second'] !== undefined && o['clear-max-per-second']) throw new UsageError('give --max-per-second or --clear-max-per-second, not both');
  },
  async run(p, o, by) {
    const account = await p.smpp.configure(o.supplier, {
      rotate: o.rotate,
      maxPerSecond: o['clear-max-per-second'] ? null : o['max-per-second'],
      gsm7: o.gsm7,
    }, by);
    const { supplier, ...json } = account;
    return { json, text: `SMPP for ${supplier}:\n${describeSmpp(account)}` };
  },
});

export const SUPPLIER_COMMANDS = [list, show, create, rotateKey, setEnabled('disable'), setEnabled('enable'), channels, share, payout, smpp];
