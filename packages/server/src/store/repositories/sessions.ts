import type { Kysely } from 'kysely';
import type { Database, UserRole, WebSessionRow } from '../schema.js';

/** A session with what every web request needs to know about its user. */
export type SessionUser = WebSessionRow & { username: string; role: UserRole; disabled: number; rate_limit: number | null };

/** Signed-in browsers and admins' second factors. */
export class SessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(session: WebSessionRow): Promise<void> {
    await this.db.insertInto('web_sessions').values(session).execute();
  }

  find(tokenHash: string): Promise<SessionUser | undefined> {
    return this.db
      .selectFrom('web_sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .selectAll('s')
      .select(['u.username', 'u.role', 'u.disabled', 'u.rate_limit'])
      .where('s.token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  async extend(tokenHash: string, expiresAt: number): Promise<void> {
    await this.db.updateTable('web_sessions').set({ expires_at: expiresAt }).where('token_hash', '=', tokenHash).execute();
  }

  async delete(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('token_hash', '=', tokenHash).execute();
  }

  /** Signs the user out everywhere. */
  async deleteForUser(userId: number): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('user_id', '=', userId).execute();
  }

  async deleteExpired(now: number): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('expires_at', '<=', now).execute();
  }

  findTotp(userId: number): Promise<{ secret: string; enabled_at: number | null; last_step: number } | undefined> {
    return this.db.selectFrom('user_totp').select(['secret', 'enabled_at', 'last_step']).where('user_id', '=', userId).executeTakeFirst();
  }

  /** A new, unconfirmed secret replaces any earlier one that was never confirmed. */
  async putTotp(userId: number, secret: string): Promise<void> {
    await this.db
      .insertInto('user_totp')
      .values({ user_id: userId, secret, enabled_at: null })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ secret, enabled_at: null, last_step: 0 }))
      .execute();
  }

  /**
   * Records that the code of `step` was used (and enables the factor where asked). False when a code
   * of that step or a later one was already accepted: a code works once.
   */
  async useTotpStep(userId: number, step: number, enableAt?: number): Promise<boolean> {
    const result = await this.db
      .updateTable('user_totp')
      .set({ last_step: step, ...(enableAt === undefined ? {} : { enabled_at: enableAt }) })
      .where('user_id', '=', userId)
      .where('last_step', '<', step)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async deleteTotp(userId: number): Promise<void> {
    await this.db.deleteFrom('user_totp').where('user_id', '=', userId).execute();
  }
}
