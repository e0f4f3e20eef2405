// The web app's JSON API under /api/web: the user center and the admin panel. A browser signs in for
// a session cookie; every state-changing call also carries the page's CSRF token; admin routes check
// the admin role on every call. Handlers parse with zod, call domain functions, answer JSON; errors
// are {"error":{"code","message"}} with an HTTP status the page can act on.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DomainErrorCode } from '../../domain/errors.js';
import type { Platform } from '../../domain/platform.js';
import type { WebSession } from '../../domain/sessions.js';
import { zodRoutes } from '../contract.js';
import { withPath } from '../http.js';
import type { Limits } from '../limits.js';
import { jsonErrorHandler, missingRoute, Rejection } from '../rejections.js';
import { accountRoutes } from './account.js';
import { adminRoutes } from './admin.js';
import { CSRF_COOKIE, readCookie, SESSION_COOKIE, setCookie } from './cookies.js';
import type { WebContext } from './context.js';
import { customerRoutes } from './customer.js';
import { described } from './replies.js';
import { webhookRoutes } from './webhooks.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call a web route: anyone, a signed-in user (the default), or an admin. */
    access?: 'public' | 'user' | 'admin';
  }
}


const STATUS: Partial<Record<DomainErrorCode, number>> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  PROJECT_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  TRY_AGAIN: 503,
};

const SAFE_METHODS = new Set(['GET', 'HEAD']);
/** The page's JSON is small; nothing it sends comes near this. */
const BODY_LIMIT = 64 * 1024;

const sameToken = (given: string, expected: string) =>
  given.length === expected.length && expected.length > 0 && timingSafeEqual(Buffer.from(given), Buffer.from(expected));

export async function webApi(fastify: FastifyInstance, { platform, limits }: { platform: Platform; limits: Limits }): Promise<void> {
  const app = zodRoutes(fastify, { tag: 'Web app', security: ['webSession'], issues: withPath });
  const sessions = new WeakMap<FastifyRequest, WebSession>();
  /** A signed-out browser's CSRF token, made on its first visit. */
  const signedOutTokens = new WeakMap<FastifyRequest, string>();

  const context: WebContext = {
    platform,
    limits,
    session: (request) => sessions.get(request)!,
    maybeSession: (request) => sessions.get(request),
    csrfToken: (request) => sessions.get(request)?.csrfToken ?? signedOutTokens.get(request) ?? readCookie(request, CSRF_COOKIE),
  };

  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= BODY_LIMIT;
    const schema = (route.schema ??= {});
    // Signing in and up need no session: the document says so.
    if (route.config?.access === 'public') schema.security = [];
    // Most routes answer a domain object as it is; the refusals are the same everywhere.
    schema.response ??= described('The result, as JSON');
  });

  // onRequest: who is asking, and whether this state change comes from our own page, before any body is read.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    if (request.is404) return;
    const session = await platform.sessions.authenticate(readCookie(request, SESSION_COOKIE));
    if (session) {
      sessions.set(request, session);
      await limits.caller(request, 'user', session.userId, session.rateLimit);
    } else if (!readCookie(request, CSRF_COOKIE)) {
      const token = randomBytes(24).toString('base64url');
      signedOutTokens.set(request, token);
      setCookie(request, reply, CSRF_COOKIE, token, { maxAgeSeconds: 86_400, sameSite: 'Strict' });
    }
    if (!SAFE_METHODS.has(request.method) && !sameToken(String(request.headers['x-csrf-token'] ?? ''), context.csrfToken(request))) {
      throw new Rejection(403, 'csrf', 'This request did not come from the fastpva page (missing or wrong CSRF token): reload the page and try again');
    }
    const access = request.routeOptions.config.access ?? 'user';
    if (access !== 'public' && !session) throw new Rejection(401, 'unauthorized', 'Sign in first');
    if (access === 'admin' && session?.role !== 'admin') throw new Rejection(403, 'forbidden', 'Only admins may do this');
  });

  app.setErrorHandler(jsonErrorHandler(STATUS));

  app.setNotFoundHandler(async (request) => {
    throw missingRoute(app, request);
  });

  // One module per part of the app.
  accountRoutes(app, context);
  customerRoutes(app, context);
  webhookRoutes(app, context);
  adminRoutes(app, context);
}
