// `fastpva admin user ...`: customers and admins.
import { z } from 'zod';
import { wholeNumber } from '../../config.js';
import type { UserDetails, UserLimits, UserSummary } from '../../domain/users.js';
import { MAX_ACTIVE_ORDERS_LIMIT, MAX_RATE_LIMIT } from '../../domain/users.js';
import { cents, email, myPid, option, PAGING, required, signedCents, text, toggle, UsageError } from '../args.js';
import { adminCommand } from '../database.js';
import { fields, iso, paged, table } from '../output.js';

const USERNAME = required('U', 'the username', text);

/** What `limits` changes: a value sets, a --clear- flag clears (null), neither leaves alone. */
function limitChanges(o: {
  'max-active-orders': number | undefined;
  'clear-max-active-orders': boolean;
  'rate-limit': number | undefined;
  'clear-rate-limit': boolean;
}): Partial<UserLimits> {
  const pick = (name: 'max-active-orders' | 'rate-limit') => {
    const value = o[name];
    const clear = o[`clear-${name}`];
    if (value !== undefined && clear) throw new UsageError(`give --${name} or --clear-${name}, not both`);
    return clear ? null : value;
  };
  const changes = { maxActiveOrders: pick('max-active-orders'), rateLimit: pick('rate-limit') };
  if (changes.maxActiveOrders === undefined && changes.rateLimit === undefined) {
    throw new UsageError('nothing to change: give --max-active-orders, --rate-limit or a --clear- flag');
  }
  return changes;
}

const activeOrderCap = (cap: number) => (cap === 0 ? 'no cap' : String(cap));

function describe(u: UserDetails): string {
  const own = (value: number | null, shown: string) => (value === null ? `${shown} (operator default)` : shown);
  return fields([
    ['username', `${u.username} (${u.publicId})`],
    ['role', u.role],
    ['status', u.disabled ? 'DISABLED' : 'enabled'],
    ['email', u.email || '-'],
    ['balance', `${u.balance} cents available, ${u.held} held`],
    ['active orders', `${u.activeOrders} of ${activeOrderCap(u.activeOrderCap)}`],
    ['order cap', own(u.limits.maxActiveOrders, activeOrderCap(u.activeOrderCap))],
    ['rate limit', u.limits.rateLimit === null ? 'operator default' : `${u.limits.rateLimit} requests per minute`],
    ['own prices', u.prices.map((p) => `${p.enname} (${p.myPid}) ${p.price}`).join(', ') || '-'],
    ['API key', `${u.apiKeyPrefix}... (rotate-key for a new one)`],
    ['created', iso(u.createdAt)],
  ]);
}

const userRows = (users: UserSummary[]) =>
  table(
    ['USERNAME', 'EMAIL', 'ROLE', 'STATUS', 'BALANCE', 'HELD', 'ACTIVE'],
    users.map((u) => [u.username, u.email || '-', u.role, u.disabled ? 'disabled' : 'enabled', u.balance, u.held, u.activeOrders]),
  );

const list = adminCommand({
  name: 'admin user list',
  summary: 'find users by part of their username or email, with balances and live orders',
  details: 'BALANCE is what the user may spend (in cents); HELD is reserved by live orders; ACTIVE counts live orders.',
  flags: { search: option('TEXT', 'part of the username or email, any letter case', text), ...PAGING },
  async run(p, o) {
    const result = await p.users.list({ search: o.search, page: o.page, limit: o.limit });
    return { json: result, text: paged(userRows(result.users), result.count, o, 'users') };
  },
});

const show = adminCommand({
  name: 'admin user show',
  summary: "a user's balance, held money, live orders, limits and own prices",
  flags: { username: USERNAME },
  async run(p, o) {
    const user = await p.users.show(o.username);
    return { json: user, text: describe(user) };
  },
});

const create = adminCommand({
  name: 'admin user create',
  summary: 'create a user and print its API key (shown once)',
  flags: {
    username: required('U', '3 to 64 letters, digits or _ . @ -', text),
    password: option('P', 'for the web user center, at least 8 characters (without one the user has only the API key)', z.string()),
    balance: option('CENTS', 'opening balance in cents, booked as an adjustment', cents),
    role: option('ROLE', 'user or admin', z.enum(['user', 'admin'], { error: 'either user or admin' }), 'user' as const),
    email: option('E', 'email address', email),
  },
  async run(p, o, by) {
    const user = await p.users.create({ username: o.username, password: o.password, balance: o.balance, role: o.role, email: o.email }, by);
    return {
      json: { id: user.publicId, username: user.username, apikey: user.apiKey },
      text: `Created user ${user.username} (${user.publicId})\nAPI key (shown once): ${user.apiKey}`,
    };
  },
});

