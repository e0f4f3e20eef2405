import type { Insertable, Kysely, Updateable } from 'kysely';
import type { ChannelRow, Database, MaxPriceRow, ProjectRow, ProjectsTable } from '../schema.js';
import { contains } from './search.js';

export type ProjectUpdate = Updateable<ProjectsTable>;

export interface ProjectFilter {
  keyword?: string | undefined;
  /** undefined = every channel */
  channelId?: number | undefined;
  /** Only the projects this user collected. */
  collectedBy?: number | undefined;
  onlyEnabled?: boolean;
}

export class CatalogRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insertChannel(channel: { id: number; name: string; now: number }): Promise<void> {
    await this.db.insertInto('channels').values({ id: channel.id, name: channel.name, enabled: 1, created_at: channel.now }).execute();
  }

  findChannel(id: number): Promise<ChannelRow | undefined> {
    return this.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listChannels(): Promise<ChannelRow[]> {
    return this.db.selectFrom('channels').selectAll().orderBy('id').execute();
  }

  async insertProject(project: Insertable<ProjectsTable>): Promise<void> {
    await this.db.insertInto('projects').values(project).execute();
  }

  findProject(id: number): Promise<ProjectRow | undefined> {
    return this.db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Returns false when there is no such project. */
  async updateProject(id: number, changes: ProjectUpdate): Promise<boolean> {
    const result = await this.db.updateTable('projects').set(changes).where('id', '=', id).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Every enabled project on an enabled channel. */
  openProjects(): Promise<ProjectRow[]> {
    return this.db
      .selectFrom('projects as p')
      .innerJoin('channels as c', 'c.id', 'p.channel_id')
      .selectAll('p')
      .where('p.enabled', '=', 1)
      .where('c.enabled', '=', 1)
      .orderBy('p.id')
      .execute();
  }

  /** Enabled projects selling the service (projects.service holds its canonical id). */
  async projectIdsOfService(service: string): Promise<number[]> {
    const rows = await this.db.selectFrom('projects').select('id').where('service', '=', service).where('enabled', '=', 1).orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  findProjectByName(enname: string): Promise<ProjectRow | undefined> {
    return this.db.selectFrom('projects').selectAll().where('enname', '=', enname).executeTakeFirst();
  }

  async maxProjectId(): Promise<number> {
    const row = await this.db.selectFrom('projects').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
    return Number(row?.max ?? 0);
  }

  async listProjects(filter: ProjectFilter, page: { offset: number; limit: number }): Promise<{ count: number; rows: ProjectRow[] }> {
    let q = this.db.selectFrom('projects as p');
    if (filter.onlyEnabled !== false) q = q.where('p.enabled', '=', 1);
    if (filter.channelId !== undefined) q = q.where('p.channel_id', '=', filter.channelId);
    if (filter.keyword) q = q.where(contains('p.enname', filter.keyword));
    if (filter.collectedBy !== undefined) {
      const userId = filter.collectedBy;
      q = q.where(({ exists, selectFrom }) =>
        exists(selectFrom('collects as c').select('c.project_id').whereRef('c.project_id', '=', 'p.id').where('c.user_id', '=', userId)),
      );
    }
    const [total, rows] = await Promise.all([
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      q.selectAll('p').orderBy('p.id').offset(page.offset).limit(page.limit).execute(),
    ]);
    return { count: Number(total.n), rows };
  }

  async countryPrices(projectIds: number[]): Promise<Map<number, Map<string, number>>> {
    const byProject = new Map<number, Map<string, number>>();
    if (projectIds.length === 0) return byProject;
    const rows = await this.db
      .selectFrom('project_country_prices')
      .select(['project_id', 'country', 'price'])
      .where('project_id', 'in', projectIds)
      .orderBy('project_id')
      .orderBy('country')
      .execute();
    for (const row of rows) {
      let prices = byProject.get(row.project_id);
      if (!prices) byProject.set(row.project_id, (prices = new Map()));
      prices.set(row.country, row.price);
    }
    return byProject;
  }

  /** The project's country price list becomes exactly `prices` (empty: a project without countries). */
  async replaceCountryPrices(projectId: number, prices: [country: string, price: number][]): Promise<void> {
    await this.db.deleteFrom('project_country_prices').where('project_id', '=', projectId).execute();
    if (prices.length === 0) return;
    await this.db
      .insertInto('project_country_prices')
      .values(prices.map(([country, price]) => ({ project_id: projectId, country, price })))
      .execute();
  }

  async userPrices(userId: number, projectIds: number[]): Promise<Map<number, number>> {
    if (projectIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('user_project_prices')
      .select(['project_id', 'price'])
      .where('user_id', '=', userId)
      .where('project_id', 'in', projectIds)
      .execute();
    return new Map(rows.map((r) => [r.project_id, r.price]));
  }

  /** Every project the user has an own price for, by myPid. */
  /** The customer's max prices per service, oldest first. */
  maxPrices(userId: number): Promise<MaxPriceRow[]> {
    return this.db.selectFrom('max_prices').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  }

  async maxPriceOf(userId: number, service: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('max_prices').select('price').where('user_id', '=', userId).where('service', '=', service).executeTakeFirst();
    return row?.price;
  }

  /** Sets the customer's max price for a service (a new one or a change; the row keeps its id and date). */
  async setMaxPrice(row: { user_id: number; service: string; price: number; created_at: number }): Promise<void> {
    await this.db
      .insertInto('max_prices')
      .values(row)
      .onConflict((oc) => oc.columns(['user_id', 'service']).doUpdateSet({ price: row.price }))
      .execute();
  }

  async removeMaxPrice(userId: number, service: string): Promise<boolean> {
    const result = await this.db.deleteFrom('max_prices').where('user_id', '=', userId).where('service', '=', service).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  userPriceList(userId: number): Promise<{ project_id: number; enname: string; price: number }[]> {
    return this.db
      .selectFrom('user_project_prices as up')
      .innerJoin('projects as p', 'p.id', 'up.project_id')
      .select(['up.project_id', 'p.enname', 'up.price'])
      .where('up.user_id', '=', userId)
      .orderBy('up.project_id')
      .execute();
  }

  async setUserPrice(userId: number, projectId: number, price: number | null): Promise<void> {
    if (price === null) {
      await this.db.deleteFrom('user_project_prices').where('user_id', '=', userId).where('project_id', '=', projectId).execute();
      return;
    }
    await this.db
      .insertInto('user_project_prices')
      .values({ user_id: userId, project_id: projectId, price })
      .onConflict((oc) => oc.columns(['user_id', 'project_id']).doUpdateSet({ price }))
      .execute();
  }

  async collectedSet(userId: number, projectIds: number[]): Promise<Set<number>> {
    if (projectIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('collects')
      .select('project_id')
      .where('user_id', '=', userId)
      .where('project_id', 'in', projectIds)
      .execute();
    return new Set(rows.map((r) => r.project_id));
  }

  async addCollect(userId: number, projectId: number, now: number): Promise<void> {
    await this.db
      .insertInto('collects')
      .values({ user_id: userId, project_id: projectId, created_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'project_id']).doNothing())
      .execute();
  }

  async removeCollect(userId: number, projectId: number): Promise<void> {
    await this.db.deleteFrom('collects').where('user_id', '=', userId).where('project_id', '=', projectId).execute();
  }
}
