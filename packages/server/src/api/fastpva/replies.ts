// What each FASTPVA route answers, as zod schemas for the OpenAPI document (contract.ts): the shapes
// wire.ts builds, inside the {"code":1|-1,"data":...} envelope. The bytes come from wire.ts; the test
// of the document checks real replies against these.
import { z, type ZodType } from 'zod';
import { jsonReply } from '../contract.js';

const cents = (what: string) => z.number().int().describe(`${what}, in US cents`);
const time = z.string().describe('ISO-8601 UTC time with milliseconds');
const orderId = z.string().describe('24 lowercase hex characters');
const phone = z.string().describe('International digits without +');

const ok = (data: ZodType) => z.object({ code: z.literal(1), data });
const failed = (data: ZodType) => z.object({ code: z.literal(-1), data });
/** Every refusal: a message (`No user found.`, `Invalid Service ID`, `Too many requests, retry in N s`...). */
const refusal = failed(z.string().describe('What went wrong, in FASTPVA\'s words'));

/** HTTP 200 in every case: the success shape, any other -1 shape the route has, or a refusal message. */
export const answers = (description: string, data: ZodType, ...otherFailures: ZodType[]) =>
  jsonReply(description, z.union([ok(data), ...otherFailures, refusal]));

const done = (word: string) => z.literal(word);

const countryPrices = z.record(z.string(), z.object({ sellingPrice: cents('Price in that country') })).describe('By ISO country code');

export const projectItem = z.object({
  supportCountry: z.boolean(),
  _id: z.string(),
  enname: z.string(),
  countriesSellingPricePrices: countryPrices.optional(),
  sellingPrice: cents('Price').optional().describe('Present when the project has no per-country prices'),
  myPid: z.number().int(),
  collect: z.boolean(),
  myPrice: cents('Your own price, where an admin set one').optional(),
});

export const projects = z.object({ count: z.number().int(), projects: z.array(projectItem) });
export const collects = z.object({ count: z.number().int(), collects: z.array(projectItem) });
export const legacyProjects = z.array(z.object({ myPid: z.number().int(), sellingPrice: cents('Your price'), enname: z.string() }));

export const number = z.object({ number: phone, orderId });

const sms = { code: z.string().describe('The code found in the SMS; empty when none was found'), content: z.string().describe('The full SMS text') };
const waiting = { number: phone, balance: cents('Available balance') };
export const code = z.object({ ...sms, ...waiting });
/** getCode while no SMS has come: code -1 with the number and balance. */
export const codeWaiting = failed(z.object(waiting));

const codesData = z.object({ orders: z.record(z.string(), z.object({ ...sms, number: phone })).describe('By orderId, the orders that have an SMS'), balance: cents('Available balance') });
export const codes = codesData;
/** codes when none of the orders has an SMS yet. */
export const codesWaiting = failed(codesData);

export const released = done('Number released');
export const shielded = done('Number is blacklisted');
export const collected = done('Collected');
export const uncollected = done('Uncollected');
export const webhookCleared = done('Webhook cleared');

export const smsOrders = z.object({
  count: z.number().int(),
  orders: z.array(
    z.object({
      _id: orderId,
      userInfo: z.object({ balance: cents('Available balance after the order was taken') }),
      number: phone,
      numberStatus: z.enum(['receiving', 'released']),
      smsStatus: z.enum(['waiting', 'received', 'failed']),
      code: z.string().optional(),
      content: z.string().optional(),
      projectInfo: z.object({ enname: z.string(), myPid: z.number().int(), sellingPrice: cents('Price paid') }),
      createdAt: time,
      updatedAt: time,
    }),
  ),
});

export const recharge = z.object({
  status: z.enum(['unpaid', 'paid', 'expired']),
  _id: z.string(),
  amount: cents('Amount asked for'),
  payment: z.string(),
  createdAt: time,
  updatedAt: time,
  orderAmt: cents('Amount credited'),
});
export const recharges = z.array(recharge);

export const userInfo = z.object({
  balance: cents('Available balance'),
  _id: z.string(),
  username: z.string(),
  mobile: z.string(),
  email: z.string(),
  role: z.object({ access: z.enum(['normal', 'admin', 'supplier']) }),
  tg: z.string(),
});

export const webhookSet = z.object({ url: z.string(), secret: z.string().describe('The signing secret, shown in this reply only') });
export const webhook = z.object({ url: z.string(), createdAt: time });
export const webhookDeliveries = z.object({
  count: z.number().int(),
  deliveries: z.array(
    z.object({
      eventId: z.string(),
      type: z.enum(['sms.received', 'order.ended']),
      attempt: z.number().int(),
      url: z.string(),
      statusCode: z.number().int().nullable(),
      durationMs: z.number().int(),
      error: z.string().nullable(),
      createdAt: time,
    }),
  ),
});

export const stock = z.object({
  myPid: z.number().int(),
  countries: z.array(z.object({ country: z.string().describe('ISO 3166 alpha-2'), count: z.number().int().describe('Numbers free now') })).describe('Most first; a priced country with none free shows 0'),
});
