import type { Insertable, Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';
import { prepared } from '../prepared.js';
import type { Database, UserRow, UsersTable } from '../schema.js';

/** What authentication needs, read on every API call (with the user's own rate limit, checked on every call too). */
export type AuthUser = Pick<UserRow, 'id' | 'public_id' | 'username' | 'role' | 'disabled' | 'rate_limit'>;

const byKeyQuery = prepared((db, keyHash: string) =>
  db.selectFrom('users').select(['id', 'public_id', 'username', 'role', 'disabled', 'rate_limit']).where('api_key_hash', '=', keyHash),
);

export class UserRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectSupport,
  ) {}

  async insert(user: Insertable<UsersTable>): Promise<number> {
    const row = await this.db.insertInto('users').values(user).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async findByKeyHash(keyHash: string): Promise<AuthUser | undefined> {
    return (await byKeyQuery(this.db, this.dialect.name, keyHash)).rows[0];
  }

  findById(id: number): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByUsername(username: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  }

  async replaceApiKey(id: number, keyHash: string, keyPrefix: string, now: number): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ api_key_hash: keyHash, api_key_prefix: keyPrefix, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
