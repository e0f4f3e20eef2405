import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Database, SupplierRow, SuppliersTable } from '../schema.js';

/** A supplier with its pool (numbers not removed, online ones) and what it is owed. */
export type SupplierSummaryRow = SupplierRow & { numbers: number; online: number; balance: number };

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

  async update(id: number, changes: Updateable<SuppliersTable>): Promise<void> {
    await this.db.updateTable('suppliers').set(changes).where('id', '=', id).execute();
  }

  /** Every supplier, or the one with this name, by age. */
  async summaries(name?: string): Promise<SupplierSummaryRow[]> {
    const rows = await this.db
      .selectFrom('suppliers as s')
      .innerJoin('accounts as a', 'a.supplier_id', 's.id')
      .selectAll('s')
      .select((eb) => {
        const pool = (online: boolean) =>
          eb
            .selectFrom('numbers as n')
            .select((e) => e.fn.countAll<number>().as('c'))
            .whereRef('n.supplier_id', '=', 's.id')
            .where('n.removed_at', 'is', null)
            .$if(online, (q) => q.where('n.online', '=', 1));
        return ['a.balance', pool(false).as('numbers'), pool(true).as('online')];
      })
      .$if(name !== undefined, (q) => q.where('s.name', '=', name!))
      .orderBy('s.id')
      .execute();
    // count() arrives as a string from Postgres.
    return rows.map((r) => ({ ...r, numbers: Number(r.numbers ?? 0), online: Number(r.online ?? 0) }));
  }

  /** The channels each supplier serves, in order. */
  async channelsOf(supplierIds: number[]): Promise<Map<number, number[]>> {
    const byId = new Map<number, number[]>();
    if (supplierIds.length === 0) return byId;
    const rows = await this.db
      .selectFrom('supplier_channels')
      .select(['supplier_id', 'channel_id'])
      .where('supplier_id', 'in', supplierIds)
      .orderBy('supplier_id')
      .orderBy('channel_id')
      .execute();
    for (const row of rows) byId.set(row.supplier_id, [...(byId.get(row.supplier_id) ?? []), row.channel_id]);
    return byId;
  }

  async removeChannel(supplierId: number, channelId: number): Promise<void> {
    await this.db.deleteFrom('supplier_channels').where('supplier_id', '=', supplierId).where('channel_id', '=', channelId).execute();
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

  /**
   * The supplier's share rate and the account its share goes to; `remoteCost` when a remote supplier
   * served the order (what the remote charges us for it, which is then the share).
   */
  async payee(supplierId: number, orderId: number): Promise<{ shareBp: number; accountId: number; remoteCost: number | null } | undefined> {
    const row = await this.db
      .selectFrom('suppliers as s')
      .innerJoin('accounts as a', 'a.supplier_id', 's.id')
      .leftJoin('remote_activations as r', (join) => join.on('r.order_id', '=', orderId))
      .select(['s.share_bp', 'a.id', 'r.cost'])
      .where('s.id', '=', supplierId)
      .executeTakeFirst();
    return row && { shareBp: row.share_bp, accountId: row.id, remoteCost: row.cost === null ? null : Number(row.cost) };
  }
}
