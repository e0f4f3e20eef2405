// `fastpva admin supplier ...`: who brings the numbers, on which channels, for what share.
import type { SupplierSummary } from '../../domain/suppliers.js';
import { basisPoints, channel, option, repeated, required, text, UsageError } from '../args.js';
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

const create = adminCommand({
  name: 'admin supplier create',
  summary: 'add a supplier and print its key for the push API (shown once)',
  flags: {
    name: required('N', 'a name, 1 to 100 characters', text),
    share: option('BASIS_POINTS', 'its share of each charge, 0 to 10000 (default 7000: 70%)', basisPoints),
    channel: repeated('C', 'a channel it serves; repeat for more (default 6)', channel),
  },
  async run(p, o) {
    const supplier = await p.suppliers.create({ name: o.name, shareBp: o.share, channels: o.channel.length ? o.channel : undefined });
    return {
      json: { id: supplier.publicId, key: supplier.key, channels: supplier.channels },
      text: `Created supplier ${supplier.name} (${supplier.publicId}) on channels ${supplier.channels.join(', ')}\nSupplier key (shown once): ${supplier.key}`,
    };
  },
});

const rotateKey = adminCommand({
  name: 'admin supplier rotate-key',
  summary: 'give the supplier a new key (shown once); the old one stops working at once',
  flags: { supplier: SUPPLIER },
  async run(p, o) {
    const key = await p.suppliers.rotateKey(o.supplier);
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
    async run(p, o) {
      const supplier = await p.suppliers.setEnabled(o.supplier, verb === 'enable');
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
  async run(p, o) {
    const supplier = await p.suppliers.changeChannels(o.supplier, { add: o.add, remove: o.remove });
    return { json: supplier, text: `${supplier.name} serves channels ${supplier.channels.join(', ') || 'none'}` };
  },
});

const share = adminCommand({
  name: 'admin supplier share',
  summary: "set the supplier's share of charges made from now on",
  flags: { supplier: SUPPLIER, share: required('BASIS_POINTS', '0 to 10000; 7000 is 70%', basisPoints) },
  async run(p, o) {
    const supplier = await p.suppliers.setShare(o.supplier, o.share);
    return { json: supplier, text: `${supplier.name} now gets ${percent(supplier.shareBp)} of each charge` };
  },
});

export const SUPPLIER_COMMANDS = [list, show, create, rotateKey, setEnabled('disable'), setEnabled('enable'), channels, share];
