// Inbound SMS per second through the doors suppliers use (the supplier push API, an SMS Gateway for
// Android webhook, SMPP deliver_sm), each beside the bare receiveSms rate: the same domain call made
// in this process on the same database, in the same run. Then, per door, how long after an SMS is
// sent a long-poll getCode (wait=) answers with its code. Every SMS is a Telegram code for a live order
// of its own, so each is delivered and charged (the whole path), and the database is checked after.
// Knobs: BENCH_INGEST_SMS (SMS per door, default 500, after 200 of warm-up), BENCH_INGEST_LATENCY
// (SMS timed one at a time per door, each to an order with a waiter, default 50).
import { createDatabase, rssMiB, startFastpva, type Dialect } from './infra.js';
import { fmtMs, fmtRate, percentile, table, type PartContext, type Section } from './report.js';
import { seedIngest, withPlatform, type LiveOrder } from './seed.js';
import { androidDoor, bareDoor, deliveredBySource, pushDoor, smppDoor, timeWakeups, type Door } from './sms.js';

const SMS = Number(process.env.BENCH_INGEST_SMS ?? 500);
const LATENCY_SAMPLES = Number(process.env.BENCH_INGEST_LATENCY ?? 50);
const WARMUP = 200;
/** SMS in flight at once, as the rest of the bench loads the server with 64 connections. */
const CONCURRENCY = 64;
/** SMPP sessions the 64 in flight share: an SMSC binds a few and keeps a window of PDUs open on each. */
const SMPP_SESSIONS = 4;

if (!(Number.isInteger(SMS) && SMS > 0)) throw new Error('BENCH_INGEST_SMS must be a positive whole number');
if (!(Number.isInteger(LATENCY_SAMPLES) && LATENCY_SAMPLES > 0)) throw new Error('BENCH_INGEST_LATENCY must be a positive whole number');

/** Where each door's SMS land (`inbound_sms.source`), to check that every one reached its order. */
const SOURCES = { bare: 'bench', push: 'supplier-push', android: 'android-sms-gateway', smpp: 'smpp' } as const;
type DoorKind = keyof typeof SOURCES;

interface Rate {
  /** Acknowledged SMS per second. */
  rate: number;
  /** Each SMS from sent to acknowledged, ms. */
  p50: number;
  p99: number;
  seconds: number;
}

interface IngestRow {
  dialect: Dialect;
  door: string;
  result: Rate;
  /** result.rate / the bare receiveSms rate of the same run. */
  ratio: number;
  /** Sent to seen by a waiting getCode, ms (not for the in-process call: no server holds its waiter). */
  seenP50?: number;
  seenP99?: number;
  serverRssMiB?: number;
}

/** `orders.length` SMS through `door`, CONCURRENCY at a time; the first failure stops the run and is thrown. */
async function pour(door: Door, orders: readonly LiveOrder[], run: string): Promise<Rate> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < orders.length) {
        const i = next++;
        const sent = performance.now();
        await door.send(orders[i]!, `${run}-${i}`);
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { rate: orders.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), seconds };
}

/** Warm-up, then the measured SMS, each on orders of their own. */
async function measure(door: Door, orders: readonly LiveOrder[], log: (line: string) => void): Promise<Rate> {
  await pour(door, orders.slice(0, WARMUP), 'warm-up');
  const result = await pour(door, orders.slice(WARMUP, WARMUP + SMS), 'run');
  log(`${door.name}: ${fmtRate(result.rate)} SMS/s, p99 ${fmtMs(result.p99)} ms`);
  return result;
}

