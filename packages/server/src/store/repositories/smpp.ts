import type { Insertable, Kysely, Updateable } from 'kysely';
import type { DialectSupport } from '../dialect.js';
import type { Database, SmppAccountRow, SmppAccountsTable } from '../schema.js';

/** An SMPP account with whether its supplier may bind at all. */
export type SmppLogin = SmppAccountRow & { supplier_name: string; supplier_enabled: number };

export class SmppRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectSupport,
  ) {}

  private logins() {
    return this.db
      .selectFrom('smpp_accounts as a')
      .innerJoin('suppliers as s', 's.id', 'a.supplier_id')
      .selectAll('a')
      .select(['s.name as supplier_name', 's.enabled as supplier_enabled']);
  }

  findBySystemId(systemId: string): Promise<SmppLogin | undefined> {
    return this.logins().where('a.system_id', '=', systemId).executeTakeFirst();
  }

  findBySupplier(supplierId: number): Promise<SmppLogin | undefined> {
    return this.logins().where('a.supplier_id', '=', supplierId).executeTakeFirst();
  }

  async insert(account: Insertable<SmppAccountsTable>): Promise<void> {
    await this.db.insertInto('smpp_accounts').values(account).execute();
  }

  async update(supplierId: number, changes: Updateable<SmppAccountsTable>): Promise<void> {
    await this.db.updateTable('smpp_accounts').set(changes).where('supplier_id', '=', supplierId).execute();
  }

  /** Drops the supplier's partials that began before `before`: their missing parts are not coming. */
  async expirePartials(supplierId: number, before: number): Promise<void> {
    await this.db.deleteFrom('smpp_partials').where('supplier_id', '=', supplierId).where('created_at', '<', before).execute();
  }

  async countPartials(supplierId: number): Promise<number> {
    const row = await this.db
      .selectFrom('smpp_partials')
      .select((eb) => eb.fn.countAll<number>().as('c'))
      .where('supplier_id', '=', supplierId)
      .executeTakeFirstOrThrow();
    // count() arrives as a string from Postgres.
    return Number(row.c);
  }

  /**
   * The message's parts so far (a JSON array), creating the row with `empty` when it is new. On
   * Postgres the row stays locked until the transaction ends, so parts arriving at once on several
   * connections are added one after another and none is lost.
   */
  async lockPartial(supplierId: number, messageKey: string, empty: string, now: number): Promise<string> {
    await this.db
      .insertInto('smpp_partials')
      .values({ supplier_id: supplierId, message_key: messageKey, parts: empty, created_at: now })
      .onConflict((oc) => oc.columns(['supplier_id', 'message_key']).doNothing())
      .execute();
    let q = this.db.selectFrom('smpp_partials').select('parts').where('supplier_id', '=', supplierId).where('message_key', '=', messageKey);
    if (this.dialect.rowLocks) q = q.forUpdate();
    return (await q.executeTakeFirstOrThrow()).parts;
  }

  async savePartial(supplierId: number, messageKey: string, parts: string): Promise<void> {
    await this.db.updateTable('smpp_partials').set({ parts }).where('supplier_id', '=', supplierId).where('message_key', '=', messageKey).execute();
  }

  async deletePartial(supplierId: number, messageKey: string): Promise<void> {
    await this.db.deleteFrom('smpp_partials').where('supplier_id', '=', supplierId).where('message_key', '=', messageKey).execute();
  }
}
