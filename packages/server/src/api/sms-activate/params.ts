// Parameters of handler_api.php: from the query string and from an application/x-www-form-urlencoded
// (or JSON) body, the query winning on conflicts (reference §1.2). Each reader answers the token the
// protocol has for that parameter's mistakes.
import { SmsActivateToken } from './wire.js';

export type Params = Record<string, string>;

/**
 * One value per name. A repeated name keeps its last value, as PHP reads `a=1&a=2`; an empty value
 * is an absent one (clients send `operator=&maxPrice=`); non-string body values are ignored.
 */
function flatten(source: unknown, into: Params): void {
  if (source === null || typeof source !== 'object') return;
  for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    const text = typeof last === 'string' ? last : typeof last === 'number' ? String(last) : undefined;
    if (text !== undefined && text !== '') into[name] = text;
  }
}

export function collect(query: unknown, body: unknown): Params {
  const params: Params = Object.create(null) as Params;
  flatten(body, params);
  flatten(query, params); // the query wins
  return params;
}

/** An urlencoded body as name -> values (repeated names keep every value; `flatten` keeps the last). */
export function formFields(body: string): Record<string, string[]> {
  const fields: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [name, value] of new URLSearchParams(body)) (fields[name] ??= []).push(value);
  return fields;
}

/** An activation id: decimal digits. Anything else answers `malformed`. */
export function activationId(params: Params, malformed: 'NO_ACTIVATION' | 'WRONG_ACTIVATION_ID'): number {
  const id = params.id?.trim();
  if (id === undefined || !/^\d{1,15}$/.test(id)) throw new SmsActivateToken(malformed);
  return Number(id);
}

/** A comma list (operators, prefixes), lower case, blanks left out. */
export function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');
}

/** Operators as the pool names them; `any` and anything no operator could be called are left out. */
export const operators = (value: string | undefined): string[] => list(value).filter((o) => o !== 'any' && /^[a-z0-9_.+ -]{1,64}$/.test(o));

/**
 * phoneException: number prefixes to avoid, "country code plus 3 to 6 digits" ([SA-AE]); we take any
 * 1 to 15 digits (a leading '+' is dropped). A malformed list is WRONG_EXCEPTION_PHONE.
 */
export function phoneExceptions(value: string | undefined): string[] {
  const prefixes = list(value).map((p) => p.replace(/^\+/, ''));
  if (prefixes.some((p) => !/^\d{1,15}$/.test(p))) throw new SmsActivateToken('WRONG_EXCEPTION_PHONE');
  return prefixes;
}

/**
 * maxPrice in dollars ("0.5", "12.34") as whole cents, rounded down: never more than the customer
 * said. Undefined when absent. A value that is no amount (negative, a comma, words) is below every
 * offer, so it answers WRONG_MAX_PRICE with the cheapest price, as a price too low does.
 */
export function maxPrice(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{1,9})(?:\.(\d*))?$/.exec(value.trim());
  if (!match) return -1;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0').slice(0, 2));
}

/** A whole number parameter within [min, max]; the default when absent or malformed. */
export function whole(value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !/^\d{1,15}$/.test(value.trim())) return fallback;
  return Math.min(max, Math.max(min, Number(value.trim())));
}

/** getHistory's start/end: Unix seconds, as epoch milliseconds; malformed is WRONG_DATE. */
export function unixSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,12}$/.test(value.trim())) throw new SmsActivateToken('WRONG_DATE');
  return Number(value.trim()) * 1000;
}

/** A yes/no flag as clients send it: true, 1. */
export const flag = (value: string | undefined): boolean => value !== undefined && ['1', 'true', 'yes'].includes(value.trim().toLowerCase());
