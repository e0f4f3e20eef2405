// Runs the `fastpva` command: the built binary as a user would, or its main() inside the test process
// (the same code without a Node start per command, for the many admin commands).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export const BIN = fileURLToPath(new URL('../../bin/fastpva.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { ...process.env, LOG_LEVEL: 'warn', ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a `--json` command and parses its one line of output; fails loudly otherwise. */
export async function cliJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const result = await runCli([...args, '--json']);
  if (result.code !== 0) throw new Error(`fastpva ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** main() in this process, with its own streams. */
export async function runHere(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdin: Readable.from([options.input ?? '']),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { ...process.env, ...options.env },
  });
  return { code, stdout, stderr };
}

/** Runs a `--json` command in this process and parses its output; fails loudly otherwise. */
export async function hereJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const result = await runHere([...args, '--json']);
  if (result.code !== 0) throw new Error(`fastpva ${args.join(' ')} exited ${result.code}: ${result.stdout}${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Starts a long-running command and resolves with the process and its stdout lines up to the first matching `ready`. */
export async function startCli(args: string[], ready: RegExp, options: RunOptions = {}): Promise<{ child: ChildProcess; line: string; lines: string[] }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  for await (const line of createInterface({ input: child.stdout! })) {
    lines.push(line);
    if (ready.test(line)) break;
  }
  // Keep draining its output so that a chatty process never blocks on a full pipe.
  child.stdout!.resume();
  const line = lines.at(-1);
  if (line !== undefined && ready.test(line)) return { child, line, lines };
  throw new Error(`fastpva ${args.join(' ')} exited before printing ${ready}`);
}
