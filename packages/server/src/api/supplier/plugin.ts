// The supplier push API (DESIGN §4) under /supplier/v1: suppliers register their numbers, say
// which are online, and push every SMS they receive; and they see their own trade: stats by day,
// their numbers with health, their balance. JSON in and out, Bearer supplier key, and
// HTTP status codes that a retrying pusher can act on (4xx: fix the request; 429 and 503: retry).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DomainErrorCode } from '../../domain/errors.js';
import type { NumberHealth } from '../../domain/number-health.js';
import type { PoolNumber } from '../../domain/numbers.js';
import { MAX_NUMBERS_PER_CALL, type SupplierDay } from '../../domain/suppliers.js';
import type { Platform } from '../../domain/platform.js';
import type { SupplierRow } from '../../store/schema.js';
import { jsonReply, zodRoutes } from '../contract.js';
import { bearerToken, sendJson, withPath } from '../http.js';
import type { Limits } from '../limits.js';
import { jsonErrorHandler, missingRoute } from '../rejections.js';

const STATUS: Partial<Record<DomainErrorCode, number>> = {
  UNAUTHORIZED: 401,
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  UNKNOWN_NUMBER: 404,
  NUMBER_OWNED_ELSEWHERE: 409,
  TRY_AGAIN: 503,
};

/** Text that is stored as given; a NUL character is refused (no text column takes it). */
const field = () => z.string().regex(/^[^\0]*$/, 'must not contain a NUL character');

const numberEntry = z.object({
  number: field().min(1).max(32).describe('International digits'),
  country: field().min(2).max(2).describe('ISO 3166 alpha-2'),
  operator: field().max(64).optional().describe('The SIM\'s operator (`vodafone`); absent: `any`'),
  // Where the SIM sits, for gateways that report a device and SIM slot or port instead of the number.
  device: field().min(1).max(100).nullish().describe('The phone\'s or gateway\'s id'),
  slot: z.number().int().min(0).max(9999).nullish().describe('The SIM slot or port'),
});

const registerBody = z.object({ numbers: z.array(numberEntry).max(MAX_NUMBERS_PER_CALL) });

/** Online lists accept bare numbers or the same objects as registration. */
const onlineBody = z.object({
  numbers: z.array(z.union([field().min(1).max(32), numberEntry.transform((n) => n.number)])).max(MAX_NUMBERS_PER_CALL),
});

const smsBody = z.object({
  id: z.union([field().min(1).max(200), z.number().int().nonnegative().transform(String)]).describe('Your id of the message: the same id twice is taken once'),
  to: field().min(1).max(32).describe('The number that received it'),
  from: field().max(64).default('').describe('The sender as the SMS names it'),
  // The SMS text as received, NUL characters included: the domain cleans it.
  text: z.string().max(10_000),
  receivedAt: z.iso.datetime({ offset: true }).optional().describe('When the SIM received it; absent: now'),
});

/** A UTC day, `2026-01-31`, as the epoch ms of its start. */
const day = z.iso.date().transform((d) => Date.parse(`${d}T00:00:00Z`));

const statsQuery = z.strictObject({ from: day.optional(), to: day.optional() });

const numbersQuery = z.strictObject({
  page: z.coerce.number().int().min(1).default(1),
  // Capped rather than refused, as every list (DESIGN §4).
  limit: z.coerce.number().int().min(1).default(50),
  online: z.enum(['true', 'false']).optional(),
});

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const isoTime = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const dayOut = (d: Omit<SupplierDay, 'at'>) => ({
  orders: d.orders,
  delivered: d.delivered,
  successRate: d.successRate === null ? null : Math.round(d.successRate * 10_000) / 10_000,
  earnings: d.earnings,
});

const healthOut = (h: NumberHealth) => ({
  orders: h.orders,
  delivered: h.delivered,
  lastSmsAt: isoTime(h.lastSmsAt),
  failuresInRow: h.failuresInRow,
  rest: h.rest && { until: isoTime(h.rest.until), failures: h.rest.failures, reason: h.rest.reason },
  projects: h.projects.map((p) => ({ myPid: p.myPid, project: p.enname, orders: p.orders, delivered: p.delivered, lastSmsAt: isoTime(p.lastSmsAt) })),
});

/** A number as its supplier sees it: busy, not which customer's order it serves. */
const numberOut = (n: PoolNumber) => ({
  number: n.number,
  country: n.country,
  operator: n.operator,
  online: n.online,
  busy: n.orderId !== null,
  lastSeenAt: isoTime(n.lastSeenAt),
  createdAt: isoTime(n.createdAt),
  health: healthOut(n.health),
});

const refusal = z.object({ error: z.object({ code: z.string(), message: z.string() }).loose() });
const refusals = {
  400: jsonReply('The request is malformed: `error.message` names the field', refusal),
  401: jsonReply('No such supplier key', refusal),
  429: jsonReply('Over the rate limit: retry after `Retry-After` seconds', refusal),
  503: jsonReply('The database stayed busy: retry', refusal),
};

const smsAnswer = z.object({ accepted: z.literal(true), orderId: z.string().nullable(), reason: z.string().optional(), duplicate: z.literal(true).optional() });

