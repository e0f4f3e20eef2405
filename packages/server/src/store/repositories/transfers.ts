import type { Insertable, Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';
import { prepared } from '../prepared.js';
import type { Database, TransferKind, TransferRow, TransfersTable } from '../schema.js';

const insertQuery = prepared((db, row: Insertable<TransfersTable>) => db.insertInto('transfers').values(row).returning('id'));

export class TransferRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectSupport,
  ) {}

  async insert(transfer: Insertable<TransfersTable>): Promise<number> {
    // Every column, always: one statement shape, compiled once.
    const row = { pending_id: null, order_id: null, recharge_id: null, note: '', ...transfer };
    const { rows } = await insertQuery(this.db, this.dialect.name, row);
    return rows[0]!.id;
  }

  findById(id: number): Promise<TransferRow | undefined> {
    return this.db.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Per account: money credited minus money debited by transfers of these kinds. */
  async netByAccount(kinds: readonly TransferKind[]): Promise<Map<number, number>> {
    const sum = (side: 'credit_account_id' | 'debit_account_id') =>
      this.db
        .selectFrom('transfers')
        .select([`${side} as account`, (eb) => eb.fn.sum<string | number>('amount').as('total')])
        .where('kind', 'in', [...kinds])
        .groupBy(side)
        .execute();
    const [credits, debits] = await Promise.all([sum('credit_account_id'), sum('debit_account_id')]);
    const net = new Map<number, number>();
    // sum() of a bigint is numeric in Postgres, which arrives as a string.
    for (const r of credits) net.set(r.account, (net.get(r.account) ?? 0) + Number(r.total));
    for (const r of debits) net.set(r.account, (net.get(r.account) ?? 0) - Number(r.total));
    return net;
  }

  /** Per account: the holds no charge, refund or expiry has resolved yet. */
  async openHoldsByAccount(): Promise<Map<number, number>> {
    const rows = await this.db
      .selectFrom('transfers as h')
      .select(['h.debit_account_id as account', (eb) => eb.fn.sum<string | number>('h.amount').as('total')])
      .where('h.kind', '=', 'hold')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('transfers as r').select('r.id').whereRef('r.pending_id', '=', 'h.id'))))
      .groupBy('h.debit_account_id')
      .execute();
    return new Map(rows.map((r) => [r.account, Number(r.total)]));
  }

  /** Holds resolved more than once (the unique index forbids it; the audit checks anyway). */
  async resolvedTwice(): Promise<number[]> {
    const rows = await this.db
      .selectFrom('transfers')
      .select('pending_id')
      .where('pending_id', 'is not', null)
      .groupBy('pending_id')
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    return rows.map((r) => r.pending_id!);
  }
}
