// What is for sale now: every open project, by country and operator, at its price, with how many
// numbers are free. SMS-Activate's getNumbersStatus and getPrices, 5SIM's products and prices, and
// FASTPVA's stock route all read it. Counting walks every online number, so the table is computed at
// most once per STOCK_TTL_MS per process and shared by every caller in the meantime.
import type { Store } from '../store/store.js';
import { TtlCache } from './cache.js';
import type { Clock } from './clock.js';
import { DomainError } from './errors.js';
import { AGENT_STOCK_FRESH_MS } from './remote-supply.js';

export interface StockRow {
  myPid: number;
  enname: string;
  /** The project's service (canonical id where the vocabulary knows it). */
  service: string;
  channel: number;
  country: string;
  operator: string;
  /** The project's price in that country, in cents (customers with their own price pay that instead). */
  price: number;
  /**
   * Numbers free now on the project's channel in that country from that operator. An upper bound for
   * one project: a number that already served the project is counted but not handed out again.
   */
  count: number;
}

/** Free numbers of one project in one country (every operator together). */
export interface CountryStock {
  country: string;
  count: number;
}

/**
 * One project's free numbers by country, most first: each country it sells in (a priced country with
 * none free at 0). The buy page and FASTPVA's stock route read it.
 */
export function projectStock(rows: StockRow[], myPid: number): CountryStock[] {
  const free = new Map<string, number>();
  for (const row of rows) if (row.myPid === myPid) free.set(row.country, (free.get(row.country) ?? 0) + row.count);
  return [...free].map(([country, count]) => ({ country, count })).sort((a, b) => b.count - a.count || a.country.localeCompare(b.country));
}

const STOCK_TTL_MS = 10_000;

interface StockTable {
  rows: StockRow[];
  /** Every open project, those with no row (nothing free, no country prices) too. */
  open: Set<number>;
}

export class StockService {
  private readonly table: TtlCache<'all', StockTable>;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {
    this.table = new TtlCache(clock, STOCK_TTL_MS);
  }

  /** Every (project, country, operator) with free numbers, or with a price and none free. */
  async rows(): Promise<StockRow[]> {
    return (await this.read()).rows;
  }

  /** An open project's free numbers by country; `Invalid Service ID` for a project not for sale. */
  async ofProject(myPid: number): Promise<CountryStock[]> {
    const table = await this.read();
    if (!table.open.has(myPid)) throw new DomainError('PROJECT_NOT_FOUND', 'Invalid Service ID');
    return projectStock(table.rows, myPid);
  }

  /** A project changed in this process: count again on the next read (other processes within STOCK_TTL_MS). */
  forget(): void {
    this.table.clear();
  }

  private async read(): Promise<StockTable> {
    return (await this.table.get('all', () => this.compute()))!;
  }

  private async compute(): Promise<StockTable> {
    const read = this.store.read;
    const [projects, free, agents] = await Promise.all([
      read.catalog.openProjects(),
      read.numbers.freeCounts(),
      read.remoteSupply.stockCounts(this.clock.now() - AGENT_STOCK_FRESH_MS),
    ]);
    const prices = await read.catalog.countryPrices(projects.filter((p) => p.support_country).map((p) => p.id));
    const byChannel = new Map<number, typeof free>();
    for (const f of free) {
      const list = byChannel.get(f.channel_id);
      if (list) list.push(f);
      else byChannel.set(f.channel_id, [f]);
    }
    const rows: StockRow[] = [];
    for (const p of projects) {
      const own = prices.get(p.id);
      const base = { myPid: p.id, enname: p.enname, service: p.service, channel: p.channel_id };
      const counted = new Set<string>();
      for (const f of byChannel.get(p.channel_id) ?? []) {
        const price = own ? own.get(f.country) : p.selling_price;
        if (price === undefined) continue; // the project does not sell in that country
        rows.push({ ...base, country: f.country, operator: f.operator, price, count: f.n });
        counted.add(f.country);
      }
      // SMSHub agents' free numbers of the project's service (their GET_SERVICES), as operator 'any'.
      for (const a of agents) {
        if (a.channel_id !== p.channel_id || a.service !== p.service) continue;
        const price = own ? own.get(a.country) : p.selling_price;
        if (price === undefined) continue;
        const local = rows.find((r) => r.myPid === p.id && r.country === a.country && r.operator === 'any');
        if (local) local.count += a.n;
        else rows.push({ ...base, country: a.country, operator: 'any', price, count: a.n });
        counted.add(a.country);
      }
      // Priced countries with nothing free still show, at 0.
      for (const [country, price] of own ?? []) if (!counted.has(country)) rows.push({ ...base, country, operator: 'any', price, count: 0 });
    }
    return { rows, open: new Set(projects.map((p) => p.id)) };
  }
}
