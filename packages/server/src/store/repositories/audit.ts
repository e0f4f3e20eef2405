import type { Insertable, Kysely } from 'kysely';
import type { AuditLogRow, AuditLogTable, Database } from '../schema.js';
import { contains } from './search.js';

export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(entry: Insertable<AuditLogTable>): Promise<void> {
    await this.db.insertInto('audit_log').values(entry).execute();
  }

  /** Newest first; `target` is exact (user:alice), `search` matches part of the actor, action or target. */
  async list(filter: { target?: string | undefined; search?: string | undefined }, page: { offset: number; limit: number }): Promise<{ count: number; rows: AuditLogRow[] }> {
    let q = this.db.selectFrom('audit_log');
    if (filter.target !== undefined) q = q.where('target', '=', filter.target);
    const search = filter.search;
    if (search) q = q.where((eb) => eb.or([contains('actor', search), contains('action', search), contains('target', search)]));
    const [total, rows] = await Promise.all([
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      q.selectAll().orderBy('id', 'desc').offset(page.offset).limit(page.limit).execute(),
    ]);
    return { count: Number(total.n), rows };
  }
}
