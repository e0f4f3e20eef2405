import { sql, type Kysely, type RawBuilder } from 'kysely';
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

/** The user's own cap on live orders, else the operator's default; 0 means no cap. */
export const orderCap = (userId: number | RawBuilder<number>, defaultCap: number) =>
  sql<number>`coalesce((select max_active_orders from users where id = ${userId}), ${defaultCap})`;

const openOrderQuery = prepared((db, amount: number, userId: number, defaultCap: number) =>
  db
    .updateTable('accounts')
    .set((eb) => ({ held: eb('held', '+', amount), active_orders: eb('active_orders', '+', 1) }))
    .where('user_id', '=', userId)
    .where(sql<boolean>`balance - held >= ${amount}`)
    .where(sql<boolean>`(${orderCap(userId, defaultCap)} = 0 or active_orders < ${orderCap(userId, defaultCap)})`)
    .returning(['id', available]),
);

const closeOrderQuery = prepared((db, userId: number) =>
  db
    .updateTable('accounts')
    .set((eb) => ({ active_orders: eb('active_orders', '-', 1) }))
    .where('user_id', '=', userId),
);

const orderRoomQuery = prepared((db, userId: number, defaultCap: number) =>
  db
    .selectFrom('accounts')
    .select([available, 'active_orders', orderCap(userId, defaultCap).as('cap')])
    .where('user_id', '=', userId),
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

  /** Serialises writers that act on one user (on Postgres a row lock until commit; SQLite serialises all writers). */
  async lockUser(userId: number): Promise<void> {
    let q = this.db.selectFrom('accounts').select('id').where('user_id', '=', userId);
    if (this.dialect.rowLocks) q = q.forUpdate();
    await q.execute();
  }

  findByUser(userId: number): Promise<AccountRow | undefined> {
    return this.db.selectFrom('accounts').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  findBySupplier(supplierId: number): Promise<AccountRow | undefined> {
    return this.db.selectFrom('accounts').selectAll().where('supplier_id', '=', supplierId).executeTakeFirst();
  }

  findById(id: number): Promise<AccountRow | undefined> {
    return this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async availableForUser(userId: number): Promise<number | undefined> {
    return (await availableQuery(this.db, this.dialect.name, userId)).rows[0]?.available;
  }

  /**
   * Opens an order on the account: reserves `amount` (0 for a free order) and takes one of the user's
   * live-order slots, in one conditional UPDATE so that concurrent callers can never overspend or
   * exceed the cap. Returns the account and what is left available, or nothing when either is short.
   */
  async openOrder(userId: number, amount: number, defaultCap: number): Promise<{ id: number; available: number } | undefined> {
    return (await openOrderQuery(this.db, this.dialect.name, amount, userId, defaultCap)).rows[0];
  }

  /** Gives back the live-order slot of an order that ended. */
  async closeOrder(userId: number): Promise<void> {
    await closeOrderQuery(this.db, this.dialect.name, userId);
  }

  /** Why openOrder refused: what is available, and the user's live orders against their cap. */
  async orderRoom(userId: number, defaultCap: number): Promise<{ available: number; active_orders: number; cap: number } | undefined> {
    return (await orderRoomQuery(this.db, this.dialect.name, userId, defaultCap)).rows[0];
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
