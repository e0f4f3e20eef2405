// Gateway webhooks under /ingest/<kind>/<token> (README "Connecting SMS gateways"). The token says
// which gateway, and so which supplier, is calling; each kind's adapter checks the vendor's signature,
// reads the vendor's own payload and answers the way that vendor expects. Refusals are
// {"error":{"code","message"}}: 401 for a wrong token or signature (nothing written), 400 for a body
// that says nothing usable.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DomainErrorCode } from '../../domain/errors.js';
import type { Platform } from '../../domain/platform.js';
import type { GatewayRow } from '../../store/schema.js';
import { zodRoutes } from '../contract.js';
import type { Limits } from '../limits.js';
import { jsonErrorHandler, missingRoute, Rejection } from '../rejections.js';
import { parseForm, type GatewayAdapter } from './adapter.js';
import { androidSmsGateway } from './android-sms-gateway.js';
import { dinstar } from './dinstar.js';
import { generic } from './generic.js';
import { jasmin } from './jasmin.js';
import { kannel } from './kannel.js';
import { smssync } from './smssync.js';
import { twilio } from './twilio.js';

const ADAPTERS: GatewayAdapter[] = [androidSmsGateway, twilio, jasmin, kannel, dinstar, smssync, generic];

const STATUS: Partial<Record<DomainErrorCode, number>> = {
  UNAUTHORIZED: 401,
  INVALID_INPUT: 400,
  UNKNOWN_NUMBER: 404,
  TRY_AGAIN: 503,
};

/** Gateway bodies are one SMS or a few: far below the server's limit for supplier number lists. */
const BODY_LIMIT = 1024 * 1024;

const gatewayOf = new WeakMap<FastifyRequest, GatewayRow>();

/** The token `fastpva admin gateway add` printed: it names the gateway, and so its supplier. */
const gatewayParams = z.object({ token: z.string().describe('The gateway\'s token') });

export async function ingestApi(fastify: FastifyInstance, { platform, limits, publicUrl }: { platform: Platform; limits: Limits; publicUrl: string | undefined }): Promise<void> {
  const { gateways, clock } = platform;
  const app = zodRoutes(fastify, { tag: 'Gateway webhooks' });

  // Every body is kept as it came, whatever its type: signatures are over the raw bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.setErrorHandler(jsonErrorHandler(STATUS));

  app.setNotFoundHandler(async (request) => {
    // The routes have a token parameter, so the path names a kind's route only through its first segment.
    const [, , kind, token, extra] = request.url.split('?', 1)[0]!.split('/');
    const adapter = ADAPTERS.find((a) => a.kind === kind);
    if (!adapter || !token || extra !== undefined) throw missingRoute(app, request);
    const allowed = adapter.methods.join(', ');
    throw new Rejection(405, 'method_not_allowed', `Method ${request.method} not allowed, use ${allowed}`, {}, { allow: allowed });
  });

  for (const adapter of ADAPTERS) {
    app.route({
      method: adapter.methods,
      url: `/${adapter.kind}/:token`,
      bodyLimit: BODY_LIMIT,
      schema: {
        summary: `An SMS from a ${adapter.kind} gateway`,
        description: 'The vendor\'s own payload, signed where the vendor signs (README, "Connecting SMS gateways").',
        params: gatewayParams,
        response: { 200: { description: 'The acknowledgement the vendor expects', content: { [adapter.ack.type.split(';')[0]!]: { schema: z.string() } } } },
      },
      // Before the body is read: a wrong token, or a caller over its limit, never gets it parsed.
      onRequest: async (request) => {
        const { token } = request.params as { token: string };
        const gateway = await limits.authenticate(request, () => gateways.authenticate(adapter.kind, token));
        await limits.caller(request, 'supplier', gateway.supplier_id);
        gatewayOf.set(request, gateway);
      },
      handler: async (request, reply) => {
        const gateway = gatewayOf.get(request)!;
        const report = adapter.read(
          {
            url: `${publicUrl ?? `${request.protocol}://${request.host}`}${request.url}`,
            headers: request.headers,
            query: request.url.includes('?') ? parseForm(request.url.slice(request.url.indexOf('?') + 1)) : [],
            body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
            now: clock.now(),
          },
          gateway,
        );
        await gateways.report(gateway, report);
        return reply.code(200).type(adapter.ack.type).send(adapter.ack.body);
      },
    });
  }
}
