// The supplier push API (DESIGN §4) under /supplier/v1: suppliers register their numbers, say
// which are online, and push every SMS they receive. JSON in and out, Bearer supplier key, and
// HTTP status codes that a retrying pusher can act on (4xx: fix the request; 429 and 503: retry).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { asDomainError, type DomainErrorCode } from '../../domain/errors.js';
import { MAX_NUMBERS_PER_CALL } from '../../domain/suppliers.js';
import type { Platform } from '../../domain/platform.js';
import type { SupplierRow } from '../../store/schema.js';
import { jsonReply, zodRoutes } from '../contract.js';
import { bearerToken, sendJson, withPath } from '../http.js';
import type { Limits } from '../limits.js';
import { asRejection, jsonShape, missingRoute, Rejection, sendRejection } from '../rejections.js';

const STATUS: Partial<Record<DomainErrorCode, number>> = {
  UNAUTHORIZED: 401,
  INVALID_INPUT: 400,
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
  const { suppliers, inboundSms, clock } = platform;
  const app = zodRoutes(fastify, { tag: 'Supplier push API', security: ['supplierBearer'], issues: withPath });

  // onRequest, before the body is read: a stranger or a caller over its limit never gets 8 MiB parsed.
  app.addHook('onRequest', async (request) => {
    if (request.is404) return; // an unknown route says so, whoever asks
    const found = await limits.authenticate(request, () => suppliers.authenticate(bearerToken(request)));
    await limits.caller(request, 'supplier', found.id);
    supplierOf.set(request, found);
  });
  const supplier = (request: FastifyRequest): SupplierRow => supplierOf.get(request)!;

  app.setErrorHandler(async (error, request, reply) => {
    const domainError = asDomainError(error);
    const rejection = domainError
      ? new Rejection(STATUS[domainError.code] ?? 422, domainError.code.toLowerCase(), domainError.message, domainError.details)
      : asRejection(error, request);
    return sendRejection(reply, jsonShape, rejection);
  });

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
}
