// Order history as it grows: one customer with 10k, 100k and 1M past orders, and how long its read
// paths take through the real HTTP server: FASTPVA /sms/orders (the first page, the last page by
// page=, filtered pages, the last page by the `after=` cursor), and the admin panel's order list.
// Flat means the same latency at every size.
// Knobs: BENCH_HISTORY_SIZES (orders per run, default 10000,100000; 1000000 takes minutes to seed),
// BENCH_HISTORY_CALLS (calls per measurement, default 40; p50 and p99 of them).
import http from 'node:http';
import { sql } from 'kysely';
import { newObjectId } from '../packages/server/src/domain/ids.js';
import { createDatabase, request, startFastpva, type Dialect } from './infra.js';
import { fmtMs, percentile, table, type PartContext, type Section } from './report.js';
import { withPlatform } from './seed.js';

const SIZES = (process.env.BENCH_HISTORY_SIZES ?? '10000,100000').split(',').map((s) => Number(s.trim()));
const CALLS = Number(process.env.BENCH_HISTORY_CALLS ?? 40);
for (const size of SIZES) if (!(Number.isInteger(size) && size >= 1000)) throw new Error('BENCH_HISTORY_SIZES: whole numbers of at least 1000');
if (!(Number.isInteger(CALLS) && CALLS >= 1)) throw new Error('BENCH_HISTORY_CALLS must be a whole number of at least 1');

const LIMIT = 20;
/** The customer's orders cycle over these numbers, so one number has size / NUMBERS orders. */
const NUMBERS = 1000;
/** One order in RECEIVED_EVERY got its SMS; the rest failed. */
const RECEIVED_EVERY = 10;
const PASSWORD = 'bench-password-1';

interface HistorySeed {
  apiKey: string;
  /** A number of the customer's, for the filtered page. */
  number: string;
  /** A day in the middle of the history, for the time-range page (epoch ms). */
  from: number;
  to: number;
  /** The order just before the last page (newest first), for the cursor. */
  beforeLast: string;
}

/** `size` ended orders of one customer, a minute apart, inserted in bulk (the domain takes one at a time). */
function seedHistory(url: string, size: number, log: (line: string) => void): Promise<HistorySeed> {
  return withPlatform(url, async (p, store) => {
    const user = await p.users.create({ username: 'bench', balance: 0 });
    await p.users.create({ username: 'benchadmin', password: PASSWORD, role: 'admin' });
    const project = await p.catalog.createProject({ enname: 'Telegram', price: 1 });
    const supplier = await p.suppliers.create({ name: 'bench sims' });
    const numbers = Array.from({ length: NUMBERS }, (_, i) => `44772${String(i).padStart(7, '0')}`);
    await p.suppliers.registerNumbers(supplier.id, numbers.map((number) => ({ number, country: 'GB' })));
    const numberIds = await store.kysely.selectFrom('numbers').select(['id', 'number']).orderBy('id').execute();
    const MINUTE = 60_000;
    const start = Date.now() - size * MINUTE;
    const publicIds: string[] = [];
    // 18 values a row: under SQLite's 32,766 bound parameters and Postgres's 65,535.
    const BATCH = store.dialect.name === 'sqlite' ? 1000 : 3000;
    const PER_TRANSACTION = 50_000;
    for (let first = 0; first < size; first += PER_TRANSACTION) {
      const end = Math.min(first + PER_TRANSACTION, size);
      await store.kysely.transaction().execute(async (trx) => {
        for (let b = first; b < end; b += BATCH) {
          const rows = [];
          for (let i = b; i < Math.min(b + BATCH, end); i++) {
            const at = start + i * MINUTE;
            const n = numberIds[i % NUMBERS]!;
            const received = i % RECEIVED_EVERY === 0;
            const publicId = newObjectId(at);
            publicIds.push(publicId);
            rows.push({
              public_id: publicId,
              user_id: user.id,
              project_id: project.myPid,
              number_id: n.id,
              supplier_id: supplier.id,
              number: n.number,
              country: 'GB',
              price: 1,
              number_status: 'released' as const,
              sms_status: received ? ('received' as const) : ('failed' as const),
              code: received ? '56032' : null,
              content: received ? 'Telegram code 56032' : null,
              sms_count: received ? 1 : 0,
              balance_after: 0,
              expires_at: at + 15 * MINUTE,
              ended_at: at + 15 * MINUTE,
              created_at: at,
              updated_at: at + 15 * MINUTE,
            });
          }
          await trx.insertInto('orders').values(rows).execute();
        }
      });
    }
    // What autovacuum does after a bulk insert: the visibility map lets index-only scans (a filter's
    // count) skip the table, as they do on a database that grew over months.
    if (store.dialect.name === 'postgres') await sql`vacuum orders`.execute(store.kysely);
    log(`${size} orders of one customer`);
    const middle = start + Math.floor(size / 2) * MINUTE;
    return { apiKey: user.apiKey, number: numbers[7]!, from: middle, to: middle + 24 * 60 * MINUTE, beforeLast: publicIds[LIMIT]! };
  });
}