const supplierOf = new WeakMap<FastifyRequest, SupplierRow>();

export async function supplierApi(fastify: FastifyInstance, { platform, limits }: { platform: Platform; limits: Limits }): Promise<void> {
  const { suppliers, numbers, inboundSms, clock } = platform;
  const app = zodRoutes(fastify, { tag: 'Supplier push API', security: ['supplierBearer'], issues: withPath });

  // onRequest, before the body is read: a stranger or a caller over its limit never gets 8 MiB parsed.
  app.addHook('onRequest', async (request) => {
    if (request.is404) return; // an unknown route says so, whoever asks
    const found = await limits.authenticate(request, () => suppliers.authenticate(bearerToken(request)));
    await limits.caller(request, 'supplier', found.id);
    supplierOf.set(request, found);
  });
  const supplier = (request: FastifyRequest): SupplierRow => supplierOf.get(request)!;

  app.setErrorHandler(jsonErrorHandler(STATUS));

  app.setNotFoundHandler(async (request) => {
    throw missingRoute(app, request);
  });

  app.put(
    '/numbers',
    {
      schema: {
        summary: 'Register numbers (country, operator, where the SIM sits)',
        body: registerBody,
        response: { 200: jsonReply('How many were registered', z.object({ registered: z.number().int() })), ...refusals, 409: jsonReply('A number belongs to another supplier', refusal) },
      },
    },
    async (request, reply) => {
      const result = await suppliers.registerNumbers(supplier(request).id, request.body.numbers);
      return sendJson(reply, JSON.stringify(result));
    },
  );

  app.post(
    '/numbers/online',
    {
      schema: {
        summary: 'Say which numbers are online now (the rest of yours go offline)',
        body: onlineBody,
        response: { 200: jsonReply('How many are online', z.object({ online: z.number().int() })), ...refusals, 404: jsonReply('A number was never registered', refusal) },
      },
    },
    async (request, reply) => {
      const result = await suppliers.setOnline(supplier(request).id, request.body.numbers);
      return sendJson(reply, JSON.stringify(result));
    },
  );

  app.post(
    '/sms',
    {
      schema: {
        summary: 'Push an SMS a number received',
        description: 'Idempotent on `id`: a repeat answers `duplicate: true` and changes nothing.',
        body: smsBody,
        response: { 200: jsonReply('Taken in; `orderId` is the order it went to (null: none, `reason` says why)', smsAnswer), ...refusals, 404: jsonReply('`to` was never registered', refusal) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result = await inboundSms.receive({
        source: 'supplier-push',
        sourceKey: body.id,
        supplierId: supplier(request).id,
        receiver: body.to,
        sender: body.from,
        text: body.text,
        receivedAt: body.receivedAt ? Date.parse(body.receivedAt) : clock.now(),
      });
      // Why an accepted SMS went to no order (no live order, another service's, a notice with no code).
      const answer = {
        accepted: true,
        orderId: result.orderId,
        ...(result.reason === null ? {} : { reason: result.reason }),
        ...(result.duplicate ? { duplicate: true } : {}),
      };
      return sendJson(reply, JSON.stringify(answer));
    },
  );

  const dayStats = z.object({ orders: z.number().int(), delivered: z.number().int(), successRate: z.number().nullable(), earnings: z.number().int().describe('Cents') });
  app.get(
    '/stats',
    {
      schema: {
        summary: 'Your orders, SMS delivered, success rate and earnings per UTC day',
        querystring: statsQuery,
        response: {
          200: jsonReply('Per day, oldest first, and the total', z.object({ from: z.iso.date(), to: z.iso.date(), days: z.array(dayStats.extend({ date: z.iso.date() })), total: dayStats })),
          ...refusals,
        },
      },
    },
    async (request, reply) => {
      const stats = await suppliers.stats(supplier(request).id, request.query);
      const answer = { from: isoDay(stats.from), to: isoDay(stats.to), days: stats.days.map((d) => ({ date: isoDay(d.at), ...dayOut(d) })), total: dayOut(stats.total) };
      return sendJson(reply, JSON.stringify(answer));
    },
  );

  app.get(
    '/numbers',
    {
      schema: {
        summary: 'Your numbers with their health (orders, SMS delivered, rest and why)',
        querystring: numbersQuery,
        response: { 200: jsonReply('One page of your numbers', z.object({ count: z.number().int(), page: z.number().int(), numbers: z.array(z.object({ number: z.string() }).loose()) })), ...refusals },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const online = query.online === undefined ? undefined : query.online === 'true';
      const result = await numbers.ofSupplier(supplier(request).id, { page: query.page, limit: query.limit, online });
      return sendJson(reply, JSON.stringify({ count: result.count, page: query.page, numbers: result.numbers.map(numberOut) }));
    },
  );

  app.get(
    '/balance',
    { schema: { summary: 'Your balance on the ledger (cents)', response: { 200: jsonReply('Cents: what you hold now, earned in all, and paid out to you', z.object({ balance: z.number().int(), earned: z.number().int(), paidOut: z.number().int() })), ...refusals } } },
    async (request, reply) => sendJson(reply, JSON.stringify(await suppliers.balance(supplier(request).id))),
  );
}
