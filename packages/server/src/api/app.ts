// The HTTP server: one encapsulated plugin per surface, each with its own auth and error format.
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Platform } from '../domain/platform.js';
import { fastpvaApi } from './fastpva/plugin.js';
import { JSON_TYPE } from './http.js';
import { opsApi } from './ops.js';
import { supplierApi } from './supplier/plugin.js';

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  /** Log every request (pino, one line each); off by default to keep hot polling cheap. */
  logRequests?: boolean;
}

export async function buildApp(platform: Platform, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    logController: new LogController({ disableRequestLogging: !options.logRequests }),
    // A supplier's full online set (50,000 numbers as objects) fits; anything bigger is a mistake.
    bodyLimit: 8 * 1024 * 1024,
  });
  await app.register(opsApi, { platform });
  await app.register(fastpvaApi, { platform, prefix: '/pvapublic' });
  await app.register(supplierApi, { platform, prefix: '/supplier/v1' });
  app.setNotFoundHandler(async (_request, reply) =>
    reply.code(404).type(JSON_TYPE).send(JSON.stringify({ error: 'not_found', message: 'No such route' })),
  );
  return app;
}
