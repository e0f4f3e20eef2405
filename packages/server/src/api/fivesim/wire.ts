// The 5SIM v1 wire shapes (reference fivesim-v1.md §3-§5): JSON objects with the field names and the
// field order 5sim.net sends, money as JSON numbers in dollars (from integer cents), integer order
// ids, phones with '+', RFC 3339 UTC times with microseconds, lower-case names for countries and
// products. Errors are plain text. Object literals keep insertion order under JSON.stringify, so each
// builder lists its keys in 5SIM's order; map-shaped answers (countries, products, prices) come with
// their keys sorted, as 5sim.net's Go encoder sorts map keys.
import type { ActivationView, DeliveredSms } from '../../domain/orders.js';
import type { AccountProfile, Payment } from '../../domain/users.js';
import type { Shape } from '../rejections.js';

/**
 * Exactly `application/json`, without `; charset=utf-8`: PyFiveSim's sync client compares the header
 * with `==` and treats anything else as an error (reference §1).
 */
export const JSON_TYPE = 'application/json';
/** Errors: lower-case plain text, e.g. `no free phones` (reference §1, §6). */
export const TEXT_TYPE = 'text/plain; charset=utf-8';

/** 5SIM's order statuses (reference §4). */
export type FivesimStatus = 'PENDING' | 'RECEIVED' | 'CANCELED' | 'TIMEOUT' | 'FINISHED' | 'BANNED';

/** Cents as a JSON number of dollars: 25 -> 0.25, 100 -> 1 (the shortest decimal that reads back the same). */
export const dollars = (cents: number): number => cents / 100;

/** `2026-01-12T14:36:26.592000Z`: RFC 3339 with six fractional digits, as 5sim.net's `created_at` and `expires`. */
export const time = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** `2026-01-12T14:36:26Z`: an SMS's `date` (when the phone got it), to the second as in 5SIM's examples. */
export const secondTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const phone = (digits: string): string => `+${digits}`;

/**
 * How an order stands in 5SIM's words. Live: PENDING until a delivered SMS, then RECEIVED. Ended:
 * a ban (shield) is BANNED; one that got its SMS is FINISHED however it ended (finish, release, or
 * the window closing: the customer has its code and was charged); without an SMS an expiry is
 * TIMEOUT and a cancel (release) CANCELED. An order that ended before end reasons were recorded
 * reads as CANCELED without an SMS: it was refunded either way.
 */
export function status(a: Pick<ActivationView, 'numberStatus' | 'smsStatus' | 'endReason'>): FivesimStatus {
  const hasSms = a.smsStatus === 'received';
  if (a.numberStatus === 'receiving') return hasSms ? 'RECEIVED' : 'PENDING';
  if (a.endReason === 'shield') return 'BANNED';
  if (hasSms) return 'FINISHED';
  return a.endReason === 'expire' ? 'TIMEOUT' : 'CANCELED';
}

/** How the order's parts are named on this surface: the product and the country slug. */
export interface OrderNames {
  product: string;
  country: string;
}

/** One SMS of an order: created_at (when we took it in), date (when the phone got it), sender, text, code. */
export const smsItem = (m: DeliveredSms) => ({
  created_at: time(m.createdAt),
  date: secondTime(m.receivedAt),
  sender: m.sender,
  text: m.text,
  code: m.code,
});

/**
 * The order object, always with all twelve fields (PyFiveSim requires operator and country on every
 * order) in the order of 5SIM's buy answer. `sms` is null right after a purchase, an array after.
 */
export function order(
  o: { id: number; number: string; operator: string; price: number; status: FivesimStatus; expiresAt: number; createdAt: number },
  names: OrderNames,
  sms: DeliveredSms[] | null,
) {
  return {
    id: o.id,
    phone: phone(o.number),
    operator: o.operator,
    product: names.product,
    price: dollars(o.price),
    status: o.status,
    expires: time(o.expiresAt),
    sms: sms === null ? null : sms.map(smsItem),
    created_at: time(o.createdAt),
    forwarding: false,
    forwarding_number: '',
    country: names.country,
  };
}

