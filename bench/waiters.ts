// Long-poll waiters (getCode with wait=): how soon after an SMS is pushed the getCode held for its order
// answers with the code, while a thousand others are held too: on SQLite in one server process, and on
// Postgres across two (the waiters on one, the SMS pushed to the other, the wake-up carried by LISTEN/
// NOTIFY). Then the resident memory of a server holding ten thousand idle waiters.
// Knobs: BENCH_WAITERS (waiters held besides the ones being woken, default 1000), BENCH_WAKEUPS (SMS
// pushed one at a time, each waking one waiter, default 500), BENCH_IDLE_WAITERS (default 10000, 0 to
// skip; measured on the first of BENCH_DIALECTS only, as the memory is the process's, not the database's).
// Limits: the server runs with RATE_LIMITS=off (every waiter is the same IP, and 16 users' keys), and
// every waiter is a socket of its own, here and in the server: `ulimit -n` must be above
// BENCH_IDLE_WAITERS (checked before the run).
import { createDatabase, heldWaits, openFilesLimit, rssMiB, startFastpva, type Dialect, type Running } from './infra.js';
import { fmtMs, percentile, table, type PartContext, type Section } from './report.js';
import { seedLiveOrders } from './seed.js';
import { agentFor, holdWaiters, keepWaiting, pushDoor, timeWakeups } from './sms.js';

const HELD = Number(process.env.BENCH_WAITERS ?? 1000);
const WAKEUPS = Number(process.env.BENCH_WAKEUPS ?? 500);
const IDLE = Number(process.env.BENCH_IDLE_WAITERS ?? 10_000);
/** Issue 5's goals. */
const WAKE_P99_GOAL_MS = 10;
const RSS_GOAL_MB = 300;

for (const [name, value, min] of [['BENCH_WAITERS', HELD, 0], ['BENCH_WAKEUPS', WAKEUPS, 1], ['BENCH_IDLE_WAITERS', IDLE, 0]] as const) {
  if (!(Number.isInteger(value) && value >= min)) throw new Error(`${name} must be a whole number of at least ${min}`);
}

interface WakeRow {
  dialect: Dialect;
  /** Where the waiters and the SMS were: one process, or the waiters on one and the SMS on another. */
  processes: 1 | 2;
  /** Waiters held besides the one being woken (each asks again when its wait runs out). */
  held: number;
  /** What the server held at the end of the run, the one being woken included. */
  heldAtEnd: number;
  wakeups: number;
  /** Sent to the waiter's reply, ms. */
  seenP50: number;
  seenP99: number;
  /** Sent to the push API's answer, ms: the same run's floor (the SMS stored, its transaction committed). */
  ackP50: number;
  ackP99: number;
  /** The waiter's reply after the push API's answer, ms (negative: before it): what waking costs beyond the ingest. */
  afterP50: number;
  afterP99: number;
  goal?: { text: string; met: boolean };
}

interface MemoryRow {
  dialect: Dialect;
  waiters: number;
  idleRssMiB: number;
  heldRssMiB: number;
  goal: { text: string; met: boolean };
}

async function wakeOn(dialect: Dialect, ctx: PartContext): Promise<WakeRow> {
  const log = (line: string) => ctx.log(`${dialect}: waiters: ${line}`);
  const url = await createDatabase(dialect, 'waiters');
  const seed = await seedLiveOrders(url, WAKEUPS + HELD, log);
  const processes = dialect === 'postgres' ? 2 : 1;
  const servers: Running[] = [];
  const agent = agentFor(Math.max(HELD, 1));
  try {
    // On Postgres the SMS goes to a second process, as behind a load balancer: only NOTIFY can wake the waiter.
    for (let i = 0; i < processes; i++) servers.push(await startFastpva(`fastpva ${dialect} ${i + 1}`, url));
    const waiting = servers[0]!;
    const ingesting = servers.at(-1)!;
    const release = await keepWaiting(waiting, agent, seed.orders.slice(WAKEUPS));
    log(`${HELD} waiters held${processes === 2 ? '; SMS pushed to the other process' : ''}`);
    const door = pushDoor(ingesting, seed.supplierKey, 1);
    try {
      const { seen, acked } = await timeWakeups(waiting, seed.orders.slice(0, WAKEUPS), door, 'wake');
      const heldAtEnd = await heldWaits(waiting);
      release();
      const after = seen.map((s, i) => s - acked[i]!);
      const row: WakeRow = {
        dialect,
        processes,
        held: HELD,
        heldAtEnd,
        wakeups: WAKEUPS,
        seenP50: percentile(seen, 50),
        seenP99: percentile(seen, 99),
        ackP50: percentile(acked, 50),
        ackP99: percentile(acked, 99),
        afterP50: percentile(after, 50),
        afterP99: percentile(after, 99),
      };
      if (dialect === 'sqlite') row.goal = { text: `p99 < ${WAKE_P99_GOAL_MS} ms`, met: row.seenP99 < WAKE_P99_GOAL_MS };
      log(`SMS pushed -> getCode answered: p50 ${fmtMs(row.seenP50)} ms, p99 ${fmtMs(row.seenP99)} ms`);
      return row;
    } finally {
      await door.close();
    }
  } finally {
    agent.destroy(); // cuts the waiters still held
    for (const server of servers) await server.stop();
  }
}

