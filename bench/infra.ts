// Child processes, their memory, and throwaway databases; everything registered here is undone by
// cleanup(), which run.ts calls on success, failure and Ctrl+C.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const undo: Array<() => Promise<void>> = [];
const live = new Set<ChildProcess>();

/** Undoes everything, newest first; one failing step does not stop the others. */
export async function cleanup(): Promise<void> {
  while (undo.length) {
    try {
      await undo.pop()!();
    } catch (error) {
      console.error('cleanup:', error);
    }
  }
}

// Last resort when the bench dies without cleanup(): no server outlives it.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface Running {
  url: string;
  pid: number;
  /** The SMPP server's port, when it was started (SMPP_PORT). */
  smppPort?: number;
  stop(): Promise<void>;
}

/** Starts a server and waits for its one-line `{"url":...}` announcement on stdout. */
export function startServer(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  undo.push(stop);

  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`${label}: ${why}\n${stderr}`));
    const timer = setTimeout(() => fail('not listening after 60 s'), 60_000);
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let parsed: { url?: unknown; smppPort?: unknown };
        try {
          parsed = JSON.parse(line) as typeof parsed;
        } catch {
          continue; // not the announcement
        }
        if (typeof parsed.url === 'string') {
          clearTimeout(timer);
          resolve({ url: parsed.url, pid: child.pid!, stop, ...(typeof parsed.smppPort === 'number' ? { smppPort: parsed.smppPort } : {}) });
        }
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      fail(`exited with ${child.exitCode ?? child.signalCode}`);
    });
  });
}

/** BENCH_CPU_PROF=<dir>: every fastpva server writes a V8 CPU profile there when it stops. */
const CPU_PROF = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(process.env.BENCH_CPU_PROF)] : [];

/**
 * `fastpva serve` as production runs it: the built CLI in its own process; `env` adds settings,
 * `workers` > 1 runs it with `--workers` (Postgres only).
 */
export function startFastpva(label: string, databaseUrl: string, options: { env?: NodeJS.ProcessEnv; workers?: number } = {}): Promise<Running> {
  const workers = options.workers ?? 1;
  return startServer(
    label,
    process.execPath,
    [...CPU_PROF, 'packages/server/bin/fastpva.js', 'serve', '--port', '0', '--host', '127.0.0.1', '--db', databaseUrl, '--json', ...(workers > 1 ? ['--workers', String(workers)] : [])],
    // 64 connections as one customer: fair-use limits would measure the limiter, not the server.
    { LOG_LEVEL: 'warn', RATE_LIMITS: 'off', MAX_ACTIVE_ORDERS: '0', ...options.env },
  );
}

export function startBaseline(bodies: string[]): Promise<Running> {
  return startServer('baseline', process.execPath, ['bench/baseline-server.js', ...bodies]);
}

/** Resident memory in MiB, as the kernel counts it (VmRSS), of the process and its children (--workers). */
export function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean);
  return Number(match[1]) / 1024 + children.reduce((sum, child) => sum + rssMiB(Number(child)), 0);
}

export interface Reply {
  status: number;
  body: string;
  /** performance.now() when the whole reply had arrived. */
  at: number;
}

/** One HTTP request through `agent` (which decides how many sockets), its whole reply read. */
export function request(
  agent: http.Agent,
  url: string,
  options: { method?: string; body?: string; headers?: http.OutgoingHttpHeaders; connected?: () => void } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString(), at: performance.now() }));
      res.on('error', reject);
    });
    req.on('error', (error) => {
      options.connected?.(); // a connection that failed is no longer connecting
      reject(error);
    });
    const { connected } = options;
    if (connected) req.once('socket', (socket) => (socket.connecting ? socket.once('connect', connected) : connected()));
    req.end(options.body);
  });
}

/** The server's `fastpva_sms_waits` gauge: long-polls it holds now (loopback may scrape /metrics). */
export async function heldWaits(server: Running): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = /^fastpva_sms_waits (\d+)$/m.exec(text);
  if (!match) throw new Error('/metrics has no fastpva_sms_waits');
  return Number(match[1]);
}

/** This process's soft limit on open files (`ulimit -n`); a server started from here inherits it. */
export function openFilesLimit(): number {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
  return !match || match[1] === 'unlimited' ? Infinity : Number(match[1]);
}

// ---------------------------------------------------------------- databases

export type Dialect = 'sqlite' | 'postgres';

const PG_ADMIN = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let sqliteDir: string | undefined;

async function pgAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A new, empty database of its own (dropped by cleanup); returns its URL. */
export async function createDatabase(dialect: Dialect, name: string): Promise<string> {
  if (dialect === 'sqlite') {
    if (!sqliteDir) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastpva-bench-'));
      sqliteDir = dir;
      undo.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    }
    return `sqlite:${path.join(sqliteDir, `${name}.db`)}`;
  }
  // Unique per bench process, so two benches (or the test suite) never share a database.
  const database = `fastpva_bench_${process.pid}_${name}`;
  await pgAdmin(`create database "${database}"`);
  undo.push(() => pgAdmin(`drop database if exists "${database}" with (force)`));
  const url = new URL(PG_ADMIN);
  url.pathname = `/${database}`;
  return url.toString();
}
