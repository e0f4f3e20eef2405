// `npm run bench`: fastpva's two hot paths under load, each figure beside a baseline measured in
// the same run. The machines are shared and noisy, so ratios are what to compare, never raw times.
// Knobs: BENCH_SECONDS (per getCode run, default 10), BENCH_DIALECTS (default sqlite,postgres),
// BENCH_PARTS (default hotpaths,ingest,waiters,history: hotpaths is getCode and getNumber, below; ingest,
// waiters and history are bench/ingest.ts, bench/waiters.ts and bench/history.ts, with their own knobs at their top), BENCH_CPU_PROF
// (a directory: each fastpva server started writes a V8 CPU profile there when it stops).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { cleanup, createDatabase, ROOT, rssMiB, startBaseline, startFastpva, type Dialect, type Running } from './infra.js';
import { benchHistory } from './history.js';
import { benchIngest } from './ingest.js';
import { fmtMs, fmtRate, table, type Section } from './report.js';
import { POOL_SIZE, seedCodes, seedPool, type PoolSeed } from './seed.js';
import { benchWaiters } from './waiters.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const DIALECTS = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',').map((d) => d.trim()).filter(Boolean) as Dialect[];
const CONNECTIONS = 64;
/** getNumber calls per run: a fixed count, about half of the ~10,000 numbers still free for the project. */
const ORDERS = 5000;
/** Warm-up before each measurement, so JIT, statement caches and pools are in their steady state. */
const WARMUP_SECONDS = 2;
const WARMUP_ORDERS = 5 * CONNECTIONS;
/** Customers in the many-customer getNumber run; the others put every order on one account. */
const CUSTOMERS = 64;

if (!(SECONDS > 0)) throw new Error('BENCH_SECONDS must be a positive number');
for (const d of DIALECTS) if (d !== 'sqlite' && d !== 'postgres') throw new Error(`BENCH_DIALECTS: unknown dialect ${d}`);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'hotpaths,ingest,waiters,history').split(',').map((p) => p.trim()).filter(Boolean));
for (const p of PARTS) if (!['hotpaths', 'ingest', 'waiters', 'history'].includes(p)) throw new Error(`BENCH_PARTS: unknown part ${p} (hotpaths, ingest, waiters, history)`);

const began = performance.now();
const elapsed = () => `${((performance.now() - began) / 1000).toFixed(0).padStart(4)}s`;
// Progress goes to stderr, so stdout carries only the report.
const log = (line: string) => console.error(`${elapsed()}  ${line}`);

interface Load {
  /** Replies that passed the check (the expected body, or a fresh number), per second. */
  rate: number;
  p50: number;
  p99: number;
  requests: number;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  /** Replies that failed the body check. */
  bad: number;
  seconds: number;
  /** What the errors were (message -> count). */
  errorKinds: Record<string, number>;
}

/** `paths`: send these in turn instead of the URL's path (one customer after another). */
async function load(
  url: string,
  how: { seconds: number } | { amount: number },
  check: { expectBody: string } | { verifyBody: (body: string) => boolean },
  paths?: string[],
): Promise<Load> {
  const started = performance.now();
  let sent = 0;
  const instance = autocannon({
    url,
    connections: CONNECTIONS,
    // Generous, so a slow reply is measured as latency rather than dropped as an error.
    timeout: 60,
    ...('amount' in how ? { amount: how.amount } : { duration: how.seconds }),
    ...check,
    ...(paths ? { requests: [{ setupRequest: (request: { path: string }) => ((request.path = paths[sent++ % paths.length]!), request) }] } : {}),
  });
  // autocannon notices the end only at its next one-second sample, so its own duration is rounded
  // up to whole seconds: time to the last response instead.
  let last = started;
  instance.on('response', () => (last = performance.now()));
  const errorKinds: Record<string, number> = {};
  instance.on('reqError', (error) => {
    const kind = error instanceof Error ? error.message : String(error);
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  });
  const r = await instance;
  const seconds = Math.max(last - started, 1) / 1000; // never 0, even if nothing came back
  return {
    rate: (r.requests.total - r.mismatches) / seconds,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors,
    non2xx: r.non2xx,
    bad: r.mismatches,
    seconds,
    errorKinds,
  };
}

