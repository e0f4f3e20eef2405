import type { Kysely } from 'kysely';
import type { CountriesTable, CountryRow, Database, ServiceRow, ServicesTable } from '../schema.js';

/** How the SMS-Activate and 5SIM protocols name services and countries (small tables, read whole). */
export class NameRepository {
  constructor(private readonly db: Kysely<Database>) {}

  services(): Promise<ServiceRow[]> {
    return this.db.selectFrom('services').selectAll().orderBy('id').execute();
  }

  countries(): Promise<CountryRow[]> {
    return this.db.selectFrom('countries').selectAll().orderBy('iso').execute();
  }

  /** Returns false when there is no such service. */
  async updateService(id: string, change: Partial<Omit<ServicesTable, 'id'>>): Promise<boolean> {
    const result = await this.db.updateTable('services').set(change).where('id', '=', id).executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async insertService(service: ServicesTable): Promise<void> {
    await this.db.insertInto('services').values(service).execute();
  }

  /** Returns false when there is no such country. */
  async updateCountry(iso: string, change: Partial<Omit<CountriesTable, 'iso' | 'name'>>): Promise<boolean> {
    const result = await this.db.updateTable('countries').set(change).where('iso', '=', iso).executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }
}
