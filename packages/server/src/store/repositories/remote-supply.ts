import { sql, type Insertable, type Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';
import type { Database, RemoteActivationRow, RemoteActivationsTable, RemoteProtocol, SupplierRemoteRow, SupplierRemotesTable } from '../schema.js';

/** A remote supplier as the acquire path asks it: where, with what key, for what share. */
export type RemoteSupplierRow = SupplierRemoteRow & { name: string; share_bp: number };

/** A claimed activation with what the job needs: its order's state and the remote's address. */
export type ClaimedActivationRow = RemoteActivationRow & {
  protocol: RemoteProtocol;
  url: string;
  key: string;
  number: string;
  number_status: 'receiving' | 'released';
  sms_status: 'waiting' | 'received' | 'failed';
  retry_at: number | null;
};

export class RemoteSupplyRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectSupport,
  ) {}

  async insertRemote(row: Insertable<SupplierRemotesTable>): Promise<void> {
    await this.db.insertInto('supplier_remotes').values(row).execute();
  }

  /** Enabled remote suppliers serving the channel, oldest first. */
  serving(channelId: number): Promise<RemoteSupplierRow[]> {
    return this.db
      .selectFrom('supplier_remotes as r')
      .innerJoin('suppliers as s', 's.id', 'r.supplier_id')
      .innerJoin('supplier_channels as sc', 'sc.supplier_id', 's.id')
      .selectAll('r')
      .select(['s.name', 's.share_bp'])
      .where('sc.channel_id', '=', channelId)
      .where('s.enabled', '=', 1)
      .orderBy('r.supplier_id')
      .execute();
  }

  /** Every enabled remote supplier of a protocol. */
  ofProtocol(protocol: RemoteProtocol): Promise<SupplierRemoteRow[]> {
    return this.db
      .selectFrom('supplier_remotes as r')
      .innerJoin('suppliers as s', 's.id', 'r.supplier_id')
      .selectAll('r')
      .where('r.protocol', '=', protocol)
      .where('s.enabled', '=', 1)
      .execute();
  }

  /** The enabled remote supplier whose key this is (SMSHub agents authenticate their pushes with it). */
  byKey(protocol: RemoteProtocol, key: string): Promise<SupplierRemoteRow | undefined> {
    return this.db
      .selectFrom('supplier_remotes as r')
      .innerJoin('suppliers as s', 's.id', 'r.supplier_id')
      .selectAll('r')
      .where('r.protocol', '=', protocol)
      .where('r.key', '=', key)
      .where('s.enabled', '=', 1)
      .executeTakeFirst();
  }

  /** Which suppliers are remote, and how: for the admin list. */
  async protocolsOf(supplierIds: number[]): Promise<Map<number, { protocol: RemoteProtocol; url: string; markupBp: number }>> {
    const byId = new Map<number, { protocol: RemoteProtocol; url: string; markupBp: number }>();
    if (supplierIds.length === 0) return byId;
    const rows = await this.db.selectFrom('supplier_remotes').select(['supplier_id', 'protocol', 'url', 'markup_bp']).where('supplier_id', 'in', supplierIds).execute();
    for (const r of rows) byId.set(r.supplier_id, { protocol: r.protocol, url: r.url, markupBp: r.markup_bp });
    return byId;
  }

  /** Whether the project's rules let this user have the number: never used for it, not blacklisted for it, not shielded by the user. */
  async allowed(numberId: number, projectId: number, userId: number): Promise<boolean> {
    const hit = await this.db
      .selectFrom('number_usages')
      .select('number_id')
      .where('number_id', '=', numberId)
      .where('project_id', '=', projectId)
      .union((eb) => eb.selectFrom('number_blacklist').select('number_id').where('number_id', '=', numberId).where('project_id', '=', projectId))
      .union((eb) => eb.selectFrom('number_shields').select('number_id').where('number_id', '=', numberId).where('project_id', '=', projectId).where('user_id', '=', userId))
      .executeTakeFirst();
    return hit === undefined;
  }

  /** The supplier's numbers the project must never get again (used, blacklisted) or this user shielded: SMSHub's exceptionPhoneSet. */
  async excluded(supplierId: number, projectId: number, userId: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('numbers as n')
      .select('n.number')
      .where('n.supplier_id', '=', supplierId)
      .where(({ or, exists, selectFrom }) =>
        or([
          exists(selectFrom('number_usages as u').select('u.number_id').whereRef('u.number_id', '=', 'n.id').where('u.project_id', '=', projectId)),
          exists(selectFrom('number_blacklist as b').select('b.number_id').whereRef('b.number_id', '=', 'n.id').where('b.project_id', '=', projectId)),
          exists(
            selectFrom('number_shields as sh').select('sh.number_id').whereRef('sh.number_id', '=', 'n.id').where('sh.project_id', '=', projectId).where('sh.user_id', '=', userId),
          ),
        ]),
      )
      .orderBy('n.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => r.number);
  }

  async insertActivation(row: Insertable<RemoteActivationsTable>): Promise<void> {
    await this.db.insertInto('remote_activations').values(row).execute();
  }

  /**
   * Live activations due now, or whose order has ended and no end was tried for yet (a failed end
   * waits out its backoff), leased until `leaseUntil`: another node skips them meanwhile, and one that
   * died leaves the lease to run out.
   */
  async claimDue(now: number, leaseUntil: number, limit: number): Promise<ClaimedActivationRow[]> {
    let q = this.db
      .selectFrom('remote_activations as a')
      .innerJoin('supplier_remotes as r', 'r.supplier_id', 'a.supplier_id')
      .innerJoin('orders as o', 'o.id', 'a.order_id')
      .selectAll('a')
      .select(['r.protocol', 'r.url', 'r.key', 'o.number', 'o.number_status', 'o.sms_status', 'o.retry_at'])
      .where('a.state', '=', sql.lit('live'))
      .where('a.lease_until', '<=', now)
      .where((eb) => eb.or([eb('a.due_at', '<=', now), eb.and([eb('o.number_status', '=', sql.lit('released')), eb('a.failures', '=', 0)])]))
      .orderBy('a.due_at')
      .limit(limit);
    if (this.dialect.rowLocks) q = q.forUpdate('a').skipLocked();
    const rows = await q.execute();
    if (rows.length > 0) {
      await this.db
        .updateTable('remote_activations')
        .set({ lease_until: leaseUntil })
        .where('order_id', 'in', rows.map((r) => r.order_id))
        .execute();
    }
    return rows;
  }

  /** Whether any is due: a read, so that an idle node costs no write transaction. */
  async anyDue(now: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('remote_activations as a')
      .innerJoin('orders as o', 'o.id', 'a.order_id')
      .select('a.order_id')
      .where('a.state', '=', sql.lit('live'))
      .where('a.lease_until', '<=', now)
      .where((eb) => eb.or([eb('a.due_at', '<=', now), eb.and([eb('o.number_status', '=', sql.lit('released')), eb('a.failures', '=', 0)])]))
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async update(orderId: number, changes: { state: 'live' | 'ended'; due_at: number; failures: number; retry_sent_at?: number; updated_at: number }): Promise<void> {
    await this.db.updateTable('remote_activations').set({ ...changes, lease_until: 0 }).where('order_id', '=', orderId).execute();
  }

  /** An SMSHub agent's GET_SERVICES answer replaces what it said before. */
  async replaceStock(supplierId: number, rows: { service: string; country: string; count: number }[], now: number): Promise<void> {
    await this.db.deleteFrom('remote_stock').where('supplier_id', '=', supplierId).execute();
    if (rows.length > 0) await this.db.insertInto('remote_stock').values(rows.map((r) => ({ supplier_id: supplierId, ...r, updated_at: now }))).execute();
  }

  /** Agents' free numbers by channel, service and country (enabled suppliers, counts seen since `since`). */
  async stockCounts(since: number): Promise<{ channel_id: number; service: string; country: string; n: number }[]> {
    const rows = await this.db
      .selectFrom('remote_stock as st')
      .innerJoin('suppliers as s', 's.id', 'st.supplier_id')
      .innerJoin('supplier_channels as sc', 'sc.supplier_id', 's.id')
      .select(['sc.channel_id', 'st.service', 'st.country', (eb) => eb.fn.sum<number | string>('st.count').as('n')])
      .where('s.enabled', '=', 1)
      .where('st.updated_at', '>=', since)
      .groupBy(['sc.channel_id', 'st.service', 'st.country'])
      .execute();
    return rows.map((r) => ({ channel_id: r.channel_id, service: r.service, country: r.country, n: Number(r.n) }));
  }

  /** What the agent last said it has of a service in a country (0 when it did not say). */
  async stockOf(supplierId: number, service: string, country: string): Promise<number> {
    const row = await this.db
      .selectFrom('remote_stock')
      .select('count')
      .where('supplier_id', '=', supplierId)
      .where('service', '=', service)
      .where('country', '=', country)
      .executeTakeFirst();
    return row?.count ?? 0;
  }
}
