// What every group of web routes is given: the domain, the limits, and the request's session.
import type { FastifyRequest } from 'fastify';
import type { Platform } from '../../domain/platform.js';
import type { WebSession } from '../../domain/sessions.js';
import type { Limits } from '../limits.js';

export interface WebContext {
  platform: Platform;
  limits: Limits;
  /** The session of a signed-in request; routes of `user` and `admin` access always have one. */
  session(request: FastifyRequest): WebSession;
  /** The request's session, if signed in. */
  maybeSession(request: FastifyRequest): WebSession | undefined;
  /** The CSRF token the page must send back: the session's, or the signed-out browser's cookie. */
  csrfToken(request: FastifyRequest): string;
}
