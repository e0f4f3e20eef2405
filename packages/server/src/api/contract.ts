// How a route declares what it takes and what it answers: once, as zod schemas in its Fastify `schema`
// (`params`, `querystring`, `body`, `response`). The same schemas validate the request (with zod, in
// the surface's own error format, never with Fastify's AJV) and describe the route in /openapi.json.
// Replies keep their bytes: a response schema documents a reply, it never serialises one.
import type { FastifyInstance, FastifyTypeProvider } from 'fastify';
import type { ZodType, z } from 'zod';
import { parseWith } from './http.js';

/** Types `request.query`, `request.params` and `request.body` as what their zod schemas return. */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends ZodType ? z.output<this['schema']> : unknown;
  // Replies are shaped by each surface's wire module (often as ready bytes), not by the schema.
  serializer: unknown;
}

type IssueFormat = NonNullable<Parameters<typeof parseWith>[2]>;

export interface SurfaceDoc {
  /** The OpenAPI tag every route of the surface is listed under. */
  tag: string;
  /** How a caller proves who it is: names of the document's security schemes (none: open to all). */
  security?: string[];
  /** How the first zod issue becomes the error message (default: the issue's own message; `withPath` names the field). */
  issues?: IssueFormat;
}

/**
 * Makes `app` (one surface's encapsulated plugin) validate each route's declared zod schemas, in the
 * validation phase (after authentication, before the handler), throwing the surface's INVALID_INPUT
 * DomainError that its error handler words. Every route declared on it is listed under `tag`.
 */
export function zodRoutes(app: FastifyInstance, surface: SurfaceDoc) {
  app.setValidatorCompiler(({ schema }) => (data: unknown) => {
    try {
      // Fastify hands an absent part (no body) over as null; the handlers always read it as undefined.
      return { value: parseWith(schema as ZodType, data === null ? undefined : data, surface.issues) };
    } catch (error) {
      return { error: error as Error };
    }
  });
  app.addHook('onRoute', (route) => {
    // tags and security are @fastify/swagger's additions to FastifySchema.
    const schema = (route.schema ??= {});
    schema.tags ??= [surface.tag];
    if (surface.security) schema.security ??= surface.security.map((name) => ({ [name]: [] }));
  });
  return app.withTypeProvider<ZodTypeProvider>();
}

/** One documented reply: a status's description and its body's schema and media type. */
export interface ReplyDoc {
  description: string;
  content: Record<string, { schema: ZodType }>;
}

export const jsonReply = (description: string, schema: ZodType, type = 'application/json'): ReplyDoc => ({ description, content: { [type]: { schema } } });
export const textReply = (description: string, schema: ZodType, type = 'text/plain'): ReplyDoc => ({ description, content: { [type]: { schema } } });

/** A surface's plugin instance once zodRoutes has set it up: what route modules take. */
export type ZodApp = ReturnType<typeof zodRoutes>;
