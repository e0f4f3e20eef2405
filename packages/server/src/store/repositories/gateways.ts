import type { Insertable, Kysely } from 'kysely';
import type { Database, GatewayRow, GatewaysTable } from '../schema.js';

/** A gateway as admins list it, with its supplier's name. */
export type GatewayListRow = GatewayRow & { supplier: string };

export class GatewayRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(gateway: Insertable<GatewaysTable>): Promise<number> {
    const row = await this.db.insertInto('gateways').values(gateway).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  findByTokenHash(tokenHash: string): Promise<GatewayRow | undefined> {
    return this.db.selectFrom('gateways').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  /** Every gateway, or one supplier's, oldest first. */
  list(supplierId?: number): Promise<GatewayListRow[]> {
    return this.db
      .selectFrom('gateways as g')
      .innerJoin('suppliers as s', 's.id', 'g.supplier_id')
      .selectAll('g')
      .select('s.name as supplier')
      .$if(supplierId !== undefined, (q) => q.where('g.supplier_id', '=', supplierId!))
      .orderBy('g.id')
      .execute();
  }

  async setToken(id: number, token: { hash: string; prefix: string }, now: number): Promise<void> {
    await this.db.updateTable('gateways').set({ token_hash: token.hash, token_prefix: token.prefix, updated_at: now }).where('id', '=', id).execute();
  }

  async remove(id: number): Promise<void> {
    await this.db.deleteFrom('gateways').where('id', '=', id).execute();
  }
}