interface Row {
  dialect: Dialect;
  size: number;
  read: string;
  p50: number;
  p99: number;
}

async function timed(agent: http.Agent, url: string, headers: http.OutgoingHttpHeaders = {}): Promise<{ p50: number; p99: number; body: string }> {
  const times: number[] = [];
  let body = '';
  for (let i = 0; i < CALLS; i++) {
    const began = performance.now();
    const reply = await request(agent, url, { headers });
    times.push(reply.at - began);
    if (reply.status !== 200) throw new Error(`${url}: HTTP ${reply.status} ${reply.body.slice(0, 200)}`);
    body = reply.body;
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), body };
}

async function historyOn(dialect: Dialect, size: number, ctx: PartContext): Promise<Row[]> {
  const log = (line: string) => ctx.log(`${dialect}: history ${size}: ${line}`);
  const url = await createDatabase(dialect, `history${size}`);
  const seed = await seedHistory(url, size, log);
  const server = await startFastpva(`fastpva ${dialect} history`, url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    // As the admin panel signs in: the page's CSRF token and cookie first, then the password.
    const page = await fetch(`${server.url}/api/web/session`);
    const { csrfToken } = (await page.json()) as { csrfToken: string };
    const cookies = (r: Response) => r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const signIn = await fetch(`${server.url}/api/web/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken, cookie: cookies(page) },
      body: JSON.stringify({ username: 'benchadmin', password: PASSWORD }),
    });
    if (signIn.status !== 200) throw new Error(`admin sign-in: HTTP ${signIn.status} ${await signIn.text()}`);
    const cookie = cookies(signIn);
    const orders = (query: string) => `${server.url}/pvapublic/sms/orders?apikey=${seed.apiKey}&limit=${LIMIT}&${query}`;
    const last = Math.ceil(size / LIMIT);
    const reads: Array<[string, string, http.OutgoingHttpHeaders?]> = [
      ['first page', orders('page=1')],
      ['last page (page=)', orders(`page=${last}`)],
      ['last page (after=)', orders(`page=1&after=${seed.beforeLast}`)],
      ['smsStatus=received', orders('page=1&smsStatus=received')],
      ['number=', orders(`page=1&number=${seed.number}`)],
      ['a day (startTime, endTime)', orders(`page=1&startTime=${new Date(seed.from).toISOString()}&endTime=${new Date(seed.to).toISOString()}`)],
      ['admin orders, first page', `${server.url}/api/web/admin/orders?page=1&limit=${LIMIT}`, { cookie }],
      ['admin orders, last page', `${server.url}/api/web/admin/orders?page=${last}&limit=${LIMIT}`, { cookie }],
    ];
    const rows: Row[] = [];
    let lastPage = '';
    for (const [read, target, headers] of reads) {
      const { p50, p99, body } = await timed(agent, target, headers);
      // The cursor's page must be the offset's last page, order for order.
      if (read === 'last page (page=)') lastPage = body;
      if (read === 'last page (after=)' && body !== lastPage) ctx.problems.push(`${dialect} ${size}: after= gave another last page than page=`);
      if (!target.includes('/admin/') && !body.startsWith('{"code":1,')) ctx.problems.push(`${dialect} ${size} ${read}: ${body.slice(0, 200)}`);
      if (read === 'first page' && !body.startsWith(`{"code":1,"data":{"count":${size},`)) ctx.problems.push(`${dialect} ${size}: count is not ${size}: ${body.slice(0, 60)}`);
      rows.push({ dialect, size, read, p50, p99 });
    }
    log('measured');
    return rows;
  } finally {
    agent.destroy();
    await server.stop();
  }
}

export async function benchHistory(ctx: PartContext): Promise<Section> {
  const rows: Row[] = [];
  for (const dialect of ctx.dialects) {
    for (const size of SIZES) {
      try {
        rows.push(...(await historyOn(dialect, size, ctx)));
      } catch (error) {
        ctx.problems.push(`${dialect} history ${size}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
  }
  // One line per read, one column pair per size, so the curve reads across.
  const header = ['db', 'read', ...SIZES.flatMap((s) => [`${s.toLocaleString('en-US')} p50`, 'p99'])];
  const body: string[][] = [];
  for (const dialect of ctx.dialects) {
    for (const read of [...new Set(rows.filter((r) => r.dialect === dialect).map((r) => r.read))]) {
      body.push([
        dialect,
        read,
        ...SIZES.flatMap((size) => {
          const r = rows.find((x) => x.dialect === dialect && x.size === size && x.read === read);
          return r ? [fmtMs(r.p50), fmtMs(r.p99)] : ['-', '-'];
        }),
      ]);
    }
  }
  return {
    part: 'history',
    text: [
      `Order history (BENCH_HISTORY_SIZES=${SIZES.join(',')}): one customer's orders, ${CALLS} calls per read one after another, limit ${LIMIT} (the last page: page=size/${LIMIT}), ms`,
      table(header, body),
    ].join('\n'),
    json: { sizes: SIZES, calls: CALLS, limit: LIMIT, rows },
  };
}
