// The HTTP server: one encapsulated plugin per surface, each with its own auth and error format.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Platform } from '../domain/platform.js';
import { fastpvaApi } from './fastpva/plugin.js';
import { DEFAULT_FIVESIM, fivesimApi, type FivesimOptions } from './fivesim/plugin.js';
import { rejectionShape as fivesimShape } from './fivesim/wire.js';
import { ingestApi } from './ingest/plugin.js';
import { rejectionShape as fastpvaShape } from './fastpva/wire.js';
import { apiDocs } from './docs.js';
import { DEFAULT_RATE_LIMITS, setUpLimits, type RateLimitConfig } from './limits.js';
import { loggerOptions, type LogOptions } from './logging.js';
import { DEFAULT_METRICS, opsApi, type MetricsConfig } from './ops.js';
import { asRejection, clientErrorHandler, jsonShape, missingRoute, sendRejection } from './rejections.js';
import { smsActivateApi } from './sms-activate/plugin.js';
import { smshubApi } from './smshub/plugin.js';
import { rejectionShape as smsActivateShape } from './sms-activate/wire.js';
import { supplierApi } from './supplier/plugin.js';
import { DEFAULT_WEB_ROOT, webAppFiles } from './web/app-files.js';
import { webApi } from './web/plugin.js';

/** How long a client may take; README "Timeouts" says why each value. */
export interface Timeouts {
  /** Every request header must have arrived (slow-header attacks hold sockets otherwise). */
  headersMs: number;
  /** The whole request, body included, must have arrived. Receiving only: a reply's wait is not counted. */
  requestMs: number;
  /** The reply must be ready, else 503: above the 60 s a long-poll may wait for an SMS. */
  handlerMs: number;
  /** No byte either way for this long closes the connection: above handlerMs, so that its 503 goes out. */
  socketMs: number;
  /** A kept-alive connection idle between requests is closed: above a reverse proxy's usual 60 s. */
  keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { headersMs: 10_000, requestMs: 30_000, handlerMs: 75_000, socketMs: 90_000, keepAliveMs: 72_000 };

export interface AppOptions {
  /** Logs (pino JSON lines); none without it. */
  logger?: LogOptions;
  /** Log every request (one line each); off by default to keep hot polling cheap. */
  logRequests?: boolean;
  /**
   * Reverse proxies whose X-Forwarded-For is believed: addresses, CIDRs or proxy-addr's names
   * (loopback, linklocal, uniquelocal), comma-separated. None: the peer address is the client.
   */
  trustProxy?: string | undefined;
  timeouts?: Timeouts;
  rateLimits?: RateLimitConfig;
  metrics?: MetricsConfig;
  /** The 5SIM surface's choices (the status of `no free phones`). */
  fivesim?: FivesimOptions;
  /**
   * The address clients reach the server at (https://sms.example.com), when a proxy sits in front:
   * a Twilio signature covers the URL Twilio called. None: the scheme and Host of each request.
   */
  publicUrl?: string | undefined;
  /** The built web app (default: packages/web/dist beside this package). */
  webRoot?: string;
}

const FASTPVA_PREFIX = '/pvapublic';
const SMS_ACTIVATE_PREFIX = '/stubs';
const FIVESIM_PREFIX = '/v1';

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/** The surface a path belongs to, for rejections made before routing. */
const shapeOfPath = (path: string) =>
  under(path, FASTPVA_PREFIX) ? fastpvaShape : under(path, SMS_ACTIVATE_PREFIX) ? smsActivateShape : under(path, FIVESIM_PREFIX) ? fivesimShape : jsonShape;

export async function buildApp(platform: Platform, options: AppOptions = {}): Promise<FastifyInstance> {
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  const app = Fastify({
    logger: options.logger ? loggerOptions(options.logger) : false,
    logController: new LogController({ disableRequestLogging: !options.logRequests }),
    // A supplier's full online set (50,000 numbers as objects) fits; anything bigger is a mistake.
    bodyLimit: 8 * 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    // No implicit HEAD routes: HEAD would run the GET handler, and FASTPVA's GETs change state
    // (getNumber takes a number). Routes that want HEAD say so.
    exposeHeadRoutes: false,
    requestTimeout: timeouts.requestMs,
    handlerTimeout: timeouts.handlerMs,
    connectionTimeout: timeouts.socketMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    // Node checks the header and request deadlines on this interval (30 s by default).
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: 1000 },
    clientErrorHandler: clientErrorHandler(shapeOfPath),
  });
  // Everything outside the two API surfaces (the operators' endpoints, unknown paths) answers in
  // JSON. Set first: a route keeps the error handler in force where it was declared.
  app.setErrorHandler(async (error, request, reply) => sendRejection(reply, jsonShape, asRejection(error, request)));
  // On close, held long-polls answer at once with what they have, rather than hold the close for up to a
  // minute, and on a connection that then closes: a kept-alive one would hold it for KEEP_ALIVE_TIMEOUT_MS.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    platform.waits.close();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  // A response schema documents a reply (contract.ts); the reply is sent as the handler made it.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const limits = await setUpLimits(app, options.rateLimits ?? DEFAULT_RATE_LIMITS);
  app.setNotFoundHandler(async (request) => {
    throw missingRoute(app, request);
  });
  // Before the surfaces: it lists each route as the route is declared.
  await app.register(apiDocs);
  await app.register(opsApi, { platform, limits, metrics: options.metrics ?? DEFAULT_METRICS });
  await app.register(fastpvaApi, { platform, limits, prefix: FASTPVA_PREFIX });
  await app.register(supplierApi, { platform, limits, prefix: '/supplier/v1' });
  await app.register(smsActivateApi, { platform, limits, prefix: SMS_ACTIVATE_PREFIX });
  await app.register(fivesimApi, { platform, limits, fivesim: options.fivesim ?? DEFAULT_FIVESIM, prefix: FIVESIM_PREFIX });
  await app.register(ingestApi, { platform, limits, publicUrl: options.publicUrl, prefix: '/ingest' });
  await app.register(webApi, { platform, limits, prefix: '/api/web' });
  await app.register(smshubApi, { platform, limits, prefix: '/smshub' });
  await app.register(webAppFiles, { root: options.webRoot ?? DEFAULT_WEB_ROOT });
  return app;
}
