import type { Insertable, Kysely, Updateable } from 'kysely';
import type { DialectSupport } from '../dialect.js';
import { prepared } from '../prepared.js';
import type { Database, UserRow, UsersTable } from '../schema.js';
import { contains } from './search.js';

/** What authentication needs, read on every API call (with the user's own rate limit, checked on every call too). */
export type AuthUser = Pick<UserRow, 'id' | 'public_id' | 'username' | 'role' | 'disabled' | 'rate_limit'>;

/** A user with the money side of their account, as admins see it. */
export type UserWithAccount = UserRow & { balance: number; held: number; active_orders: number };

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

  /** Returns false when there is no such user. */
  async update(id: number, changes: Updateable<UsersTable>): Promise<boolean> {
    const result = await this.db.updateTable('users').set(changes).where('id', '=', id).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** `search` matches part of the username or email, ignoring case. */
  async list(filter: { search?: string | undefined }, page: { offset: number; limit: number }): Promise<{ count: number; rows: UserWithAccount[] }> {
    let q = this.withAccounts();
    const search = filter.search;
    if (search) q = q.where((eb) => eb.or([contains('u.username', search), contains('u.email', search)]));
    const [total, rows] = await Promise.all([
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      q.selectAll('u').select(['a.balance', 'a.held', 'a.active_orders']).orderBy('u.id').offset(page.offset).limit(page.limit).execute(),
    ]);
    return { count: Number(total.n), rows };
  }

  findWithAccount(username: string): Promise<UserWithAccount | undefined> {
    return this.withAccounts().selectAll('u').select(['a.balance', 'a.held', 'a.active_orders']).where('u.username', '=', username).executeTakeFirst();
  }

  private withAccounts() {
    return this.db.selectFrom('users as u').innerJoin('accounts as a', 'a.user_id', 'u.id');
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
