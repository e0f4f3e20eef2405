// The API's own description: an OpenAPI 3.1 document at /openapi.json, built by @fastify/swagger from
// the zod schemas every route declares (contract.ts), and a browsable reference at /docs
// (@fastify/swagger-ui, its assets served from this server: no CDN, and the web app's strict
// Content-Security-Policy holds there too). Registered before the surfaces, so it sees every route.
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { z, ZodType } from 'zod';
import { CONTENT_SECURITY_POLICY } from './web/app-files.js';
import { SESSION_COOKIE } from './web/cookies.js';

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect): what a client sends, or what it gets. */
function jsonSchema(schema: ZodType, io: 'input' | 'output'): Record<string, unknown> {
  // Transforms and refinements have no JSON Schema: the input side is described, the check is not.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return rest;
}

/** A zod schema, or { description?, content: { <media type>: { schema: zod } } }, as JSON Schema. */
function converted(value: unknown, io: 'input' | 'output'): unknown {
  if (value instanceof ZodType) return jsonSchema(value, io);
  const doc = value as { content?: Record<string, { schema: unknown }> } | undefined;
  if (!doc?.content) return value;
  const content: Record<string, { schema: unknown }> = {};
  for (const [type, media] of Object.entries(doc.content)) content[type] = { schema: converted(media.schema, io) };
  return { ...doc, content };
}

const SECURITY_SCHEMES = {
  fastpvaKey: { type: 'apiKey', in: 'query', name: 'apikey', description: 'The customer API key (FASTPVA surface).' },
  smsActivateKey: { type: 'apiKey', in: 'query', name: 'api_key', description: 'The customer API key, in the query or the form body (SMS-Activate protocol).' },
  customerBearer: { type: 'http', scheme: 'bearer', description: 'The customer API key as a Bearer token (5SIM API).' },
  supplierBearer: { type: 'http', scheme: 'bearer', description: 'A supplier key (`fastpva admin supplier create`).' },
  webSession: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The web app session; state-changing calls also send `X-CSRF-Token`.' },
  metricsToken: { type: 'http', scheme: 'bearer', description: '`METRICS_TOKEN`; without one, only clients on this host.' },
} as const;

async function docs(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'fastpva',
        version: '1',
        description:
          'Every HTTP surface of this fastpva server: the FASTPVA customer API (`/pvapublic`), the SMS-Activate protocol (`/stubs/handler_api.php`), ' +
          'the 5SIM API (`/v1`), the supplier push API (`/supplier/v1`), gateway webhooks (`/ingest`), the web app\'s API (`/api/web`) and the operators\' endpoints. ' +
          'Generated from the schemas the routes validate with. Prose, examples and the byte-exact reply rules: docs/api.md.',
      },
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    transform: ({ schema, url }) => {
      if (!schema) return { schema, url };
      const { params, querystring, body, headers, response, ...rest } = schema as Record<string, unknown>;
      const out: Record<string, unknown> = { ...rest };
      if (params) out.params = converted(params, 'input');
      if (querystring) out.querystring = converted(querystring, 'input');
      if (body) out.body = converted(body, 'input');
      if (headers) out.headers = converted(headers, 'input');
      if (response) out.response = Object.fromEntries(Object.entries(response as Record<string, unknown>).map(([status, r]) => [status, converted(r, 'output')]));
      return { schema: out as typeof schema, url };
    },
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    // Nothing leaves this server: no call to swagger.io's online validator.
    uiConfig: { validatorUrl: null, deepLinking: true },
    staticCSP: CONTENT_SECURITY_POLICY,
  });
}

export const apiDocs = fp(docs, { name: 'fastpva-docs' });
