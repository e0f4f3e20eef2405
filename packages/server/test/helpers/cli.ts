// Runs the built `fastpva` command as a user would.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/fastpva.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...options.env } });
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

/** Starts a long-running command and resolves with the process and the first stdout line matching `ready`. */
export async function startCli(args: string[], ready: RegExp, options: { env?: NodeJS.ProcessEnv } = {}): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...options.env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let found: string | undefined;
  for await (const line of createInterface({ input: child.stdout! })) {
    if (ready.test(line)) {
      found = line;
      break;
    }
  }
  // Keep draining its output so that a chatty process never blocks on a full pipe.
  child.stdout!.resume();
  if (found !== undefined) return { child, line: found };
  throw new Error(`fastpva ${args.join(' ')} exited before printing ${ready}`);
}