const failures = (l: Load) => l.errors + l.non2xx + l.bad;

interface Row {
  dialect: Dialect;
  scenario: string;
  unit: 'req/s' | 'orders/s';
  result: Load;
  serverRssMiB: number;
  baselineName: string;
  baseline: Load;
  baselineRssMiB: number;
  ratio: number;
  target?: { text: string; met: boolean };
}

const rows: Row[] = [];
const problems: string[] = [];
/** What bench/ingest.ts and bench/waiters.ts report. */
const sections: Section[] = [];

/** Runs `work` against a server and stops the server afterwards, whatever happens. */
async function withServer<T>(server: Promise<Running>, work: (s: Running) => Promise<T>): Promise<T> {
  const s = await server;
  try {
    return await work(s);
  } finally {
    await s.stop();
  }
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url);
  return response.text();
}

/** A reply the baseline can serve for getNumber: the same shape and size as a real one. */
const SAMPLE_NUMBER_BODY = JSON.stringify({ code: 1, data: { number: '447700000001', orderId: '6746a1b2c3d4e5f6a7b8c9d0' } });

/** getCode on both orders, beside the baseline serving the same bytes. Returns the baseline, kept for getNumber. */
async function benchGetCode(dialect: Dialect): Promise<Running> {
  const url = await createDatabase(dialect, 'codes');
  const seed = await seedCodes(url);
  log(`${dialect}: seeded two orders for getCode`);
  let baselineServer: Running | undefined;
  await withServer(startFastpva(`fastpva ${dialect}`, url), async (server) => {
    const getCode = (orderId: string) => `/pvapublic/sms/getCode?orderId=${orderId}&apikey=${seed.apiKey}`;
    const cases = [
      { scenario: 'getCode, waiting', path: getCode(seed.waitingOrderId), expect: (r: { code: number }) => r.code === -1 },
      { scenario: 'getCode, has code', path: getCode(seed.receivedOrderId), expect: (r: { code: number; data: { code?: string } }) => r.code === 1 && r.data.code === '56032' },
    ];
    // The server's own reply is the expected body for both sides of the comparison.
    const bodies: string[] = [];
    for (const c of cases) {
      const body = await fetchText(server.url + c.path);
      if (!c.expect(JSON.parse(body))) throw new Error(`${c.scenario}: unexpected reply ${body}`);
      bodies.push(body);
    }
    baselineServer = await startBaseline([...bodies, SAMPLE_NUMBER_BODY]);
    for (const [i, c] of cases.entries()) {
      const expectBody = bodies[i]!;
      const baseUrl = `${baselineServer.url}${c.path}&b=${i}`;
      await load(baseUrl, { seconds: WARMUP_SECONDS }, { expectBody });
      const base = await load(baseUrl, { seconds: SECONDS }, { expectBody });
      const baseRss = rssMiB(baselineServer.pid);
      await load(server.url + c.path, { seconds: WARMUP_SECONDS }, { expectBody });
      const result = await load(server.url + c.path, { seconds: SECONDS }, { expectBody });
      const ratio = result.rate / base.rate;
      rows.push({
        dialect,
        scenario: c.scenario,
        unit: 'req/s',
        result,
        serverRssMiB: rssMiB(server.pid),
        baselineName: 'node:http, same body',
        baseline: base,
        baselineRssMiB: baseRss,
        ratio,
        // The goals of issue 7: 0.6x the bare server on SQLite, 0.3x on Postgres (a round trip per poll).
        target: { text: `>= ${GETCODE_GOAL[dialect]}x baseline`, met: ratio >= GETCODE_GOAL[dialect] && failures(result) === 0 },
      });
      log(`${dialect}: ${c.scenario}: ${fmtRate(result.rate)} req/s vs baseline ${fmtRate(base.rate)} req/s`);
    }
  });
  if (dialect === 'postgres') await benchGetCodeWorkers(url, seed.apiKey, seed.waitingOrderId);
  return baselineServer!;
}