/** disable and enable: one switch, two commands. */
const setDisabled = (verb: 'disable' | 'enable') =>
  adminCommand({
    name: `admin user ${verb}`,
    summary:
      verb === 'disable'
        ? 'refuse the user\'s API key ("No user found.") and password; money and orders stay'
        : 'let a disabled user in again',
    details: 'Running servers notice within CACHE_TTL_MS (2 seconds by default).',
    flags: { username: USERNAME },
    async run(p, o, by) {
      const user = await p.users.setDisabled(o.username, verb === 'disable', by);
      return { json: user, text: `${user.username} is ${user.disabled ? 'disabled' : 'enabled'}` };
    },
  });

const limits = adminCommand({
  name: 'admin user limits',
  summary: "set or clear a user's own limits (the operator's defaults apply where none is set)",
  details: 'Give at least one flag. A flag left out leaves that limit as it is.',
  flags: {
    username: USERNAME,
    'max-active-orders': option('N', 'live orders at once (0: no cap)', wholeNumber(0, MAX_ACTIVE_ORDERS_LIMIT)),
    'clear-max-active-orders': toggle('back to the operator\'s MAX_ACTIVE_ORDERS'),
    'rate-limit': option('PER_MINUTE', 'API requests per minute', wholeNumber(1, MAX_RATE_LIMIT)),
    'clear-rate-limit': toggle("back to the operator's rate limit"),
  },
  check: limitChanges,
  async run(p, o, by) {
    const user = await p.users.setLimits(o.username, limitChanges(o), by);
    return { json: { username: user.username, limits: user.limits, activeOrderCap: user.activeOrderCap }, text: describe(user) };
  },
});

const rotateKey = adminCommand({
  name: 'admin user rotate-key',
  summary: 'give the user a new API key (shown once); the old one stops working',
  flags: { username: USERNAME },
  async run(p, o, by) {
    const apikey = await p.users.rotateApiKey(o.username, by);
    return { json: { username: o.username, apikey }, text: `New API key for ${o.username} (shown once; the old one no longer works): ${apikey}` };
  },
});

const adjust = adminCommand({
  name: 'admin user adjust',
  summary: "correct a user's balance by a signed amount, recorded in the ledger",
  flags: {
    username: USERNAME,
    amount: required('CENTS', 'cents to add; negative to take (e.g. --amount -50), at most what is available', signedCents),
    note: option('TEXT', 'why, kept with the transfer', text, 'admin adjustment'),
  },
  async run(p, o, by) {
    const balance = await p.users.adjustBalance(o.username, o.amount, o.note, by);
    return { json: { username: o.username, balance }, text: `${o.username} now has ${balance} cents available` };
  },
});

const price = adminCommand({
  name: 'admin user price',
  summary: "set or clear the user's own price for a project (myPrice)",
  flags: {
    username: USERNAME,
    project: required('MYPID', "the project's myPid", myPid),
    price: option('CENTS', 'what the user pays for this project, in every country', cents),
    clear: toggle("back to the project's prices"),
  },
  check(o) {
    if ((o.price === undefined) === !o.clear) throw new UsageError('give --price CENTS or --clear');
  },
  async run(p, o, by) {
    const value = o.price ?? null;
    await p.catalog.setUserPrice(o.username, o.project, value, by);
    return {
      json: { username: o.username, myPid: o.project, price: value },
      text: value === null ? `Cleared ${o.username}'s own price for ${o.project}` : `${o.username} pays ${value} cents for ${o.project}`,
    };
  },
});

const webhook = adminCommand({
  name: 'admin user webhook',
  summary: "point the user's webhook at a URL with a new signing secret (shown once), or clear it",
  details: [
    'Events (sms.received, order.ended) are POSTed signed with X-Fastpva-Signature (docs/api.md, "Webhooks").',
    'Setting a URL again gives a new secret; clearing cancels the events not yet delivered.',
    'URLs on private, loopback or link-local addresses are refused unless WEBHOOK_ALLOW_PRIVATE=true.',
  ].join('\n'),
  flags: {
    username: USERNAME,
    url: option('URL', 'http:// or https:// on a public address', text),
    clear: toggle('remove the webhook'),
  },
  check(o) {
    if ((o.url === undefined) === !o.clear) throw new UsageError('give --url URL or --clear');
  },
  async run(p, o, by) {
    const result = await p.webhooks.setFor(o.username, o.url ?? null, by);
    return {
      json: result,
      text: result.url === null ? `Cleared ${o.username}'s webhook` : `${o.username}'s webhook: ${result.url}\nSigning secret (shown once): ${result.secret}`,
    };
  },
});

export const USER_COMMANDS = [list, show, create, setDisabled('disable'), setDisabled('enable'), limits, rotateKey, adjust, price, webhook];
