// The supplier push API (DESIGN §4) under /supplier/v1: suppliers register their numbers, say
// which are online, and push every SMS they receive. JSON in and out, Bearer supplier key, and
// HTTP status codes that a retrying pusher can act on (4xx: fix the request; 503: retry).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { asDomainError, type DomainErrorCode } from '../../domain/errors.js';
import { MAX_NUMBERS_PER_CALL } from '../../domain/suppliers.js';
import type { Platform } from '../../domain/platform.js';
import type { SupplierRow } from '../../store/schema.js';
import { parseWith, sendJson, withPath } from '../http.js';

const STATUS: Partial<Record<DomainErrorCode, number>> = {
  UNAUTHORIZED: 401,
  INVALID_INPUT: 400,
  UNKNOWN_NUMBER: 404,
  NUMBER_OWNED_ELSEWHERE: 409,
  TRY_AGAIN: 503,
};

const numberEntry = z.object({
  number: z.string().min(1).max(32),
  country: z.string().min(2).max(2),
  operator: z.string().max(64).optional(),
});

const registerBody = z.object({ numbers: z.array(numberEntry).max(MAX_NUMBERS_PER_CALL) });

/** Online lists accept bare numbers or the same objects as registration. */
const onlineBody = z.object({
  numbers: z.array(z.union([z.string().min(1).max(32), numberEntry.transform((n) => n.number)])).max(MAX_NUMBERS_PER_CALL),
});

const smsBody = z.object({
  id: z.union([z.string().min(1).max(200), z.number().int().nonnegative().transform(String)]),
  to: z.string().min(1).max(32),
  from: z.string().max(64).default(''),
  text: z.string().max(10_000),
  receivedAt: z.iso.datetime({ offset: true }).optional(),
});

const supplierOf = new WeakMap<FastifyRequest, SupplierRow>();

export async function supplierApi(app: FastifyInstance, { platform }: { platform: Platform }): Promise<void> {
  const { suppliers, inboundSms, clock } = platform;

  app.addHook('preHandler', async (request) => {
    if (request.is404) return; // an unknown route says so, whoever asks
    const [scheme, key] = (request.headers.authorization ?? '').split(' ');
    supplierOf.set(request, await suppliers.authenticate(scheme?.toLowerCase() === 'bearer' && key ? key : ''));
  });
  const supplier = (request: FastifyRequest): SupplierRow => supplierOf.get(request)!;

  app.setErrorHandler(async (error, request, reply) => {
    const domainError = asDomainError(error);
    if (domainError) {
      const body = { error: { code: domainError.code.toLowerCase(), message: domainError.message, ...domainError.details } };
      return sendJson(reply, JSON.stringify(body), STATUS[domainError.code] ?? 422);
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return sendJson(reply, JSON.stringify({ error: { code: 'bad_request', message: (error as Error).message } }), status);
    }
    request.log.error({ err: error }, 'supplier request failed');
    return sendJson(reply, JSON.stringify({ error: { code: 'internal', message: 'Internal error; retry later' } }), 500);
  });

  app.setNotFoundHandler(async (_request, reply) =>
    sendJson(reply, JSON.stringify({ error: { code: 'not_found', message: 'No such route' } }), 404),
  );

  app.put('/numbers', async (request, reply) => {
    const body = parseWith(registerBody, request.body, withPath);
    const result = await suppliers.registerNumbers(supplier(request).id, body.numbers);
    return sendJson(reply, JSON.stringify(result));
  });

  app.post('/numbers/online', async (request, reply) => {
    const body = parseWith(onlineBody, request.body, withPath);
    const result = await suppliers.setOnline(supplier(request).id, body.numbers);
    return sendJson(reply, JSON.stringify(result));
  });

  app.post('/sms', async (request, reply) => {
    const body = parseWith(smsBody, request.body, withPath);
    const result = await inboundSms.receive({
      source: 'supplier-push',
      sourceKey: body.id,
      supplierId: supplier(request).id,
      receiver: body.to,
      sender: body.from,
      text: body.text,
      receivedAt: body.receivedAt ? Date.parse(body.receivedAt) : clock.now(),
    });
    const answer = result.duplicate
      ? { accepted: true, orderId: result.orderId, duplicate: true }
      : { accepted: true, orderId: result.orderId };
    return sendJson(reply, JSON.stringify(answer));
  });
}
