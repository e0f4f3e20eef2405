// A command: its words, its flags (declared once, see args.ts), and what it does. The usage and help
// texts are generated from the same table that parses the command line.
import { COMMON_FLAGS, type Flag, type Flags, type Parsed } from './args.js';

/** The command will not act here (not a mistake in the command line); the message says what to do instead. */
export class Refused extends Error {
  override name = 'Refused';
}

/** Where a command reads and writes; the process's own streams, or a test's. */
export interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

/** What a command prints: `json` with --json, else `text`. */
export interface Result {
  json: unknown;
  text: string;
  /** Exit code when not 0 (e.g. an audit that found a problem). */
  exitCode?: number;
}

export interface Command<F extends Flags = Flags> {
  /** The words that run it: 'admin user create'. */
  name: string;
  /** One line, for the lists of commands. */
  summary: string;
  /** More help: rules that span flags, examples. */
  details?: string;
  flags: F;
  /** The words it takes after its flags, as the usage shows them; none: it takes none. */
  operands?: string;
  /** Returns what to print, or nothing when the command printed itself (extract-code). */
  run(options: Parsed<F>, io: Io): Promise<Result | undefined>;
}

/** Declares a command, keeping its flags' types for `run`. */
export const command = <F extends Flags>(spec: Command<F>): Command<F> => spec;

/** A command of any flag shape, as the table holds them. */
export type AnyCommand = Command<any>;

/** Whether the command's name starts with these words (`admin user` holds `admin user create`). */
export const isUnder = (c: AnyCommand, words: string[]): boolean => {
  const name = c.name.split(' ');
  return words.every((w, i) => name[i] === w);
};

function flagUsage(name: string, flag: Flag<unknown>): string {
  const shown = flag.value ? `--${name} ${flag.value}` : `--${name}`;
  const repeat = flag.multiple ? ' ...' : '';
  return flag.required ? `${shown}${repeat}` : `[${shown}${repeat}]`;
}

/** The one-line synopsis: `fastpva admin user show --username U [--db URL] [--json]`. */
function usageLine(c: AnyCommand): string {
  const flags = Object.entries(c.flags as Flags).map(([name, flag]) => flagUsage(name, flag));
  return ['fastpva', c.name, ...flags, '[--json]', ...(c.operands ? [c.operands] : [])].join(' ');
}

function columns(rows: [string, string][], indent = '  '): string {
  const width = Math.min(Math.max(...rows.map(([left]) => left.length)) + 2, 34);
  return rows.map(([left, right]) => (left.length + 2 > width ? `${indent}${left}\n${indent}${' '.repeat(width)}${right}` : `${indent}${left.padEnd(width)}${right}`)).join('\n');
}

export function commandHelp(c: AnyCommand): string {
  const flags: [string, string][] = Object.entries({ ...(c.flags as Flags), ...COMMON_FLAGS }).map(([name, flag]) => [
    `${flag.short ? `-${flag.short}, ` : ''}--${name}${flag.value ? ` ${flag.value}` : ''}${flag.multiple ? ' ...' : ''}`,
    flag.help,
  ]);
  return [`Usage: ${usageLine(c)}`, '', `${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.`, ...(c.details ? ['', c.details] : []), '', columns(flags)].join('\n');
}

/**
 * What is under `prefix` (words): its commands, and its sub-groups with their summaries. A group whose
 * commands all end one word further lists them; otherwise each sub-group gets one line.
 */
export function groupHelp(commands: AnyCommand[], prefix: string[], groups: Record<string, string>): string {
  const words = (c: AnyCommand) => c.name.split(' ');
  const under = commands.filter((c) => isUnder(c, prefix));
  const rows: [string, string][] = [];
  const seen = new Set<string>();
  for (const c of under) {
    const w = words(c);
    const group = w.slice(0, -1).join(' ');
    if (w.length === prefix.length + 1) {
      rows.push([c.name, c.summary]);
    } else if (!seen.has(group)) {
      seen.add(group);
      const verbs = under.filter((other) => words(other).slice(0, -1).join(' ') === group).map((other) => words(other).at(-1));
      rows.push([group, `${groups[group] ?? ''}: ${verbs.join(', ')}`]);
    }
  }
  const name = prefix.length ? `fastpva ${prefix.join(' ')}` : 'fastpva';
  return [`Usage: ${name} <command> [flags]`, ...(groups[prefix.join(' ')] ? ['', `${groups[prefix.join(' ')]}.`] : []), '', columns(rows)].join('\n');
}
