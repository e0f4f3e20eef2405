// What the web app's main routes answer, as zod schemas for the OpenAPI document (contract.ts). The
// handlers return domain objects; the test of the document checks real replies against these.
import { z } from 'zod';
import { jsonReply, textReply, type ReplyDoc } from '../contract.js';

const cents = z.number().int().describe('US cents');
const epochMs = z.number().int().describe('Epoch milliseconds');

/** Every refusal: an HTTP status the page acts on, and what went wrong. */
const refusal = z.object({ error: z.object({ code: z.string(), message: z.string() }).loose() });
const REFUSALS: Record<number, ReplyDoc> = {
  400: jsonReply('Bad input: `error.message` names the field', refusal),
  401: jsonReply('Not signed in (or a wrong password on sign-in)', refusal),
  403: jsonReply('No or wrong CSRF token, or not an admin', refusal),
  404: jsonReply('No such thing', refusal),
  409: jsonReply('Already exists', refusal),
  422: jsonReply('Refused by the rules (balance, active-order cap...)', refusal),
};

/** 200 with `schema`, and the refusals every web route may give. */
export const answers = (description: string, schema: z.ZodType) => ({ 200: jsonReply(description, schema), ...REFUSALS });

/** A reply that is not JSON: a CSV file, an event stream. */
export const file = (description: string, type: string): ReplyDoc => textReply(description, z.string(), type);

/** A route whose answer is a domain object not spelled out here: described, with its refusals. */
export const described = (description: string) => ({ 200: { description }, ...REFUSALS });

export const session = z.object({
  user: z.object({ username: z.string(), role: z.enum(['user', 'admin', 'supplier']) }).nullable(),
  csrfToken: z.string().describe('Send it back in `X-CSRF-Token` on every state-changing call'),
  signUpOpen: z.boolean(),
  paymentMethods: z.array(z.string()),
  releaseAfterSeconds: z.number().int(),
});

export const me = z.object({
  username: z.string(),
  role: z.enum(['user', 'admin', 'supplier']),
  email: z.string(),
  balance: cents,
  held: cents,
  activeOrders: z.number().int(),
  activeOrderCap: z.number().int(),
  apiKeyPrefix: z.string(),
  secondFactor: z.boolean(),
});

export const projects = z.object({
  count: z.number().int(),
  projects: z.array(
    z.object({
      myPid: z.number().int(),
      name: z.string(),
      channel: z.number().int(),
      favourite: z.boolean(),
      price: cents,
      countries: z.array(z.object({ country: z.string(), price: cents, count: z.number().int().describe('Numbers free now') })),
    }),
  ),
});

export const order = z.object({
  orderId: z.string(),
  activationId: z.number().int(),
  myPid: z.number().int(),
  number: z.string(),
  country: z.string(),
  operator: z.string(),
  price: cents,
  balance: cents,
  createdAt: epochMs,
  expiresAt: epochMs,
  releasableAt: epochMs,
});
