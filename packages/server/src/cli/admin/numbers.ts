// `fastpva admin number ...` and `fastpva admin blacklist ...`: the number pool.
import { country, myPid, option, PAGING, repeated, required, text, toggle, UsageError } from '../args.js';
import { adminCommand } from '../database.js';
import type { PoolNumber } from '../../domain/numbers.js';
import { fields, iso, paged, table } from '../output.js';

const NUMBER = required('N', 'the phone number in international form, e.g. 447700900123', text);
const PROJECT = required('MYPID', "the project's myPid", myPid);

/** removed, resting (and why), online or offline. */
const stateOf = (n: PoolNumber): string =>
  n.removedAt ? `removed ${iso(n.removedAt)}` : n.health.rest ? n.health.rest.reason : n.online ? 'online' : 'offline';

const list = adminCommand({
  name: 'admin number list',
  summary: 'numbers in the pool: supplier, country, online or resting, health, the live order using each',
  flags: {
    supplier: option('NAME', "only this supplier's numbers", text),
    country: option('CC', 'only numbers from this country (ISO 3166 code, e.g. GB)', country),
    online: toggle('only numbers online now'),
    offline: toggle('only numbers offline now'),
    removed: toggle('removed numbers instead of the pool'),
    ...PAGING,
  },
  check(o) {
    if (o.online && o.offline) throw new UsageError('give --online or --offline, not both');
  },
  async run(p, o) {
    const result = await p.numbers.list({
      supplier: o.supplier,
      country: o.country,
      online: o.online ? true : o.offline ? false : undefined,
      removed: o.removed,
      page: o.page,
      limit: o.limit,
    });
    const rows = table(
      ['NUMBER', 'COUNTRY', 'OPERATOR', 'SUPPLIER', 'STATE', 'ORDERS', 'SMS', 'LIVE ORDER'],
      result.numbers.map((n) => [n.number, n.country, n.operator, n.supplier, stateOf(n), n.health.orders, n.health.delivered, n.orderId ?? '-']),
    );
    return { json: result, text: paged(rows, result.count, o, 'numbers') };
  },
});

const show = adminCommand({
  name: 'admin number show',
  summary: 'one number: its state (and why it rests), and per project the orders it took, the SMS delivered, the last SMS',
  flags: { number: NUMBER },
  async run(p, o) {
    const n = await p.numbers.show(o.number);
    const h = n.health;
    const head = fields([
      ['number', n.number],
      ['supplier', n.supplier],
      ['country', `${n.country}, operator ${n.operator}`],
      ['state', stateOf(n)],
      ['live order', n.orderId ?? '-'],
      ['last seen', n.lastSeenAt === null ? 'never' : iso(n.lastSeenAt)],
      ['health', `${h.orders} orders, ${h.delivered} with SMS, last SMS ${h.lastSmsAt === null ? 'never' : iso(h.lastSmsAt)}, ${h.failuresInRow} in a row without SMS`],
    ]);
    const projects = table(
      ['PROJECT', 'ORDERS', 'SMS', 'LAST SMS'],
      h.projects.map((pr) => [`${pr.enname} (${pr.myPid})`, pr.orders, pr.delivered, pr.lastSmsAt === null ? '-' : iso(pr.lastSmsAt)]),
    );
    return { json: n, text: h.projects.length ? `${head}\n\n${projects}` : head };
  },
});

const transfer = adminCommand({
  name: 'admin number transfer',
  summary: "move numbers to another supplier (a replaced key, a SIM bank that changed hands)",
  details:
    'The numbers keep their online state. Live orders keep the supplier they were made with, which is paid\nits share of their charges; SMS for the moved numbers are accepted from the new supplier.',
  flags: {
    from: required('NAME', 'the supplier that has the numbers now', text),
    to: required('NAME', 'the supplier to give them to', text),
    number: repeated('N', 'a number to move; repeat for more', text),
    all: toggle('move every number in the pool of --from'),
  },
  check(o) {
    if ((o.number.length > 0) === o.all) throw new UsageError('give --number N (repeatable) or --all');
  },
  async run(p, o, by) {
    const result = await p.numbers.transfer({ from: o.from, to: o.to, numbers: o.all ? undefined : o.number }, by);
    return { json: result, text: `Moved ${result.transferred} numbers from ${o.from} to ${o.to}` };
  },
});

const remove = adminCommand({
  name: 'admin number remove',
  summary: 'take numbers out of the pool for good (history kept); refused while a live order uses one',
  details: 'The push API then treats a removed number as never registered: a supplier that registers it again gets it back.',
  flags: { number: repeated('N', 'a number to remove; repeat for more', text) },
  check(o) {
    if (o.number.length === 0) throw new UsageError('--number N is missing');
  },
  async run(p, o, by) {
    const result = await p.numbers.remove(o.number, by);
    return { json: result, text: `Removed ${result.removed} numbers` };
  },
});

const blacklistList = adminCommand({
  name: 'admin blacklist list',
  summary: 'numbers out of a project for everyone, why, and how many users shielded each',
  flags: { project: option('MYPID', 'only this project', myPid), number: option('N', 'only this number', text), ...PAGING },
  async run(p, o) {
    const result = await p.blacklist.list({ myPid: o.project, number: o.number, page: o.page, limit: o.limit });
    const rows = table(
      ['NUMBER', 'PROJECT', 'REASON', 'SHIELDS', 'SINCE', 'NOTE'],
      result.entries.map((e) => [e.number, `${e.enname} (${e.myPid})`, e.reason, e.shields, iso(e.createdAt), e.note || '-']),
    );
    return { json: result, text: paged(rows, result.count, o, 'blacklisted numbers') };
  },
});

const blacklistAdd = adminCommand({
  name: 'admin blacklist add',
  summary: 'take a number out of a project for everyone',
  flags: { number: NUMBER, project: PROJECT, note: option('TEXT', 'why, for the other admins', text) },
  async run(p, o, by) {
    const added = await p.blacklist.add({ number: o.number, myPid: o.project, note: o.note }, by);
    return { json: { added }, text: added ? `${o.number} is blacklisted for ${o.project}` : `${o.number} already was blacklisted for ${o.project}` };
  },
});

const blacklistRemove = adminCommand({
  name: 'admin blacklist remove',
  summary: "give a number back to a project (users who shielded it still never get it)",
  flags: { number: NUMBER, project: PROJECT },
  async run(p, o, by) {
    await p.blacklist.remove({ number: o.number, myPid: o.project }, by);
    return { json: { removed: true }, text: `${o.number} is back in ${o.project}` };
  },
});

export const NUMBER_COMMANDS = [list, show, transfer, remove];
export const BLACKLIST_COMMANDS = [blacklistList, blacklistAdd, blacklistRemove];
