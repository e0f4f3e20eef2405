// What each 5SIM route answers, as zod schemas for the OpenAPI document (contract.ts): the shapes
// wire.ts builds, and the plain-text refusals. The bytes come from wire.ts; the test of the document
// checks real replies against these.
import { z, type ZodType } from 'zod';
import { jsonReply, textReply, type ReplyDoc } from '../contract.js';

const dollars = (what: string) => z.number().describe(`${what}, in US dollars`);
const time = z.string().describe('RFC 3339 UTC with microseconds');

/** 200 with the JSON answer, and 5SIM's plain-text refusals. */
export function answers(description: string, schema: ZodType, refusals: Record<number, string> = { 400: REFUSED }): Record<number, ReplyDoc> {
  const out: Record<number, ReplyDoc> = { 200: jsonReply(description, schema) };
  for (const [status, words] of Object.entries(refusals)) out[Number(status)] = refused(words);
  return out;
}

export const refused = (words: string): ReplyDoc => textReply(words, z.string());

const REFUSED = 'Refused, in 5SIM\'s lower-case words: `no free phones`, `not enough user balance`, `bad country`, `no product`, `order not found`, `order expired`...';
export const USER_REFUSALS = { 400: REFUSED, 401: 'No or unknown API key (empty body)' };

export const sms = z.object({ created_at: time, date: z.string().describe('When the phone got it, RFC 3339 to the second'), sender: z.string(), text: z.string(), code: z.string() });

export const order = z.object({
  id: z.number().int(),
  phone: z.string().describe('+ and international digits'),
  operator: z.string(),
  product: z.string(),
  price: dollars('What the order costs'),
  status: z.enum(['PENDING', 'RECEIVED', 'CANCELED', 'TIMEOUT', 'FINISHED', 'BANNED']),
  expires: time,
  sms: z.array(sms).nullable().describe('null right after a purchase'),
  created_at: time,
  forwarding: z.boolean(),
  forwarding_number: z.string(),
  country: z.string().describe('5SIM country slug'),
});

export const countries = z.record(
  z.string().describe('5SIM country slug'),
  z
    .object({ iso: z.record(z.string(), z.literal(1)), prefix: z.record(z.string(), z.literal(1)), text_en: z.string(), text_ru: z.string() })
    .catchall(z.object({ activation: z.literal(1) }))
    .describe('Each operator with numbers is a key of its own'),
);

export const products = z.record(z.string().describe('Product'), z.object({ Category: z.literal('activation'), Qty: z.number().int().describe('Numbers free now'), Price: dollars('Cheapest price') }));

/** Three levels of names (country or product, then the other, then operator) down to cost and count. */
export const prices = z.record(z.string(), z.record(z.string(), z.record(z.string().describe('Operator'), z.object({ cost: dollars('Price'), count: z.number().int() }))));

export const flash = z.object({ text: z.string() });

export const profile = z.object({
  id: z.number().int(),
  email: z.string(),
  vendor: z.string(),
  default_forwarding_number: z.string(),
  balance: dollars('What you may spend'),
  rating: z.number().int(),
  default_country: z.object({ name: z.string(), iso: z.string(), prefix: z.string() }),
  default_operator: z.object({ name: z.string() }),
  frozen_balance: dollars('What live orders hold'),
  did_order: z.boolean(),
  last_order: z.string(),
  last_top_orders: z.string(),
  last_top_idx: z.number().int(),
  total_active_orders: z.number().int(),
});

export const inbox = z.object({
  Data: z.array(z.object({ ID: z.number().int(), created_at: time, date: z.string(), sender: z.string(), text: z.string(), code: z.string(), is_wave: z.boolean(), wave_uuid: z.string() })),
  Total: z.number().int(),
});

export const orders = z.object({ Data: z.array(order), ProductNames: z.array(z.unknown()), Statuses: z.array(z.unknown()), Total: z.number().int() });

const names = z.array(z.object({ Name: z.string() }));
export const payments = z.object({
  Data: z.array(z.object({ ID: z.number().int(), TypeName: z.string(), ProviderName: z.string(), Amount: dollars('Amount'), Balance: dollars('Balance after'), CreatedAt: time })),
  PaymentTypes: names,
  PaymentProviders: names,
  Total: z.number().int(),
});

export const maxPrices = z.array(z.object({ id: z.number().int(), product: z.string(), price: dollars('Most a purchase may cost'), CreatedAt: time }));
export const success = z.object({ success: z.literal(true) });
