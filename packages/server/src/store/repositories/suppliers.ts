import type { Insertable, Kysely } from 'kysely';
import type { Database, SupplierRow, SuppliersTable } from '../schema.js';

export class SupplierRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(supplier: Insertable<SuppliersTable>): Promise<number> {
    const row = await this.db.insertInto('suppliers').values(supplier).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  findByKeyHash(keyHash: string): Promise<SupplierRow | undefined> {
    return this.db.selectFrom('suppliers').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
  }

  findById(id: number): Promise<SupplierRow | undefined> {
    return this.db.selectFrom('suppliers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByName(name: string): Promise<SupplierRow | undefined> {
    return this.db.selectFrom('suppliers').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async addChannel(supplierId: number, channelId: number): Promise<void> {
    await this.db
      .insertInto('supplier_channels')
      .values({ supplier_id: supplierId, channel_id: channelId })
      .onConflict((oc) => oc.columns(['supplier_id', 'channel_id']).doNothing())
      .execute();
  }

  /** Whether any enabled supplier serves the channel at all. */
  async channelHasSuppliers(channelId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('supplier_channels as sc')
      .innerJoin('suppliers as s', 's.id', 'sc.supplier_id')
      .select('sc.supplier_id')
      .where('sc.channel_id', '=', channelId)
      .where('s.enabled', '=', 1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The supplier's share rate and the account its share goes to. */
  async payee(supplierId: number): Promise<{ shareBp: number; accountId: number } | undefined> {
    const row = await this.db
      .selectFrom('suppliers as s')
      .innerJoin('accounts as a', 'a.supplier_id', 's.id')
      .select(['s.share_bp', 'a.id'])
      .where('s.id', '=', supplierId)
      .executeTakeFirst();
    return row && { shareBp: row.share_bp, accountId: row.id };
  }
}
