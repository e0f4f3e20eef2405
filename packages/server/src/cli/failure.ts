// Every failure of a command becomes one line that says what is wrong and how to fix it, and an exit
// code: 2 when the command line or configuration is wrong (nothing was done), 1 otherwise. Never a
// stack trace, unless DEBUG is set.
import { ConfigError } from '../config.js';
import { asDomainError } from '../domain/errors.js';
import { DatabaseOpenError, NoDatabaseError, redactUrl } from '../store/dialect.js';
import { UsageError } from './args.js';
import { Refused, type Io } from './command.js';
import { toJson } from './output.js';

export interface Failure {
  exitCode: 1 | 2;
  /** snake_case, for scripts. */
  code: string;
  message: string;
}

/** A server that could not listen: the port is taken, privileged, or the host is not ours. */
function listenFailure(error: { code?: string; port?: number; address?: string }): Failure | undefined {
  const where = `${error.address}:${error.port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return { exitCode: 1, code: 'port_in_use', message: `Port ${error.port} is in use (${where}): stop what is using it, or choose another port with --port or PORT` };
    case 'EACCES':
      return { exitCode: 1, code: 'port_forbidden', message: `Listening on port ${error.port} needs privileges: choose a port above 1023 with --port or PORT` };
    case 'EADDRNOTAVAIL':
      return { exitCode: 1, code: 'host_unavailable', message: `${error.address} is not an address of this machine: fix --host or HOST` };
    default:
      return undefined;
  }
}

export function failureOf(error: unknown): Failure {
  if (error instanceof UsageError) return { exitCode: 2, code: 'usage', message: error.message };
  if (error instanceof ConfigError) return { exitCode: 2, code: 'invalid_configuration', message: error.message };
  if (error instanceof Refused) return { exitCode: 1, code: 'refused', message: error.message };
  const domain = asDomainError(error);
  if (domain) return { exitCode: 1, code: domain.code.toLowerCase(), message: domain.message };
  if (error instanceof NoDatabaseError) {
    return { exitCode: 1, code: 'no_database', message: `${error.message}; run \`fastpva migrate --db ${redactUrl(error.url)}\`` };
  }
  if (error instanceof DatabaseOpenError) return { exitCode: 1, code: 'database_unavailable', message: error.message };
  const system = error as { syscall?: string };
  const listen = system?.syscall === 'listen' ? listenFailure(error as Parameters<typeof listenFailure>[0]) : undefined;
  if (listen) return listen;
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: 1, code: 'internal', message: `Unexpected error: ${message} (run again with DEBUG=1 to see where it happened)` };
}

/** Prints the failure (JSON on stdout with --json, else a line on stderr) and returns the exit code. */
export function report(io: Io, json: boolean, error: unknown, hint: string | undefined): number {
  const failure = failureOf(error);
  const message = error instanceof UsageError && hint ? `${failure.message} (see \`${hint}\`)` : failure.message;
  if (json) io.stdout.write(`${toJson({ error: { code: failure.code, message } })}\n`);
  else io.stderr.write(`fastpva: ${message}\n`);
  if (io.env.DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return failure.exitCode;
}