const GETCODE_GOAL: Record<Dialect, number> = { sqlite: 0.6, postgres: 0.3 };

/** Worker processes in the scaling run (`serve --workers`), beside one process on the same database. */
const WORKERS = 3;

/** getCode on `serve --workers 3` beside one process: the goal is 2x on a machine with the cores for it. */
async function benchGetCodeWorkers(url: string, apiKey: string, orderId: string): Promise<void> {
  const path = `/pvapublic/sms/getCode?orderId=${orderId}&apikey=${apiKey}`;
  const measure = (workers: number) =>
    withServer(startFastpva(`fastpva postgres x${workers}`, url, { workers }), async (server) => {
      const expectBody = await fetchText(server.url + path);
      await load(server.url + path, { seconds: WARMUP_SECONDS }, { expectBody });
      return { load: await load(server.url + path, { seconds: SECONDS }, { expectBody }), rssMiB: rssMiB(server.pid) };
    });
  const one = await measure(1);
  const many = await measure(WORKERS);
  const ratio = many.load.rate / one.load.rate;
  const cores = os.cpus().length;
  rows.push({
    dialect: 'postgres',
    scenario: `getCode, waiting, --workers ${WORKERS}`,
    unit: 'req/s',
    result: many.load,
    serverRssMiB: many.rssMiB,
    baselineName: 'one process',
    baseline: one.load,
    baselineRssMiB: one.rssMiB,
    ratio,
    // Three processes can only beat one when there are cores for them beside Postgres and the load generator.
    ...(cores >= 2 * WORKERS ? { target: { text: `>= 2x (${cores} cores)`, met: ratio >= 2 } } : { target: { text: `>= 2x needs ${2 * WORKERS} cores, ${cores} here`, met: false } }),
  });
  log(`postgres: getCode with ${WORKERS} workers: ${fmtRate(many.load.rate)} req/s vs one process ${fmtRate(one.load.rate)} req/s (${cores} cores)`);
}

interface OrdersRun {
  load: Load;
  rssMiB: number;
}

/** Warm-up, then ORDERS getNumber calls; every reply must be code 1 with a number never handed out before nor used for the project. */
async function takeOrders(server: Running, seed: PoolSeed, label: string): Promise<OrdersRun> {
  const handedOut = new Set<string>();
  const wrong = new Map<string, number>();
  const verifyBody = (body: string): boolean => {
    let why: string | undefined;
    try {
      const reply = JSON.parse(body) as { code: number; data: { number?: string } };
      const number = reply.data.number;
      if (reply.code !== 1 || typeof number !== 'string') why = body;
      else if (handedOut.has(number)) why = 'a number handed out twice';
      else if (seed.usedForProject.has(number)) why = 'a number that already served the project';
      else handedOut.add(number);
    } catch {
      why = body.slice(0, 200);
    }
    if (why !== undefined) wrong.set(why, (wrong.get(why) ?? 0) + 1);
    return why === undefined;
  };
  const paths = seed.apiKeys.map((key) => `/pvapublic/sms/getNumber?myPid=${seed.myPid}&apikey=${key}`);
  await load(server.url + paths[0], { amount: WARMUP_ORDERS }, { verifyBody }, paths);
  const result = await load(server.url + paths[0], { amount: ORDERS }, { verifyBody }, paths);
  for (const [why, count] of wrong) problems.push(`${label} (warm-up included): ${count} x ${why}`);
  return { load: result, rssMiB: rssMiB(server.pid) };
}