async function ingestOn(dialect: Dialect, ctx: PartContext): Promise<IngestRow[]> {
  const log = (line: string) => ctx.log(`${dialect}: ingest: ${line}`);
  const perDoor = WARMUP + SMS + LATENCY_SAMPLES;
  const kinds = Object.keys(SOURCES) as DoorKind[];
  const url = await createDatabase(dialect, 'ingest');
  const seed = await seedIngest(url, kinds.length * perDoor, log);
  const ordersOf = (kind: DoorKind) => seed.orders.slice(kinds.indexOf(kind) * perDoor, (kinds.indexOf(kind) + 1) * perDoor);

  // The floor first, while no server runs: the domain call that every door ends in.
  const bare = await withPlatform(url, (platform) => measure(bareDoor(platform, seed.supplierId), ordersOf('bare'), log));
  const rows: IngestRow[] = [{ dialect, door: 'receiveSms, in-process', result: bare, ratio: 1 }];

  const server = await startFastpva(`fastpva ${dialect}`, url, { env: { SMPP_PORT: '0' } });
  try {
    const doors: Array<[DoorKind, () => Promise<Door>]> = [
      ['push', async () => pushDoor(server, seed.supplierKey, CONCURRENCY)],
      ['android', async () => androidDoor(server, seed.androidPath, seed.androidSigningKey, CONCURRENCY)],
      ['smpp', () => smppDoor(server, seed.smpp, SMPP_SESSIONS)],
    ];
    for (const [kind, open] of doors) {
      const door = await open();
      try {
        const orders = ordersOf(kind);
        const result = await measure(door, orders, log);
        const { seen } = await timeWakeups(server, orders.slice(WARMUP + SMS), door, 'latency');
        const row = { dialect, door: door.name, result, ratio: result.rate / bare.rate, seenP50: percentile(seen, 50), seenP99: percentile(seen, 99), serverRssMiB: rssMiB(server.pid) };
        log(`${door.name}: code seen by getCode wait= p50 ${fmtMs(row.seenP50)} ms, p99 ${fmtMs(row.seenP99)} ms`);
        rows.push(row);
      } finally {
        await door.close();
      }
    }
  } finally {
    await server.stop();
  }

  const delivered = await deliveredBySource(url);
  for (const kind of kinds) {
    const expected = kind === 'bare' ? WARMUP + SMS : perDoor;
    const got = delivered.get(SOURCES[kind]) ?? 0;
    if (got !== expected) ctx.problems.push(`${dialect} ingest: ${got} of ${expected} SMS through ${SOURCES[kind]} reached their order`);
  }
  return rows;
}

export async function benchIngest(ctx: PartContext): Promise<Section> {
  const rows: IngestRow[] = [];
  for (const dialect of ctx.dialects) {
    try {
      rows.push(...(await ingestOn(dialect, ctx)));
    } catch (error) {
      ctx.problems.push(`${dialect} ingest: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      ctx.log(`${dialect}: ingest FAILED, see the report`);
    }
  }
  const opt = (n: number | undefined) => (n === undefined ? '-' : fmtMs(n));
  const text = [
    `Inbound SMS (${SMS} per door after ${WARMUP} warm-up, ${CONCURRENCY} in flight; SMPP on ${SMPP_SESSIONS} sessions), each delivered and charged to its own order:`,
    '',
    table(
      ['db', 'door', 'SMS/s', 'p50 ms', 'p99 ms', 'vs receiveSms', `code seen p50 ms`, 'p99 ms', 'RSS MiB'],
      rows.map((r) => [
        r.dialect,
        r.door,
        fmtRate(r.result.rate),
        fmtMs(r.result.p50),
        fmtMs(r.result.p99),
        `${r.ratio.toFixed(2)}x`,
        opt(r.seenP50),
        opt(r.seenP99),
        r.serverRssMiB === undefined ? '-' : r.serverRssMiB.toFixed(0),
      ]),
    ),
    '',
    `p50/p99: sent to acknowledged. Code seen: ${LATENCY_SAMPLES} SMS one at a time, from sending it to the reply of the getCode (wait=60) held for its order.`,
  ].join('\n');
  return { part: 'ingest', text, json: { sms: SMS, warmup: WARMUP, concurrency: CONCURRENCY, smppSessions: SMPP_SESSIONS, latencySamples: LATENCY_SAMPLES, rows } };
}
