import type { Insertable, Kysely } from 'kysely';
import type { Database, TransferRow, TransfersTable } from '../schema.js';

export class TransferRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(transfer: Insertable<TransfersTable>): Promise<number> {
    const row = await this.db.insertInto('transfers').values(transfer).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  findById(id: number): Promise<TransferRow | undefined> {
    return this.db.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listAll(): Promise<TransferRow[]> {
    return this.db.selectFrom('transfers').selectAll().orderBy('id').execute();
  }

  /** Holds with no charge, refund or expiry yet. */
  async openHolds(): Promise<{ count: number; amount: number }> {
    const row = await this.db
      .selectFrom('transfers as h')
      .where('h.kind', '=', 'hold')
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('transfers as r').select('r.id').whereRef('r.pending_id', '=', 'h.id'))),
      )
      .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.coalesce(eb.fn.sum<number>('h.amount'), eb.lit(0)).as('amount')])
      .executeTakeFirstOrThrow();
    return { count: Number(row.count), amount: Number(row.amount) };
  }
}
