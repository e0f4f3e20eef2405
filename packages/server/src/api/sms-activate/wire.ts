// The SMS-Activate wire format (reference sms-activate.md): plain-text tokens with no surrounding
// whitespace, compact JSON where the protocol has JSON, money in dollars, times as
// "YYYY-MM-DD HH:MM:SS" in UTC. JSON field types follow the reference's default profile (§2.1): the
// documented types, except numbers for getPrices and getNumbersStatus counts.
import type { AcquiredNumber, ActivationView, DeliveredSms } from '../../domain/orders.js';
import type { Shape } from '../rejections.js';

export const TEXT_TYPE = 'text/plain; charset=utf-8';

/** ISO 4217 numeric code of the US dollar: balances and prices are in dollars. */
export const CURRENCY = 840;

/** A refusal in the protocol's words: the token is the whole reply body. */
export class SmsActivateToken extends Error {
  constructor(readonly token: string) {
    super(token);
    this.name = 'SmsActivateToken';
  }
}

/** Whole cents as dollars with two decimals, from integers only ("12.34"); never negative. */
export function dollars(cents: number): string {
  const c = Math.max(0, Math.round(cents));
  return `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
}

/** Whole cents as a JSON number of dollars (1234 -> 12.34: the shortest form of the nearest double). */
export const dollarNumber = (cents: number): number => Math.max(0, Math.round(cents)) / 100;

/** "YYYY-MM-DD HH:MM:SS" in UTC. */
export const saTime = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * Words that clients look for anywhere in a reply body ([NPM-SA] raises on `includes('BAD_KEY')` and
 * the like, [JAVA] treats any body containing SQL as a database error). SMS text must never carry
 * them into a text reply, so they are written in lower case there.
 */
const HAZARDS = /BAD_KEY|NO_KEY|ERROR_SQL|SQL|NO_BALANCE|NO_NUMBERS|BAD_STATUS|BAD_SERVICE|BAD_ACTION|NO_ACTIVATION|WRONG_ACTIVATION_ID|BANNED/g;

const defused = (text: string): string => text.replace(HAZARDS, (word) => word.toLowerCase());

/**
 * A value after `STATUS_OK:` or `STATUS_WAIT_RETRY:`: several clients split the whole body on every
 * ':' and keep part [1] ([JAVA], [NPM-SA]), so no ':' and no line break; one line, single spaces.
 */
export function statusValue(text: string): string {
  return defused(text.replace(/[:\r\n\t]+/g, ' ').replace(/ {2,}/g, ' ').trim());
}

/** The text after `FULL_SMS:`: one line (line breaks become spaces); colons stay ([JAVA] splits once). */
export function fullSmsText(text: string): string {
  return defused(text.replace(/[\r\n\t]+/g, ' ').trim());
}

/**
 * What getStatus shows of the latest SMS: its code, or, when we found none in it (a link, a code in
 * an unusual form), its text, so that a client that reads part [1] always gets something to act on.
 */
export const shownCode = (code: string, content: string): string => statusValue(code !== '' ? code : content);

/** getStatus: the order as one of the four words. */
export function statusToken(a: ActivationView): string {
  if (a.code === null) return a.numberStatus === 'receiving' ? 'STATUS_WAIT_CODE' : 'STATUS_CANCEL';
  const shown = shownCode(a.code, a.content ?? '');
  // An ended order keeps answering its last code (reference §4.10), even if it ended waiting for another.
  return a.numberStatus === 'receiving' && a.waitingForRetry ? `STATUS_WAIT_RETRY:${shown}` : `STATUS_OK:${shown}`;
}

/**
 * The undocumented `activationStatus` numbers, as HeroSMS shows them (reference §4.12): 4 waiting for
 * the code, 2 code received, 3 waiting for another SMS, 6 completed (a code came), 8 cancelled or
 * expired without a code.
 */
export function activationStatus(a: ActivationView): string {
  if (a.numberStatus !== 'receiving') return a.code === null ? '8' : '6';
  if (a.code === null) return '4';
  return a.waitingForRetry ? '3' : '2';
}

export const json = (value: unknown): string => JSON.stringify(value);

/** getNumberV2, with the field set and types of the current docs ([SA-AE]) plus activationEndTime. */
export function numberV2(order: AcquiredNumber, countryId: number | null): string {
  return json({
    activationId: order.activationId,
    phoneNumber: order.number,
    activationCost: dollarNumber(order.price),
    currency: CURRENCY,
    countryCode: countryId === null ? null : String(countryId),
    canGetAnotherSms: '1',
    activationTime: saTime(order.createdAt),
    activationEndTime: saTime(order.expiresAt),
    activationOperator: order.operator,
  });
}

/** getStatusV2 of an order that has not been cancelled without a code. */
export function statusV2(last: DeliveredSms | undefined): string {
  return json({
    verificationType: 0,
    sms: last ? { dateTime: saTime(last.receivedAt), code: last.code, text: last.text } : null,
    call: null,
  });
}

/** One item of getActiveActivations: ids and flags as strings, cost and currency as numbers ([SA-AE]). */
export function activeActivation(a: ActivationView, serviceCode: string, country: { id: number | null; name: string }) {
  return {
    activationId: String(a.activationId),
    serviceCode,
    phoneNumber: a.number,
    activationCost: dollarNumber(a.price),
    activationStatus: activationStatus(a),
    smsCode: a.code === null ? null : [a.code],
    smsText: a.content === null ? null : `[${a.content}]`,
    activationTime: saTime(a.createdAt),
    discount: '0.00',
    repeated: a.smsCount > 1 || a.waitingForRetry ? '1' : '0',
    countryCode: country.id === null ? null : String(country.id),
    countryName: country.name,
    canGetAnotherSms: '1',
    currency: CURRENCY,
  };
}

/** One item of getHistory ([SA-AE], its example made valid JSON): cost is what was charged (0 until an SMS). */
export function historyItem(a: ActivationView) {
  return {
    id: a.activationId,
    date: saTime(a.createdAt),
    phone: a.number,
    sms: a.content === null ? null : json([a.content]),
    cost: a.smsStatus === 'received' ? dollarNumber(a.price) : 0,
    status: activationStatus(a),
    currency: CURRENCY,
  };
}

/**
 * A refusal made by the HTTP layer, as a token: a rate limit or a fault of ours is `ERROR_SQL` with
 * HTTP 200 (clients read a non-2xx body as a network failure, and every client knows ERROR_SQL as
 * "try again later"); a request for no route or with a wrong method is `BAD_ACTION` and keeps its
 * status, as does any other refusal of the HTTP request itself (malformed, too large, too slow).
 */
export const rejectionShape: Shape = (r) => {
  if (r.status === 429 || r.status >= 500) return { status: 200, body: 'ERROR_SQL', type: TEXT_TYPE };
  return { status: r.status, body: r.status === 404 || r.status === 405 ? 'BAD_ACTION' : 'ERROR_SQL', type: TEXT_TYPE };
};
