// Compile-once queries for the hot paths. Kysely rebuilds and recompiles the whole query tree on
// every call (about 10 µs), which costs more than the SQLite read it runs. A prepared query is built
// once per dialect and argument shape, with placeholders standing for the values, and each call
// only binds new values.
import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { DialectName } from './dialect.js';
import type { Database } from './schema.js';

/** Stands for argument `arg` (or its element or property `part`) while the query is compiled. */
class Placeholder {
  constructor(
    readonly arg: number,
    readonly part?: number | string,
  ) {}
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** What the SQL depends on: array lengths and object keys, never the values. */
function shapeOf(args: readonly unknown[]): string {
  return args.map((a) => (Array.isArray(a) ? `[${a.length}]` : isRecord(a) ? `{${Object.keys(a).join(',')}}` : '.')).join('');
}

function placeholdersFor(args: readonly unknown[]): unknown[] {
  return args.map((a, i) => {
    if (Array.isArray(a)) return a.map((_, j) => new Placeholder(i, j));
    if (isRecord(a)) return Object.fromEntries(Object.keys(a).map((k) => [k, new Placeholder(i, k)]));
    return new Placeholder(i);
  });
}

function bind(p: Placeholder, args: readonly unknown[]): unknown {
  const arg = args[p.arg];
  return p.part === undefined ? arg : (arg as Record<string | number, unknown>)[p.part];
}

/**
 * `build` must give the same SQL for the same argument shape: branch on lengths, never on values.
 * Arguments are scalars, arrays of scalars, or plain objects of scalars (a row to insert).
 */
export function prepared<A extends readonly unknown[], R>(
  build: (db: Kysely<Database>, ...args: A) => Compilable<R>,
): (db: Kysely<Database>, dialect: DialectName, ...args: A) => Promise<QueryResult<R>> {
  const compiled = new Map<string, CompiledQuery<R>>();
  return (db, dialect, ...args) => {
    const key = `${dialect}:${shapeOf(args)}`;
    let query = compiled.get(key);
    if (!query) {
      query = build(db, ...(placeholdersFor(args) as unknown as A)).compile();
      compiled.set(key, query);
    }
    const parameters = query.parameters.map((p) => (p instanceof Placeholder ? bind(p, args) : p));
    return db.executeQuery({ ...query, parameters });
  };
}
