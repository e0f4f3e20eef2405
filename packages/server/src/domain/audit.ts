// The audit log: every admin action, who did it, to what, when, and the state before and after.
// Admins read it in the admin panel. An entry is written inside the transaction of the change it
// records, so the two commit together or not at all: no change goes unrecorded after a crash, and a
// refused change records nothing. Secrets (keys, passwords) never enter it: states are recorded as
// admins see them, which hold only a key's prefix.
import type { Repositories, Store } from '../store/store.js';
import type { Clock } from './clock.js';
import { toOffset, type PageRequest } from './paging.js';

/** Who acted: a signed-in admin (by user id and name), or the `fastpva admin` command (`cli:<os user>`, no id). */
export interface Actor {
  id: number | null;
  name: string;
}

export interface AuditEntry {
  id: number;
  actor: string;
  /** What was done, e.g. `user.adjust_balance`. */
  action: string;
  /** What it was done to, e.g. `user:alice`. */
  target: string;
  /** The state before (null for a creation) and after (null for a removal). */
  before: unknown;
  after: unknown;
  createdAt: number;
}

/** What one admin action records: `target` may name what the change created (a new project's myPid). */
export interface AuditedAction<T> {
  action: string;
  target: string | ((result: T) => string);
}

/**
 * The steps of an admin action, each given the action's transaction: read the state (`before`),
 * change it, and read it again (`after`, from the change's result where it says all; else `before`
 * is read again). Every read and write goes through `repos`, never through the store (a second
 * transaction would not be this one, and on SQLite would wait for it forever).
 */
export interface AuditedSteps<T> {
  before?: (repos: Repositories) => Promise<unknown>;
  change: (repos: Repositories) => Promise<T>;
  after?: (result: T, repos: Repositories) => unknown;
}

const parse = (json: string | null): unknown => (json === null ? null : JSON.parse(json));
const json = (state: unknown): string | null => (state === null || state === undefined ? null : JSON.stringify(state));

export class AuditLog {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /**
   * Runs an admin action and writes its entry, in one transaction. `by` undefined: a change made
   * without an admin (seeding a database in tests or the demo), run the same way and not recorded.
   */
  async change<T>(by: Actor | undefined, what: AuditedAction<NoInfer<T>>, steps: AuditedSteps<T>): Promise<T> {
    return this.store.transaction(async (repos) => {
      const before = by && steps.before ? await steps.before(repos) : null;
      const result = await steps.change(repos);
      if (by) {
        const after = steps.after ? await steps.after(result, repos) : steps.before ? await steps.before(repos) : null;
        await this.write(repos, by, { action: what.action, target: typeof what.target === 'string' ? what.target : what.target(result), before, after });
      }
      return result;
    });
  }

  /** Writes an entry inside a use case's own transaction `repos`, for one that `change` does not fit. */
  async write(repos: Repositories, by: Actor, entry: { action: string; target: string; before: unknown; after: unknown }): Promise<void> {
    await repos.audit.insert({
      actor_id: by.id,
      actor: by.name,
      action: entry.action,
      target: entry.target,
      before: json(entry.before),
      after: json(entry.after),
      created_at: this.clock.now(),
    });
  }

  async list(query: PageRequest & { target?: string | undefined; search?: string | undefined }): Promise<{ count: number; entries: AuditEntry[] }> {
    const { count, rows } = await this.store.read.audit.list({ target: query.target, search: query.search }, toOffset(query));
    return {
      count,
      entries: rows.map((r) => ({
        id: r.id,
        actor: r.actor,
        action: r.action,
        target: r.target,
        before: parse(r.before),
        after: parse(r.after),
        createdAt: r.created_at,
      })),
    };
  }
}
