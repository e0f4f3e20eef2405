// What the web app sends: JSON bodies and query strings, each checked with zod before a use case runs.
// Money is in cents and times in epoch milliseconds, as everywhere in the platform; the page converts.
import { z } from 'zod';

/** A query parameter left empty by a form (`?number=`) means "no filter". */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const text = (max: number) => z.string().max(max).regex(/^[^\0]*$/, 'must not contain a NUL character');
const queryInt = z.coerce.number().int();
const paging = { page: queryInt.min(1).default(1), limit: queryInt.min(1).max(100).default(20) };
const cents = z.number().int();

export const signIn = z.object({ username: text(64), password: text(1024), code: optional(text(10)) });
export const signUp = z.object({ username: text(64), password: text(1024), email: optional(text(254)) });
export const changePassword = z.object({ current: text(1024), next: text(1024) });
export const secondFactorCode = z.object({ code: text(10) });

export const projectsQuery = z.object({ keyword: optional(text(100)), favourites: z.enum(['true', 'false']).default('false'), ...paging });
export const buy = z.object({ myPid: z.number().int().positive(), country: optional(text(2)) });
export const orderParams = z.object({ orderId: text(40) });
export const myPidParams = z.object({ myPid: z.coerce.number().int().positive() });

/** One status for both of an order's states, as the admin CLI takes it. */
export const ORDER_STATUSES = ['receiving', 'released', 'waiting', 'received', 'failed'] as const;
export const historyQuery = z.object({
  status: optional(z.enum(ORDER_STATUSES)),
  from: optional(queryInt),
  to: optional(queryInt),
  myPid: optional(queryInt),
  number: optional(text(32)),
  /** The keyset cursor: the page starts after this order. */
  after: optional(text(24)),
  ...paging,
});

export const webhookUrl = z.object({ url: text(2048) });
export const pageQuery = z.object(paging);

export const rechargeQuery = z.object({ status: optional(z.enum(['unpaid', 'paid', 'expired'])), ...paging });
export const newRecharge = z.object({ amount: cents, payment: text(32) });

// Admin panel

export const usernameParams = z.object({ username: text(64) });
export const userPriceParams = z.object({ username: text(64), myPid: z.coerce.number().int().positive() });
export const usersQuery = z.object({ search: optional(text(100)), ...paging });
export const adjustment = z.object({ amount: cents, note: optional(text(200)) });
export const disabled = z.object({ disabled: z.boolean() });
export const enabled = z.object({ enabled: z.boolean() });
/** A limit left out stays as it is; null goes back to the operator's default. */
export const userLimits = z.object({ maxActiveOrders: z.number().int().nullable().optional(), rateLimit: z.number().int().nullable().optional() });
export const userPrice = z.object({ price: cents.nullable() });

const pricing = { price: cents.optional(), countryPrices: z.record(text(2), cents).optional() };
export const newProject = z.object({ name: text(100), channel: z.number().int().optional(), service: optional(text(100)), myPid: z.number().int().optional(), ...pricing });
export const projectChanges = z.object({ name: optional(text(100)), channel: z.number().int().optional(), service: optional(text(100)), ...pricing });
export const projectsAdminQuery = z.object({ keyword: optional(text(100)), channel: optional(queryInt), ...paging });

export const supplierParams = z.object({ name: text(100) });
export const newSupplier = z.object({ name: text(100), shareBp: z.number().int().optional(), channels: z.array(z.number().int()).max(100).optional() });
export const payout = z.object({ amount: cents.positive(), note: optional(text(500)) });
export const gatewayParams = z.object({ name: text(100), id: z.coerce.number().int().positive() });
export const newGateway = z.object({ kind: text(40), signingKey: optional(text(200)), authToken: optional(text(200)) });
export const numbersQuery = z.object({ supplier: optional(text(100)), country: optional(text(2)), online: optional(z.enum(['true', 'false'])), ...paging });

export const rechargeParams = z.object({ rechargeId: text(40) });
export const payment = z.object({ paid: cents.optional() });
export const adminOrdersQuery = historyQuery.extend({ user: optional(text(64)) });
export const unmatchedQuery = z.object({ limit: queryInt.min(1).max(500).default(100) });
export const blacklistQuery = z.object({ myPid: optional(queryInt), number: optional(text(32)), ...paging });
export const blacklistEntry = z.object({ number: text(32), myPid: z.number().int().positive(), note: optional(text(200)) });
export const blacklistParams = blacklistEntry.pick({ number: true }).extend({ myPid: myPidParams.shape.myPid });
export const auditQuery = z.object({ search: optional(text(100)), target: optional(text(200)), ...paging });
