// Which database a command works on, and the admin commands' way in: an existing, migrated database
// only. A mistyped --db must never leave a new SQLite file or a new schema behind.
import { userInfo } from 'node:os';
import { connectBus } from '../bus.js';
import { webhookAllowPrivate } from '../config.js';
import type { Actor } from '../domain/audit.js';
import type { DomainConfig } from '../domain/config.js';
import { createPlatform, type Platform } from '../domain/platform.js';
import { DEFAULT_DATABASE_URL } from '../store/dialect.js';
import { Store } from '../store/store.js';
import { option, text, type Flags, type Parsed } from './args.js';
import { command, type Command, type Io, type Result } from './command.js';

export const DATABASE_FLAG = option('URL', `the database: sqlite:FILE or postgres://user@host:5432/name (default: $DATABASE_URL, else ${DEFAULT_DATABASE_URL})`, text);

/** --db, else DATABASE_URL, else the SQLite file. */
export function databaseUrl(db: string | undefined, env: NodeJS.ProcessEnv): string {
  return db ?? (env.DATABASE_URL || DEFAULT_DATABASE_URL);
}

/** The bus's complaints are for servers' logs; a command either does its change or fails. */
const quiet = { warn: () => undefined, info: () => undefined };

/**
 * Runs `work` on the platform of an existing database with the current schema; creates nothing. On the
 * bus of the running servers (`redisUrl`, else Postgres NOTIFY), so that a change reaches their caches
 * at once: a disabled user or rotated key stops working on every node, not after CACHE_TTL_MS.
 */
export async function withPlatform<T>(url: string, work: (platform: Platform) => Promise<T>, config: Partial<DomainConfig> = {}, redisUrl?: string): Promise<T> {
  const store = await Store.open(url, { existing: true });
  try {
    const platform = await createPlatform(store, { config });
    const { bus } = await connectBus([platform.caches], { redisUrl, store, log: quiet });
    try {
      return await work(platform);
    } finally {
      await bus?.close();
    }
  } finally {
    await store.close();
  }
}

/** Who the audit log says made a command's changes: the operating-system user that ran it. */
export function cliActor(env: NodeJS.ProcessEnv): Actor {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // A uid with no passwd entry (some containers) has no name: the shell's, else the number.
    user = env.USER || `uid${process.getuid?.() ?? ''}`;
  }
  return { id: null, name: `cli:${user}` };
}

type WithDatabase<F extends Flags> = F & { db: typeof DATABASE_FLAG };

/**
 * An operator's command: its flags plus --db, and one domain call on the platform, made as the CLI's
 * actor (the audit log's `cli:<os user>`). `check` refuses contradictory flags before the database is opened.
 */
export function adminCommand<F extends Flags>(spec: {
  name: string;
  summary: string;
  details?: string;
  flags: F;
  check?(options: Parsed<F>): void;
  /** `by`: the actor to name in the audit log for every change the command makes. */
  run(platform: Platform, options: Parsed<F>, by: Actor): Promise<Result>;
}): Command<WithDatabase<F>> {
  return command({
    name: spec.name,
    summary: spec.summary,
    ...(spec.details ? { details: spec.details } : {}),
    flags: { ...spec.flags, db: DATABASE_FLAG },
    run: (options, io: Io) => {
      spec.check?.(options);
      // `db` is the flag added here; its value's type is lost in the generic spread.
      return withPlatform(
        databaseUrl(options.db as string | undefined, io.env),
        (platform) => spec.run(platform, options, cliActor(io.env)),
        { webhookAllowPrivate: webhookAllowPrivate(io.env) },
        io.env.REDIS_URL || undefined,
      );
    },
  });
}
