// Query parameters of the FASTPVA API, validated with zod. Every message is what the client sees
// in {"code":-1,"data":"<message>"}, so each names the parameter at fault.
import { z } from 'zod';
import { DomainError } from '../../domain/errors.js';

const missingOrInvalid = (name: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `Missing parameter: ${name}` : `Invalid parameter: ${name}`;

const text = (name: string) => z.string({ error: missingOrInvalid(name) });

/** A whole number given as decimal digits. */
const wholeNumber = (name: string, message = `Invalid parameter: ${name}`) =>
  text(name)
    .regex(/^\d{1,15}$/, message)
    .transform(Number);

const positive = (name: string) => wholeNumber(name).refine((n) => n >= 1, `Invalid parameter: ${name}`);

/** ISO-8601, or epoch seconds, or epoch milliseconds (DESIGN §4). */
const instant = (name: string) =>
  text(name).transform((value, ctx) => {
    const ms = /^\d{1,15}$/.test(value) ? (value.length <= 11 ? Number(value) * 1000 : Number(value)) : Date.parse(value);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `Invalid parameter: ${name}` });
      return z.NEVER;
    }
    return ms;
  });

/** A status filter: one of `values` or "all", any letter case; "all" means no filter. */
const statusFilter = <T extends string>(name: string, values: readonly T[]) =>
  text(name).transform((value, ctx) => {
    const lower = value.toLowerCase();
    if (lower === 'all') return undefined;
    if ((values as readonly string[]).includes(lower)) return lower as T;
    ctx.addIssue({ code: 'custom', message: `Invalid parameter: ${name}` });
    return z.NEVER;
  });

const FROM = 'Created at or after: ISO-8601, epoch seconds or epoch milliseconds';
const TO = 'Created at or before: ISO-8601, epoch seconds or epoch milliseconds';

const paging = { page: positive('page').describe('Page, from 1'), limit: positive('limit').describe('Items per page (above 100 reads as 100)') };

const keyword = text('keyword').max(100, 'Invalid parameter: keyword').describe('Part of the project name').optional();

export const projectsQuery = z.object({
  ...paging,
  keyword,
  channel: text('channel')
    .transform((value, ctx) => {
      if (value.toLowerCase() === 'all') return 'all' as const;
      if (/^\d{1,9}$/.test(value)) return Number(value);
      ctx.addIssue({ code: 'custom', message: 'Invalid channel ID' });
      return z.NEVER;
    })
    .describe('A channel id, or `all`; absent: the default channel')
    .optional(),
});

export const collectsQuery = z.object({ ...paging, keyword });

/** The legacy /project/list takes the same paging and keyword. */
export const legacyProjectListQuery = collectsQuery;

/** A missing or malformed project id gets the message FASTPVA clients know for an unknown one. */
const myPid = z
  .string({ error: 'Invalid Service ID' })
  .regex(/^\d{1,9}$/, 'Invalid Service ID')
  .transform(Number)
  .describe('The project id');

export const myPidQuery = z.object({ myPid });

export const getNumberQuery = z.object({
  myPid,
  number: text('number').max(32, 'Invalid number').describe('A specific free number (you alone may ask again for one you used for this project)').optional(),
  locale: text('locale').max(8, 'Invalid country ID').describe('ISO country code (`GB`); absent: any country').optional(),
});

export const orderIdQuery = z.object({ orderId: text('orderId').max(64, 'Invalid order ID').describe('The order id `getNumber` gave') });

/** Long-poll: seconds to hold the request for an SMS (0 or absent: answer at once; over 60: 60). */
const wait = wholeNumber('wait').describe('Long-poll (extension): hold the request up to this many seconds (at most 60) until an SMS comes').optional().default(0);

export const getCodeQuery = orderIdQuery.extend({ wait });

export const codesQuery = z.object({
  ordersId: text('ordersId')
    .transform((value) => value.split('_').filter((id) => id !== ''))
    .describe('Order ids joined with `_`'),
  wait,
});

export const webhookSetQuery = z.object({ url: text('url').describe('Where to POST the signed events') });

export const pagingQuery = z.object(paging);

export const smsOrdersQuery = z.object({
  ...paging,
  orderId: text('orderId').describe('Only this order').optional(),
  number: text('number').describe('Only this number').optional(),
  startTime: instant('startTime').describe(FROM).optional(),
  endTime: instant('endTime').describe(TO).optional(),
  numberStatus: statusFilter('numberStatus', ['receiving', 'released'] as const).describe('`receiving`, `released` or `all`').optional(),
  smsStatus: statusFilter('smsStatus', ['waiting', 'received', 'failed'] as const).describe('`waiting`, `received`, `failed` or `all`').optional(),
  after: text('after').describe('Extension: the page starts after this order (an orderId of the previous page); `page` then counts from it').optional(),
});

export const rechargeOrdersQuery = z.object({
  ...paging,
  orderId: text('orderId').describe('Only this recharge order').optional(),
  status: statusFilter('status', ['paid', 'unpaid', 'expired'] as const).describe('`paid`, `unpaid`, `expired` or `all`').optional(),
  startTime: instant('startTime').describe(FROM).optional(),
  endTime: instant('endTime').describe(TO).optional(),
});

export const rechargeCreateQuery = z.object({
  amount: positive('amount').describe('US cents'),
  payment: text('payment').max(32, 'Invalid parameter: payment').describe('How you will pay (`USDT-TRC20`, `BTC`...)'),
});

/**
 * The raw query as the schemas expect it: an empty parameter is an absent one (clients send
 * `locale=&keyword=`), and a repeated one is refused rather than guessed at. A NUL character is
 * refused here, in every parameter: no text column takes it (Postgres refuses it outright).
 */
export function cleanQuery(query: unknown): Record<string, string | string[]> {
  const clean: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (key.includes('\0') || [value].flat().some((v) => typeof v === 'string' && v.includes('\0'))) {
      throw new DomainError('INVALID_INPUT', `Invalid parameter: ${key.replaceAll('\0', '')}`);
    }
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if (trimmed !== '') clean[key] = trimmed;
    } else if (Array.isArray(value)) {
      clean[key] = value as string[];
    }
  }
  return clean;
}
