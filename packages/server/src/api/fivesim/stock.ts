// What is for sale, in 5SIM's terms: platform.stock.rows() grouped by country slug, product and
// operator. /guest/products, /guest/prices and the operators of /guest/countries all read this one
// grouping.
import type { CountryName, ServiceName } from '../../domain/names.js';
import type { StockRow } from '../../domain/stock.js';

export interface Offer {
  /**
   * Free numbers. Projects on one channel draw on the same numbers, so each channel is counted once
   * however many projects of the product sell there; an upper bound, like every stock count.
   */
  count: number;
  /** The cheapest list price (cents) of a project with a free number; of any project when none has one. */
  price: number;
}

/** One (country, product, operator) for sale. */
export interface Listing extends Offer {
  /** 5SIM country slug and ISO code. */
  country: string;
  iso: string;
  product: string;
  /** The numbers' operator as suppliers registered it; `any` where they named none. */
  operator: string;
}

export interface Vocabulary {
  services: ServiceName[];
  countries: CountryName[];
}

/**
 * Every (country, product, operator) for sale. A project whose service has no 5SIM name, or a
 * country without a 5SIM slug, is not for sale on this surface.
 */
export function listings(rows: StockRow[], names: Vocabulary): Listing[] {
  const product = new Map(names.services.map((s) => [s.id, s.fivesim]));
  const slug = new Map(names.countries.filter((c) => c.fivesim !== null).map((c) => [c.iso, c.fivesim!]));
  const byKey = new Map<string, Listing & { cheapestFree: number }>();
  const counted = new Set<string>();
  for (const row of rows) {
    const p = product.get(row.service);
    const country = slug.get(row.country);
    if (p === undefined || country === undefined) continue;
    const key = `${country}|${p}|${row.operator}`;
    let listing = byKey.get(key);
    if (!listing) byKey.set(key, (listing = { country, iso: row.country, product: p, operator: row.operator, count: 0, price: row.price, cheapestFree: Infinity }));
    listing.price = Math.min(listing.price, row.price);
    if (row.count > 0) {
      listing.cheapestFree = Math.min(listing.cheapestFree, row.price);
      const pool = `${key}|${row.channel}`;
      if (!counted.has(pool)) {
        counted.add(pool);
        listing.count += row.count;
      }
    }
  }
  return [...byKey.values()].map(({ cheapestFree, ...l }) => ({ ...l, price: Number.isFinite(cheapestFree) ? cheapestFree : l.price }));
}

/** Several listings as one offer: counts add up (their numbers differ), the price is the cheapest with a number. */
export function merge(offers: Offer[]): Offer {
  const available = offers.filter((o) => o.count > 0);
  const priced = available.length > 0 ? available : offers;
  return { count: offers.reduce((n, o) => n + o.count, 0), price: Math.min(...priced.map((o) => o.price)) };
}

/** Groups values by a key, keeping first-seen order. */
export function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
