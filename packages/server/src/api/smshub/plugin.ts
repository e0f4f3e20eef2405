// The hub endpoint of SMSHub's agent protocol (reference supply-and-otp.md §3): agents PUSH_SMS here,
// JSON (gzip or not) with the agent's key in the body, answered {"status":"SUCCESS"} once stored, so
// the agent stops retrying; the same smsId again is acknowledged and not delivered twice.
import { createGunzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { asDomainError } from '../../domain/errors.js';
import type { Platform } from '../../domain/platform.js';
import { jsonReply, zodRoutes } from '../contract.js';
import { sendJson, withPath } from '../http.js';
import type { Limits } from '../limits.js';
import { asRejection } from '../rejections.js';

const pushBody = z.object({
  action: z.literal('PUSH_SMS'),
  key: z.string().min(1).max(500),
  smsId: z.union([z.number().int().nonnegative(), z.string().min(1).max(200)]),
  phone: z.union([z.number().int().positive(), z.string().min(1).max(32)]),
  phoneFrom: z.string().max(64).default(''),
  text: z.string().max(10_000),
});

const pushAnswer = z.object({ status: z.enum(['SUCCESS', 'ERROR']), error: z.string().optional() });

const answer = (status: 'SUCCESS' | 'ERROR', error?: string) => JSON.stringify(error === undefined ? { status } : { status, error });

export async function smshubApi(fastify: FastifyInstance, { platform, limits }: { platform: Platform; limits: Limits }): Promise<void> {
  // The agent's key travels in the body, so the document names no security scheme for it.
  const app = zodRoutes(fastify, { tag: 'SMSHub hub endpoint', issues: withPath });

  // The protocol sends gzip: unpacked before the JSON parser reads it.
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (request.headers['content-encoding'] !== 'gzip') return payload;
    delete request.headers['content-encoding'];
    delete request.headers['content-length'];
    return payload.pipe(createGunzip());
  });

  // Every refusal is the protocol's ERROR with the reason; an agent retries until SUCCESS.
  app.setErrorHandler(async (error, request, reply) => {
    const domainError = asDomainError(error);
    if (domainError && domainError.code !== 'TRY_AGAIN') return sendJson(reply, answer('ERROR', domainError.message), domainError.code === 'UNAUTHORIZED' ? 401 : 400);
    // Rate limits, bodies Fastify refused, a busy database: the status and words every surface uses.
    const rejection = asRejection(error, request);
    reply.headers(rejection.headers);
    return sendJson(reply, answer('ERROR', rejection.message), rejection.status);
  });

  // '' rather than '/': the route is the prefix itself, `/smshub`, as agents are told.
  app.post(
    '',
    {
      schema: {
        summary: "PUSH_SMS: an agent's SIM received an SMS",
        description: 'JSON, gzip or plain, with the key the agent was given. Idempotent on `smsId`.',
        body: pushBody,
        response: {
          200: jsonReply('Stored (or stored before): the agent stops retrying', pushAnswer),
          400: jsonReply('`{"status":"ERROR","error":...}`: the body or its number is wrong', pushAnswer),
          401: jsonReply('`{"status":"ERROR","error":...}`: no supplier has this key', pushAnswer),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      // A wrong key counts against the caller's IP, as on every surface.
      await limits.authenticate(request, () => platform.remoteSupply.pushSms(body.key, { smsId: body.smsId, phone: body.phone, phoneFrom: body.phoneFrom, text: body.text }));
      return sendJson(reply, answer('SUCCESS'));
    },
  );
}
