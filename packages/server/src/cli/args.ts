// Flags: each command declares its flags once, with their help, and both parsing and the usage text
// come from that declaration. node's parseArgs splits the command line; zod reads each value.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { wholeNumber } from '../config.js';
import { normalizeCountry } from '../domain/catalog.js';
import { MAX_AMOUNT } from '../domain/ledger.js';
import { MAX_PAGE_SIZE } from '../domain/paging.js';
import { isEmail } from '../domain/users.js';

/** The command line is wrong; nothing was done. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Reads one typed value; its issue messages complete "--flag VALUE: ...". */
export type Value<T> = z.ZodType<T, string>;

export interface Flag<T> {
  /** What the value looks like in the usage (CENTS, U); undefined for a switch. */
  readonly value: string | undefined;
  readonly help: string;
  readonly required: boolean;
  readonly multiple: boolean;
  readonly short?: string | undefined;
  /** The command's value from every occurrence typed, in order (a switch's occurrences are ''). */
  readonly read: (typed: string[], name: string) => T;
}

export type Flags = Record<string, Flag<unknown>>;
export type Values<F extends Flags> = { [K in keyof F]: F[K] extends Flag<infer T> ? T : never };

function decode<T>(type: Value<T>, name: string, text: string): T {
  const result = type.safeParse(text);
  if (result.success) return result.data;
  const shown = /^[\w.@:/=+-]+$/.test(text) ? text : JSON.stringify(text);
  throw new UsageError(`--${name} ${shown}: ${result.error.issues[0]?.message ?? 'invalid'}`);
}

function once(typed: string[], name: string): string | undefined {
  if (typed.length > 1) throw new UsageError(`--${name} is given ${typed.length} times; give it once`);
  return typed[0];
}

/** `--name VALUE`, at most once; `fallback` when absent (shown in the help). */
export function option<T>(value: string, help: string, type: Value<T>): Flag<T | undefined>;
export function option<T>(value: string, help: string, type: Value<T>, fallback: T): Flag<T>;
export function option<T>(value: string, help: string, type: Value<T>, fallback?: T): Flag<T | undefined> {
  return {
    value,
    help: fallback === undefined ? help : `${help} (default ${String(fallback)})`,
    required: false,
    multiple: false,
    read: (typed, name) => {
      const text = once(typed, name);
      return text === undefined ? fallback : decode(type, name, text);
    },
  };
}

/** `--name VALUE`, exactly once. */
export function required<T>(value: string, help: string, type: Value<T>): Flag<T> {
  return {
    value,
    help,
    required: true,
    multiple: false,
    read: (typed, name) => {
      const text = once(typed, name);
      if (text === undefined) throw new UsageError(`--${name} ${value} is missing`);
      return decode(type, name, text);
    },
  };
}

/** `--name VALUE`, as many times as needed ([] when absent). */
export function repeated<T>(value: string, help: string, type: Value<T>): Flag<T[]> {
  return { value, help, required: false, multiple: true, read: (typed, name) => typed.map((text) => decode(type, name, text)) };
}

/** `--name`: on when given. */
export function toggle(help: string, short?: string): Flag<boolean> {
  return { value: undefined, help, required: false, multiple: false, short, read: (typed, name) => once(typed, name) !== undefined };
}

/** Every command takes these. */
export const COMMON_FLAGS = {
  json: toggle('print JSON on stdout, errors too: {"error":{"code","message"}}'),
  help: toggle('explain the command and its flags', 'h'),
};

/** The flags' values, and the words given besides them (for commands that take operands). */
export type Parsed<F extends Flags> = Values<F> & Values<typeof COMMON_FLAGS> & { operands: string[] };

/**
 * Reads a command's flags. Unknown flags, stray words (unless the command takes operands), missing or
 * repeated values are usage errors; `--help` anywhere wins over all of them.
 */
export function parseFlags<F extends Flags>(flags: F, argv: string[], takesOperands = false): Parsed<F> {
  const all: Flags = { ...flags, ...COMMON_FLAGS };
  const options = Object.fromEntries(
    Object.entries(all).map(([name, flag]) => [name, { type: flag.value ? ('string' as const) : ('boolean' as const), multiple: true, ...(flag.short ? { short: flag.short } : {}) }]),
  );
  // Not strict: unknown flags and missing values are reported here, in the trade's words.
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { help: true } as Parsed<F>;
  const typed = new Map<string, string[]>(Object.keys(all).map((name) => [name, []]));
  const operands: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional' && takesOperands) operands.push(token.value);
    else if (token.kind === 'positional') throw new UsageError(`unexpected ${JSON.stringify(token.value)}: every value follows its flag`);
    if (token.kind !== 'option') continue;
    const flag = all[token.name];
    if (!flag) throw new UsageError(`unknown flag ${token.rawName}`);
    if (flag.value === undefined) {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
      typed.get(token.name)!.push('');
      continue;
    }
    // `--username --json` must not make "--json" a username; `--amount -50` is a value.
    if (token.value === undefined || (!token.inlineValue && /^-(?!\d)/.test(token.value))) {
      throw new UsageError(`${token.rawName} needs a value (${flag.value})`);
    }
    typed.get(token.name)!.push(token.value);
  }
  return { ...Object.fromEntries(Object.entries(all).map(([name, flag]) => [name, flag.read(typed.get(name)!, name)])), operands } as Parsed<F>;
}

// ---------------------------------------------------------------- values

export const text = z.string().trim().min(1, 'cannot be empty');

/** Prices and amounts: whole cents, with a ceiling against a slipped finger. */
export const cents = wholeNumber(0, MAX_AMOUNT, 'cents');
export const signedCents = wholeNumber(-MAX_AMOUNT, MAX_AMOUNT, 'cents');

export const myPid = wholeNumber(1, 2_147_483_647);
export const channel = wholeNumber(0, 2_147_483_647);
export const basisPoints = wholeNumber(0, 10_000, 'basis points');

export const email = z.string().trim().refine(isEmail, 'not an email address');

export const country = z.string().transform((code, ctx) => {
  const known = normalizeCountry(code);
  if (!known) ctx.addIssue({ code: 'custom', message: 'not an ISO 3166 country code (e.g. GB, US, NL)' });
  return known ?? z.NEVER;
});

/** `GB=30`: a country and its price. */
export const countryPrice = z.string().transform((entry, ctx): [string, number] => {
  const [code = '', price, ...rest] = entry.split('=');
  if (price === undefined || rest.length > 0) {
    ctx.addIssue({ code: 'custom', message: 'write COUNTRY=CENTS, e.g. GB=30' });
    return z.NEVER;
  }
  const known = normalizeCountry(code);
  const cost = cents.safeParse(price);
  if (!known) ctx.addIssue({ code: 'custom', message: `${code} is not an ISO 3166 country code (e.g. GB, US, NL)` });
  else if (!cost.success) ctx.addIssue({ code: 'custom', message: `the price ${cost.error.issues[0]?.message}` });
  return known && cost.success ? [known, cost.data] : z.NEVER;
});

export const PAGING = {
  page: option('N', 'the page to show, from 1', wholeNumber(1, 1_000_000), 1),
  limit: option('N', `rows per page, at most ${MAX_PAGE_SIZE}`, wholeNumber(1, MAX_PAGE_SIZE), 50),
};
