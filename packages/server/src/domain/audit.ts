// The audit log: every admin action, who did it, to what, when, and the state before and after.
// Admins read it in the admin panel. Secrets (keys, passwords) never enter it: callers record
// states as admins see them, which hold only a key's prefix.
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';
import { toOffset, type PageRequest } from './paging.js';

/** Who acted: a signed-in user, by id and name; id null for the command line, which has no user. */
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

const parse = (json: string | null): unknown => (json === null ? null : JSON.parse(json));

export class AuditLog {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /**
   * Reads the state, runs the change, reads the state again, and records the three: one call per
   * admin action. `after` reads from the change's result where given, else reads the state again.
   * A refused change is not recorded (nothing changed).
   */
  async record<T>(
    actor: Actor,
    /** `target` may name what the change created (a new project's myPid). */
    what: { action: string; target: string | ((result: T) => string) },
    steps: { before?: () => Promise<unknown>; change: () => Promise<T>; after?: (result: T) => unknown },
  ): Promise<T> {
    const before = steps.before ? await steps.before() : null;
    const result = await steps.change();
    const after = steps.after ? await steps.after(result) : steps.before ? await steps.before() : null;
    await this.store.read.audit.insert({
      actor_id: actor.id,
      actor: actor.name,
      action: what.action,
      target: typeof what.target === 'string' ? what.target : what.target(result),
      before: before === null || before === undefined ? null : JSON.stringify(before),
      after: after === null || after === undefined ? null : JSON.stringify(after),
      created_at: this.clock.now(),
    });
    return result;
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
