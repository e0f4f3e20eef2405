// `fastpva admin ...`: the operator's commands, each one domain call on the chosen database.
import { z } from 'zod';
import { createPlatform, type Platform } from '../domain/platform.js';
import { DEFAULT_DATABASE_URL } from '../store/dialect.js';
import { Store } from '../store/store.js';
import { cents, common, databaseUrl, integer, parse, signedCents, UsageError } from './args.js';
import { report } from './output.js';

const iso = (ms: number) => new Date(ms).toISOString();

async function withPlatform<T>(db: string | undefined, work: (platform: Platform) => Promise<T>): Promise<T> {
  const store = await Store.open(databaseUrl(db, DEFAULT_DATABASE_URL));
  try {
    return await work(await createPlatform(store));
  } finally {
    await store.close();
  }
}

type Command = (argv: string[]) => Promise<void>;

const userCreate: Command = async (argv) => {
  const o = parse(
    argv,
    {
      username: { type: 'string' },
      password: { type: 'string' },
      balance: { type: 'string' },
      role: { type: 'string' },
      email: { type: 'string' },
    },
    z.object({
      ...common,
      username: z.string(),
      password: z.string().optional(),
      balance: cents.optional(),
      role: z.enum(['user', 'admin']).optional(),
      email: z.string().optional(),
    }),
  );
  const user = await withPlatform(o.db, (p) =>
    p.users.create({ username: o.username, password: o.password, balance: o.balance, role: o.role, email: o.email }),
  );
  report(o.json, { id: user.publicId, username: user.username, apikey: user.apiKey }, `Created user ${user.username} (${user.publicId})\nAPI key (shown once): ${user.apiKey}`);
};

const userRotateKey: Command = async (argv) => {
  const o = parse(argv, { username: { type: 'string' } }, z.object({ ...common, username: z.string() }));
  const apikey = await withPlatform(o.db, (p) => p.users.rotateApiKey(o.username));
  report(o.json, { username: o.username, apikey }, `New API key for ${o.username} (shown once; the old one no longer works): ${apikey}`);
};

const userAdjust: Command = async (argv) => {
  const o = parse(
    argv,
    { username: { type: 'string' }, amount: { type: 'string' }, note: { type: 'string' } },
    z.object({ ...common, username: z.string(), amount: signedCents, note: z.string().default('admin adjustment') }),
  );
  const balance = await withPlatform(o.db, (p) => p.users.adjustBalance(o.username, o.amount, o.note));
  report(o.json, { username: o.username, balance }, `${o.username} now has ${balance} cents available`);
};

const userPrice: Command = async (argv) => {
  const o = parse(
    argv,
    { username: { type: 'string' }, project: { type: 'string' }, price: { type: 'string' }, clear: { type: 'boolean', default: false } },
    z.object({ ...common, username: z.string(), project: integer, price: cents.optional(), clear: z.boolean() }),
  );
  if ((o.price === undefined) === !o.clear) throw new UsageError('give either --price CENTS or --clear');
  const price = o.price ?? null;
  await withPlatform(o.db, (p) => p.catalog.setUserPrice(o.username, o.project, price));
  report(o.json, { username: o.username, myPid: o.project, price }, price === null ? `Cleared ${o.username}'s own price for ${o.project}` : `${o.username} pays ${price} cents for ${o.project}`);
};

const projectCreate: Command = async (argv) => {
  const o = parse(
    argv,
    {
      name: { type: 'string' },
      price: { type: 'string' },
      channel: { type: 'string' },
      country: { type: 'string', multiple: true },
      'my-pid': { type: 'string' },
      service: { type: 'string' },
    },
    z.object({
      ...common,
      name: z.string(),
      price: cents.optional(),
      channel: integer.optional(),
      country: z
        .array(z.string().regex(/^[A-Za-z]{2}=\d+$/, 'COUNTRY=CENTS, e.g. GB=30'))
        .optional()
        .transform((list) => list && Object.fromEntries(list.map((e) => [e.slice(0, 2).toUpperCase(), Number(e.slice(3))]))),
      'my-pid': integer.optional(),
      service: z.string().optional(),
    }),
  );
  if (o.price === undefined && !o.country) throw new UsageError('give --price CENTS, or --country CC=CENTS for a project priced per country');
  const project = await withPlatform(o.db, (p) =>
    p.catalog.createProject({ enname: o.name, price: o.price, channel: o.channel, countryPrices: o.country, myPid: o['my-pid'], service: o.service }),
  );
  report(
    o.json,
    {
      myPid: project.myPid,
      _id: project.publicId,
      enname: project.enname,
      channel: project.channel,
      supportCountry: project.supportCountry,
      sellingPrice: project.sellingPrice,
      ...(project.countryPrices ? { countryPrices: project.countryPrices } : {}),
    },
    `Created project ${project.enname}: myPid ${project.myPid}, channel ${project.channel}`,
  );
};

