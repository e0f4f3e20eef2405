import { sql, type Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';
import { prepared } from '../prepared.js';
import type { AccountKind, AccountRow, Database } from '../schema.js';

const available = sql<number>`balance - held`.as('available');

const availableQuery = prepared((db, userId: number) => db.selectFrom('accounts').select(available).where('user_id', '=', userId));

const shiftQuery = prepared((db, balance: number, held: number, accountId: number) =>
  db
    .updateTable('accounts')
    .set((eb) => ({ balance: eb('balance', '+', balance), held: eb('held', '+', held) }))
    .where('id', '=', accountId)
    .returning(available),
);

const placeHoldQuery = prepared((db, amount: number, userId: number) =>
  db
    .updateTable('accounts')
    .set((eb) => ({ held: eb('held', '+', amount) }))
    .where('user_id', '=', userId)
    .where(sql<boolean>`balance - held >= ${amount}`)
    .returning(['id', available]),
);

/**
 * Balances kept in step with transfers. Every method is one conditional UPDATE so that two
 * concurrent writers can never both spend the same cent.
 */
export class AccountRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectSupport,
  ) {}

  async insert(kind: AccountKind, owner: { userId?: number; supplierId?: number }): Promise<number> {
    const row = await this.db
      .insertInto('accounts')
      .values({ kind, user_id: owner.userId ?? null, supplier_id: owner.supplierId ?? null, balance: 0, held: 0, allow_negative: 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** The platform's own accounts (revenue, world), created by the first migration. */
  async systemAccounts(): Promise<Record<'revenue' | 'world', number>> {
    const rows = await this.db.selectFrom('accounts').select(['id', 'kind']).where('kind', 'in', ['revenue', 'world']).execute();
    const find = (kind: string) => {
      const row = rows.find((r) => r.kind === kind);
      if (!row) throw new Error(`The ${kind} account is missing: run the migrations`);
      return row.id;
    };
    return { revenue: find('revenue'), world: find('world') };
  }

  findByUser(userId: number): Promise<AccountRow | undefined> {
    return this.db.selectFrom('accounts').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  findById(id: number): Promise<AccountRow | undefined> {
    return this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async availableForUser(userId: number): Promise<number | undefined> {
    return (await availableQuery(this.db, this.dialect.name, userId)).rows[0]?.available;
  }

  /** Reserve `amount` if that much is available. Returns the account and what is left, or nothing. */
  async placeHold(userId: number, amount: number): Promise<{ id: number; available: number } | undefined> {
    return (await placeHoldQuery(this.db, this.dialect.name, amount, userId)).rows[0];
  }

  /** A hold ends without moving money (refund, expiry). */
  releaseHold(accountId: number, amount: number): Promise<number> {
    return this.shift(accountId, 0, -amount);
  }

  /** A hold turns into a charge: the held money leaves the account. */
  settleHold(accountId: number, amount: number): Promise<number> {
    return this.shift(accountId, -amount, -amount);
  }

  credit(accountId: number, amount: number): Promise<number> {
    return this.shift(accountId, amount, 0);
  }

  /** Moves balance and held by signed amounts; returns what is left available. */
  private async shift(accountId: number, balance: number, held: number): Promise<number> {
    return (await shiftQuery(this.db, this.dialect.name, balance, held, accountId)).rows[0]!.available;
  }

  /** Take money out if the account may go that low. Returns what is left, or nothing. */
  async debit(accountId: number, amount: number): Promise<number | undefined> {
    const row = await this.db
      .updateTable('accounts')
      .set((eb) => ({ balance: eb('balance', '-', amount) }))
      .where('id', '=', accountId)
      .where(sql<boolean>`(allow_negative = 1 or balance - held >= ${amount})`)
      .returning(available)
      .executeTakeFirst();
    return row?.available;
  }

  listAll(): Promise<AccountRow[]> {
    return this.db.selectFrom('accounts').selectAll().orderBy('id').execute();
  }
}
