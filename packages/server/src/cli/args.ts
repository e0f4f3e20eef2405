// Command-line parsing: node's parseArgs for the syntax, zod for the values.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** --help on any command: print the usage and succeed. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const COMMON: Options = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

export function parse<S extends z.ZodType>(argv: string[], options: Options, schema: S): z.infer<S> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...COMMON, ...options }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) throw new HelpRequested();
  const result = schema.safeParse(values);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new UsageError(`--${issue.path.join('.')}: ${issue.message}`);
  }
  return result.data;
}

export const cents = z
  .string()
  .regex(/^\d+$/, 'a whole number of cents')
  .transform(Number);
export const signedCents = z
  .string()
  .regex(/^-?\d+$/, 'a whole number of cents, may be negative')
  .transform(Number);
export const integer = z
  .string()
  .regex(/^\d+$/, 'a whole number')
  .transform(Number);
export const common = { db: z.string().optional(), json: z.boolean(), help: z.boolean() };

/** The database a command works on: --db, else DATABASE_URL, else the SQLite file. */
export function databaseUrl(db: string | undefined, fallback: string): string {
  return db ?? (process.env.DATABASE_URL || fallback);
}