export const activationOrder = (a: ActivationView, names: OrderNames, sms: DeliveredSms[]) =>
  order({ id: a.activationId, number: a.number, operator: a.operator, price: a.price, status: status(a), expiresAt: a.expiresAt, createdAt: a.createdAt }, names, sms);

/** The SMS list of /user/sms/inbox: 5SIM's hosting inbox shape (upper-case `ID`), for any order. */
export const inbox = (sms: DeliveredSms[]) => ({
  Data: sms.map((m) => ({ ID: m.id, created_at: time(m.createdAt), date: secondTime(m.receivedAt), sender: m.sender, text: m.text, code: m.code, is_wave: false, wave_uuid: '' })),
  Total: sms.length,
});

/** `country:product:operator:service id:price`, as 5sim.net's profile writes `last_order`. */
const orderLine = (o: { country: string; product: string; operator: string; myPid: number; price: number }) =>
  `${o.country}:${o.product}:${o.operator}:${o.myPid}:${(o.price / 100).toFixed(2)}`;

/** What a customer with no order yet shows (our invention: 5SIM's value for a new account is unknown). */
const NO_ORDER = { country: 'any', product: 'other', operator: 'any', myPid: 0, price: 0 };

/** We keep no rating: every customer has 5SIM's highest, 96; the active-order cap plays its part. */
export const RATING = 96;

/**
 * The profile: 5SIM's documented fields in its order, then those PyFiveSim requires (did_order,
 * last_order, last_top_orders, last_top_idx, total_active_orders). `balance` is what the customer may
 * spend; `frozen_balance` what live orders hold.
 */
export function profile(p: AccountProfile, last: { country: string; product: string; iso: string; prefix: string } | null) {
  const line = orderLine(p.lastOrder && last ? { ...p.lastOrder, country: last.country, product: last.product } : NO_ORDER);
  return {
    id: p.id,
    email: p.email,
    vendor: '',
    default_forwarding_number: '',
    balance: dollars(p.balance),
    rating: RATING,
    default_country: { name: last?.country ?? '', iso: last?.iso ?? '', prefix: last?.prefix ?? '' },
    default_operator: { name: '' },
    frozen_balance: dollars(p.held),
    did_order: p.lastOrder !== null,
    last_order: line,
    last_top_orders: `[${line}]`,
    last_top_idx: 0,
    total_active_orders: p.activeOrders,
  };
}

/** A recharge and an admin's adjustment are `charge` (money in, or an admin's correction); an order's charge is `buy`. */
const PAYMENT_TYPE: Record<Payment['kind'], string> = { recharge: 'charge', adjustment: 'charge', charge: 'buy' };

/** /user/payments: the ledger's moves of posted money; ProviderName is the payment method, `admin`, or the product bought. */
export function payments(result: { total: number; payments: Payment[] }, productOf: (service: string) => string) {
  const data = result.payments.map((p) => ({
    ID: p.id,
    TypeName: PAYMENT_TYPE[p.kind],
    ProviderName: p.kind === 'charge' ? productOf(p.source) : p.source,
    Amount: dollars(p.amount),
    Balance: dollars(p.balance),
    CreatedAt: time(p.createdAt),
  }));
  const names = (values: string[]) => [...new Set(values)].map((Name) => ({ Name }));
  return { Data: data, PaymentTypes: names(data.map((d) => d.TypeName)), PaymentProviders: names(data.map((d) => d.ProviderName)), Total: result.total };
}

/** An object with its keys in sorted order (5sim.net's maps arrive sorted). */
export function sorted<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[key] = value;
  return out;
}

/**
 * A refusal of the HTTP layer (unknown route, wrong method, malformed or slow request, rate limit) as
 * 5SIM words errors: its status, a lower-case plain-text body.
 */
export const rejectionShape: Shape = (r) => ({ status: r.status, body: r.message.charAt(0).toLowerCase() + r.message.slice(1), type: TEXT_TYPE });