async function benchGetNumber(dialect: Dialect, baselineServer: Running): Promise<void> {
  const baseUrl = `${baselineServer.url}/pvapublic/sms/getNumber?myPid=1000&apikey=x&b=2`;
  const expectBody = SAMPLE_NUMBER_BODY;
  await load(baseUrl, { amount: WARMUP_ORDERS }, { expectBody });
  const base = await load(baseUrl, { amount: ORDERS }, { expectBody });
  const baseRss = rssMiB(baselineServer.pid);

  // Each pool gets its own database and server, so the second run inherits nothing from the first.
  const runPool = async (kind: 'fresh' | 'history', customers: number): Promise<OrdersRun> => {
    const name = `${kind}${customers}`;
    const url = await createDatabase(dialect, name);
    const seed = await seedPool(url, kind === 'history', customers, (line) => log(`${dialect}: ${name} pool: ${line}`));
    const run = await withServer(startFastpva(`fastpva ${dialect}`, url), (server) => takeOrders(server, seed, `${dialect} getNumber ${name}`));
    log(`${dialect}: getNumber on the ${kind} pool, ${customers} customer(s): ${fmtRate(run.load.rate)} orders/s, p99 ${run.load.p99} ms`);
    return run;
  };
  const fresh = await runPool('fresh', 1);
  const history = await runPool('history', 1);
  const spread = await runPool('fresh', CUSTOMERS);
  const common = { dialect, unit: 'orders/s' as const };
  rows.push({
    ...common,
    scenario: `getNumber, fresh pool of ${POOL_SIZE / 1000}k`,
    result: fresh.load,
    serverRssMiB: fresh.rssMiB,
    baselineName: 'node:http, same count',
    baseline: base,
    baselineRssMiB: baseRss,
    ratio: fresh.load.rate / base.rate,
  });
  rows.push({
    ...common,
    scenario: `getNumber, fresh pool, ${CUSTOMERS} customers`,
    result: spread.load,
    serverRssMiB: spread.rssMiB,
    baselineName: 'node:http, same count',
    baseline: base,
    baselineRssMiB: baseRss,
    ratio: spread.load.rate / base.rate,
  });
  const target =
    dialect === 'sqlite'
      ? { text: '>= 2000/s, p99 < 50 ms', met: history.load.rate >= 2000 && history.load.p99 < 50 && failures(history.load) === 0 }
      : undefined;
  for (const [baselineName, baseline, baselineRssMiB] of [
    ['node:http, same count', base, baseRss],
    ['getNumber, fresh pool', fresh.load, fresh.rssMiB],
  ] as const) {
    rows.push({
      ...common,
      scenario: 'getNumber, 1M past usages',
      result: history.load,
      serverRssMiB: history.rssMiB,
      baselineName,
      baseline,
      baselineRssMiB,
      ratio: history.load.rate / baseline.rate,
      ...(target ? { target } : {}),
    });
  }
}

/** Postgres getNumber beside SQLite's in this run: the goal is at least half the rate, p99 under 100 ms. */
function compareDialects(): void {
  for (const row of rows.filter((r) => r.dialect === 'postgres' && r.unit === 'orders/s' && r.baselineName === 'node:http, same count')) {
    const sqlite = rows.find((r) => r.dialect === 'sqlite' && r.scenario === row.scenario && r.baselineName === row.baselineName);
    if (!sqlite) continue;
    const ratio = row.result.rate / sqlite.result.rate;
    rows.push({
      ...row,
      baselineName: 'SQLite, same scenario',
      baseline: sqlite.result,
      baselineRssMiB: sqlite.serverRssMiB,
      ratio,
      target: { text: '>= 0.5x, p99 < 100 ms', met: ratio >= 0.5 && row.result.p99 < 100 && failures(row.result) === 0 },
    });
  }
}

// ---------------------------------------------------------------- report

const fmtRatio = (n: number) => (n < 0.01 ? n.toFixed(4) : n.toFixed(2)) + 'x';
const fmtFails = (l: Load) => `${l.errors}/${l.non2xx}/${l.bad}`;

