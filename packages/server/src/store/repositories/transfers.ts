import type { Insertable, Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';
import { prepared } from '../prepared.js';
import type { Database, TransferRow, TransfersTable } from '../schema.js';

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
