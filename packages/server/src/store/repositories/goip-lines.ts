import type { Insertable, Kysely } from 'kysely';
import type { Database, GoipLineRow, GoipLinesTable, NumberRow } from '../schema.js';

/** A GoIP line as admins list it: its supplier's name and the number it last reported. */
export type GoipLineListRow = Pick<GoipLineRow, 'line' | 'country' | 'created_at'> & {
  supplier: string;
  number: string | null;
  online: NumberRow['online'] | null;
  last_seen_at: number | null;
};

export class GoipLineRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(line: Insertable<GoipLinesTable>): Promise<void> {
    await this.db.insertInto('goip_lines').values(line).execute();
  }

  findByLine(line: string): Promise<GoipLineRow | undefined> {
    return this.db.selectFrom('goip_lines').selectAll().where('line', '=', line).executeTakeFirst();
  }

  async setNumber(id: number, numberId: number, now: number): Promise<void> {
    await this.db.updateTable('goip_lines').set({ number_id: numberId, updated_at: now }).where('id', '=', id).execute();
  }

  /** Every line, or one supplier's, in the order they were added. */
  list(supplierId?: number): Promise<GoipLineListRow[]> {
    return this.db
      .selectFrom('goip_lines as l')
      .innerJoin('suppliers as s', 's.id', 'l.supplier_id')
      .leftJoin('numbers as n', 'n.id', 'l.number_id')
      .select(['l.line', 'l.country', 'l.created_at', 's.name as supplier', 'n.number', 'n.online', 'n.last_seen_at'])
      .$if(supplierId !== undefined, (q) => q.where('l.supplier_id', '=', supplierId!))
      .orderBy('l.id')
      .execute();
  }

  async remove(id: number): Promise<void> {
    await this.db.deleteFrom('goip_lines').where('id', '=', id).execute();
  }
}
