// The `fastpva` command: a table of commands, each declaring its flags and help once (command.ts).
import fs from 'node:fs';
import { DEFAULT_DATABASE_URL } from '../store/dialect.js';
import { parseFlags, UsageError } from './args.js';
import { ADMIN_COMMANDS, ADMIN_GROUPS } from './admin/index.js';
import { backup, restore } from './backup.js';
import { commandHelp, groupHelp, isUnder, type AnyCommand, type Io } from './command.js';
import { demo } from './demo.js';
import { extractCodes } from './extract-code.js';
import { report } from './failure.js';
import { print } from './output.js';
import { pushSms } from './push-sms.js';
import { migrate, serve } from './serve.js';

/** Every command; a new one is a line here. */
export const COMMANDS: AnyCommand[] = [serve, migrate, demo, extractCodes, backup, restore, pushSms, ...ADMIN_COMMANDS];

const GROUPS: Record<string, string> = { ...ADMIN_GROUPS, supplier: "On a supplier's own machine" };

const FOOTER = `
Commands on a database take --db URL: sqlite:FILE or postgres://user@host:5432/name (default: $DATABASE_URL, else ${DEFAULT_DATABASE_URL}).
Only serve, migrate and demo create a database; the others refuse one without the fastpva schema.
Every command takes --json (one line of JSON on stdout, errors as {"error":{"code","message"}}) and --help.
Exit codes: 0 done, 1 refused or failed, 2 wrong command line or configuration (nothing was done).
\`fastpva <command> --help\` explains a command's flags; \`fastpva --version\` prints the version.`;

const processIo: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The command named by the leading words of argv, and the arguments after it. */
function find(argv: string[]): { command: AnyCommand; rest: string[] } | undefined {
  const command = COMMANDS.find((c) => argv.slice(0, c.name.split(' ').length).join(' ') === c.name);
  return command && { command, rest: argv.slice(command.name.split(' ').length) };
}

/** Runs the command line; returns the exit code. A long-running command (serve, demo) keeps running after. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const json = argv.includes('--json');
  const found = find(argv);
  try {
    if (!found) return noCommand(argv, io);
    const options = parseFlags(found.command.flags, found.rest, found.command.operands !== undefined);
    if (options.help) {
      io.stdout.write(`${commandHelp(found.command)}\n`);
      return 0;
    }
    const result = await found.command.run(options, io);
    if (result) print(io, options.json, result);
    return result?.exitCode ?? 0;
  } catch (error) {
    return report(io, json, error, found && `fastpva ${found.command.name} --help`);
  }
}

/** No command matched: --version, a group's help, or a one-line error naming what exists. */
function noCommand(argv: string[], io: Io): number {
  if (argv[0] === '--version' || argv[0] === '-v') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const firstFlag = argv.findIndex((a) => a.startsWith('-'));
  const words = argv[0] === 'help' ? [] : argv.slice(0, firstFlag === -1 ? argv.length : firstFlag);
  const asked = argv.length === 0 || argv[0] === 'help' || argv.includes('--help') || argv.includes('-h');
  // The longest run of leading words that some command starts with: a group such as `admin user`.
  let depth = 0;
  while (depth < words.length && COMMANDS.some((c) => isUnder(c, words.slice(0, depth + 1)))) depth++;
  const group = words.slice(0, depth);
  if (asked && depth === words.length) {
    io.stdout.write(`${groupHelp(COMMANDS, group, GROUPS)}\n${group.length === 0 ? `${FOOTER}\n` : ''}`);
    return 0;
  }
  const next = [...new Set(COMMANDS.filter((c) => isUnder(c, group)).map((c) => c.name.split(' ')[depth]))];
  const named = ['fastpva', ...group, ...words.slice(depth, depth + 1)].join(' ');
  const problem = depth < words.length ? `unknown command \`${named}\`` : `\`${named}\` needs a command`;
  throw new UsageError(`${problem}: one of ${next.join(', ')} (see \`${['fastpva', ...group].join(' ')} --help\`)`);
}
