// What is for sale, in SMS-Activate's terms: platform.stock.rows() grouped by service code and
// SMS-Activate country id. getNumbersStatus, getPrices, getTopCountriesByService, getServicesList,
// getOperators and getCountries all read this one grouping.
import type { CountryName, ServiceName } from '../../domain/names.js';
import type { StockRow } from '../../domain/stock.js';

export interface Offer {
  /** SMS-Activate country id. */
  country: number;
  iso: string;
  /**
   * Free numbers. Projects on one channel draw on the same numbers, so each (channel, operator) is
   * counted once however many projects of the service sell there; an upper bound, like stock counts.
   */
  count: number;
  /** The cheapest list price (cents) of a project with a free number; of any project when none has one. */
  price: number;
  /** Free numbers by list price (cents), for freePriceMap. */
  byPrice: Map<number, number>;
  /** Operators of the free numbers ('any' left out). */
  operators: Set<string>;
}

/** service code -> SMS-Activate country id -> offer. */
export type Offers = Map<string, Map<number, Offer>>;

export interface Vocabulary {
  services: ServiceName[];
  countries: CountryName[];
}

/**
 * Groups the stock rows. A project whose service has no SMS-Activate code, or a country without an
 * SMS-Activate id, is not for sale on this surface. `operators` (lower case) narrows to those operators.
 */
export function offers(rows: StockRow[], names: Vocabulary, operators: string[] = []): Offers {
  const code = new Map(names.services.filter((s) => s.smsActivate !== null).map((s) => [s.id, s.smsActivate!]));
  const countryId = new Map(names.countries.filter((c) => c.smsActivate !== null).map((c) => [c.iso, c.smsActivate!]));
  const out: Offers = new Map();
  const counted = new Set<string>();
  const priceCounted = new Set<string>();
  for (const row of rows) {
    const service = code.get(row.service);
    const country = countryId.get(row.country);
    if (service === undefined || country === undefined) continue;
    if (operators.length > 0 && !operators.includes(row.operator.toLowerCase())) continue;
    let byCountry = out.get(service);
    if (!byCountry) out.set(service, (byCountry = new Map()));
    let offer = byCountry.get(country);
    if (!offer) {
      offer = { country, iso: row.country, count: 0, price: row.price, byPrice: new Map(), operators: new Set() };
      byCountry.set(country, offer);
    }
    offer.price = Math.min(offer.price, row.price);
    if (row.count > 0) {
      const pool = `${service}|${country}|${row.channel}|${row.operator}`;
      if (!counted.has(pool)) {
        counted.add(pool);
        offer.count += row.count;
      }
      const atPrice = `${pool}|${row.price}`;
      if (!priceCounted.has(atPrice)) {
        priceCounted.add(atPrice);
        offer.byPrice.set(row.price, (offer.byPrice.get(row.price) ?? 0) + row.count);
      }
      if (row.operator !== 'any') offer.operators.add(row.operator);
    }
  }
  // The price shown is the cheapest at which a number can be had now, else the cheapest listed.
  for (const byCountry of out.values()) {
    for (const offer of byCountry.values()) {
      if (offer.byPrice.size > 0) offer.price = Math.min(...offer.byPrice.keys());
    }
  }
  return out;
}