const supplierCreate: Command = async (argv) => {
  const o = parse(
    argv,
    { name: { type: 'string' }, share: { type: 'string' }, channel: { type: 'string', multiple: true } },
    z.object({ ...common, name: z.string(), share: integer.optional(), channel: z.array(integer).optional() }),
  );
  const supplier = await withPlatform(o.db, (p) => p.suppliers.create({ name: o.name, shareBp: o.share, channels: o.channel }));
  report(
    o.json,
    { id: supplier.publicId, key: supplier.key, channels: supplier.channels },
    `Created supplier ${supplier.name} (${supplier.publicId}) on channels ${supplier.channels.join(', ')}\nSupplier key (shown once): ${supplier.key}`,
  );
};

const rechargePay: Command = async (argv) => {
  const o = parse(argv, { id: { type: 'string' }, paid: { type: 'string' } }, z.object({ ...common, id: z.string(), paid: cents.optional() }));
  const recharge = await withPlatform(o.db, (p) => p.recharges.markPaid(o.id, o.paid));
  report(o.json, { ...recharge, createdAt: iso(recharge.createdAt), updatedAt: iso(recharge.updatedAt) }, `Recharge ${recharge.rechargeId} paid: ${recharge.amount} cents credited`);
};

const rechargeList: Command = async (argv) => {
  const o = parse(
    argv,
    { status: { type: 'string' }, limit: { type: 'string' } },
    z.object({ ...common, status: z.enum(['paid', 'unpaid', 'expired', 'all']).default('unpaid'), limit: integer.default(50) }),
  );
  const rows = await withPlatform(o.db, (p) =>
    p.recharges.list(undefined, { page: 1, limit: o.limit, status: o.status === 'all' ? undefined : o.status }),
  );
  const json = rows.map((r) => ({ ...r, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) }));
  report(o.json, json, rows.map((r) => `${r.rechargeId}  ${r.status.padEnd(6)}  ${String(r.amount).padStart(8)}  ${r.payment}  ${iso(r.createdAt)}`).join('\n') || 'No recharge orders');
};

const smsUnmatched: Command = async (argv) => {
  const o = parse(argv, { limit: { type: 'string' } }, z.object({ ...common, limit: integer.default(50) }));
  const rows = await withPlatform(o.db, (p) => p.inboundSms.unmatched(o.limit));
  report(
    o.json,
    rows.map((r) => ({ ...r, receivedAt: iso(r.receivedAt) })),
    rows.map((r) => `${iso(r.receivedAt)}  ${r.receiver}  from ${r.sender || '?'}  ${JSON.stringify(r.text)}`).join('\n') || 'No unmatched SMS',
  );
};

const ledgerAudit: Command = async (argv) => {
  const o = parse(argv, {}, z.object(common));
  const audit = await withPlatform(o.db, (p) => p.ledger.audit(p.store));
  report(
    o.json,
    { ok: audit.ok, total: audit.total, accounts: audit.accounts.length, mismatched: audit.mismatched, holdsResolvedTwice: audit.holdsResolvedTwice },
    audit.ok
      ? `Ledger consistent: ${audit.accounts.length} accounts, every balance matches its transfers, money sums to zero`
      : `LEDGER INCONSISTENT: ${JSON.stringify(audit.mismatched)} total=${audit.total}`,
  );
  if (!audit.ok) process.exitCode = 1;
};

export const ADMIN_COMMANDS: Record<string, Command> = {
  'user create': userCreate,
  'user rotate-key': userRotateKey,
  'user adjust': userAdjust,
  'user price': userPrice,
  'project create': projectCreate,
  'supplier create': supplierCreate,
  'recharge pay': rechargePay,
  'recharge list': rechargeList,
  'sms unmatched': smsUnmatched,
  'ledger audit': ledgerAudit,
};