/** Every connection error or timeout, by kind, once per run (a run can appear in two rows). */
function errorLines(): string[] {
  const seen = new Set<Load>();
  const lines: string[] = [];
  for (const r of rows) {
    for (const [label, l] of [[`${r.dialect} ${r.scenario}`, r.result], [`${r.dialect} ${r.scenario} baseline ${r.baselineName}`, r.baseline]] as const) {
      if (seen.has(l)) continue;
      seen.add(l);
      for (const [kind, count] of Object.entries(l.errorKinds)) lines.push(`${label}: ${count} x ${kind}`);
    }
  }
  return lines;
}

function report(seconds: number): string {
  const header = ['db', 'scenario', 'rate', 'unit', 'p50 ms', 'p99 ms', 'err/non2xx/bad', 'RSS MiB', 'baseline', 'rate', 'p50 ms', 'p99 ms', 'err/non2xx/bad', 'RSS MiB', 'ratio', 'target', 'met'];
  const body = rows.map((r) => [
    r.dialect,
    r.scenario,
    fmtRate(r.result.rate),
    r.unit,
    fmtMs(r.result.p50),
    fmtMs(r.result.p99),
    fmtFails(r.result),
    r.serverRssMiB.toFixed(0),
    r.baselineName,
    fmtRate(r.baseline.rate),
    fmtMs(r.baseline.p50),
    fmtMs(r.baseline.p99),
    fmtFails(r.baseline),
    r.baselineRssMiB.toFixed(0),
    fmtRatio(r.ratio),
    r.target?.text ?? '-',
    r.target ? (r.target.met ? 'yes' : 'NO') : '-',
  ]);
  return [
    `fastpva bench: ${CONNECTIONS} connections, getCode ${SECONDS} s per run, getNumber ${ORDERS} calls per run (after ${WARMUP_ORDERS} warm-up); ${os.cpus().length} CPUs, Node ${process.version}`,
    '',
    rows.length ? table(header, body) : 'getCode and getNumber: not run (BENCH_PARTS)',
    '',
    `RSS: VmRSS of the server process after the run. err: connection errors/timeouts; bad: replies that failed the check.`,
    ...sections.flatMap((s) => ['', s.text]),
    `Whole bench: ${seconds.toFixed(0)} s.`,
    ...(problems.length ? ['', 'PROBLEMS:', ...problems.map((p) => `  ${p}`)] : []),
    ...(errorLines().length ? ['', 'CONNECTION ERRORS:', ...errorLines().map((e) => `  ${e}`)] : []),
  ].join('\n');
}

// ---------------------------------------------------------------- main

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping servers and dropping databases`);
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  for (const dialect of PARTS.has('hotpaths') ? DIALECTS : []) {
    try {
      const baseline = await benchGetCode(dialect);
      try {
        await benchGetNumber(dialect, baseline);
      } finally {
        await baseline.stop();
      }
    } catch (error) {
      problems.push(`${dialect}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      log(`${dialect}: FAILED, see the report`);
    }
  }
  if (PARTS.has('ingest')) sections.push(await benchIngest({ dialects: DIALECTS, log, problems }));
  if (PARTS.has('waiters')) sections.push(await benchWaiters({ dialects: DIALECTS, log, problems }));
  if (PARTS.has('history')) sections.push(await benchHistory({ dialects: DIALECTS, log, problems }));
} finally {
  log('stopping servers and dropping databases');
  await cleanup();
}
compareDialects();

const seconds = (performance.now() - began) / 1000;
console.log(report(seconds));
const out = path.join(ROOT, '.bench', 'latest.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  JSON.stringify(
    {
      finishedAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version },
      settings: { connections: CONNECTIONS, seconds: SECONDS, orders: ORDERS, warmupSeconds: WARMUP_SECONDS, warmupOrders: WARMUP_ORDERS, dialects: DIALECTS, parts: [...PARTS] },
      rows,
      ...Object.fromEntries(sections.map((s) => [s.part, s.json])),
      problems,
      benchSeconds: seconds,
    },
    null,
    2,
  ) + '\n',
);
console.log(`Written to ${path.relative(process.cwd(), out)}`);
// Wrong replies, crashes or lost requests make the figures untrustworthy; a missed target does not.
process.exitCode = problems.length || errorLines().length ? 1 : 0;