async function memoryOn(dialect: Dialect, ctx: PartContext): Promise<MemoryRow> {
  const log = (line: string) => ctx.log(`${dialect}: idle waiters: ${line}`);
  const limit = openFilesLimit();
  // A socket per waiter here and in the server (which inherits the limit), plus files and the database.
  if (limit < IDLE + 1000) throw new Error(`ulimit -n is ${limit}: ${IDLE} waiters need at least ${IDLE + 1000} (raise it, or lower BENCH_IDLE_WAITERS)`);
  const url = await createDatabase(dialect, 'idle');
  const seed = await seedLiveOrders(url, IDLE, log);
  const server = await startFastpva(`fastpva ${dialect}`, url);
  const agent = agentFor(IDLE);
  try {
    const idleRssMiB = rssMiB(server.pid);
    await holdWaiters(server, agent, seed.orders);
    const heldRssMiB = rssMiB(server.pid);
    log(`${IDLE} held: server RSS ${heldRssMiB.toFixed(0)} MiB (${idleRssMiB.toFixed(0)} MiB before)`);
    return { dialect, waiters: IDLE, idleRssMiB, heldRssMiB, goal: { text: `< ${RSS_GOAL_MB} MB`, met: heldRssMiB * 1.048576 < RSS_GOAL_MB } };
  } finally {
    agent.destroy();
    await server.stop();
  }
}

export async function benchWaiters(ctx: PartContext): Promise<Section> {
  const wake: WakeRow[] = [];
  const memory: MemoryRow[] = [];
  const attempt = async (what: string, dialect: Dialect, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      ctx.problems.push(`${dialect} ${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      ctx.log(`${dialect}: ${what} FAILED, see the report`);
    }
  };
  for (const dialect of ctx.dialects) await attempt('waiters', dialect, async () => void wake.push(await wakeOn(dialect, ctx)));
  const first = ctx.dialects[0];
  if (IDLE > 0 && first) await attempt('idle waiters', first, async () => void memory.push(await memoryOn(first, ctx)));

  const met = (goal: { met: boolean } | undefined) => (goal ? (goal.met ? 'yes' : 'NO') : '-');
  const text = [
    `Long-poll: ${WAKEUPS} SMS pushed one at a time, each to an order whose getCode (wait=60) is held, ${HELD} more held meanwhile (asking again when their wait runs out):`,
    '',
    table(
      ['db', 'processes', 'held', 'held at end', 'SMS -> reply p50 ms', 'p99 ms', 'push answered p50 ms', 'p99 ms', 'reply after answer p50 ms', 'p99 ms', 'goal', 'met'],
      wake.map((r) => [
        r.dialect,
        r.processes === 2 ? '2 (NOTIFY)' : '1',
        String(r.held),
        String(r.heldAtEnd),
        fmtMs(r.seenP50),
        fmtMs(r.seenP99),
        fmtMs(r.ackP50),
        fmtMs(r.ackP99),
        fmtMs(r.afterP50),
        fmtMs(r.afterP99),
        r.goal?.text ?? '-',
        met(r.goal),
      ]),
    ),
    ...(memory.length
      ? [
          '',
          table(
            ['db', 'idle waiters', 'server RSS MiB', 'before MiB', 'KiB per waiter', 'goal', 'met'],
            memory.map((m) => [
              m.dialect,
              m.waiters.toLocaleString('en-US'),
              m.heldRssMiB.toFixed(0),
              m.idleRssMiB.toFixed(0),
              (((m.heldRssMiB - m.idleRssMiB) * 1024) / m.waiters).toFixed(1),
              m.goal.text,
              met(m.goal),
            ]),
          ),
        ]
      : []),
  ].join('\n');
  return { part: 'waiters', text, json: { held: HELD, wakeups: WAKEUPS, idleWaiters: IDLE, wake, memory } };
}
