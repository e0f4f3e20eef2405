// The two cookies of the web app, read and written by hand: a name, a value, a few flags.
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The session token (HttpOnly: scripts never see it). */
export const SESSION_COOKIE = 'fastpva_session';
/** The CSRF token of a browser that is not signed in (sign-in and sign-up are state changes too). */
export const CSRF_COOKIE = 'fastpva_csrf';

/** The cookie's value, or '' when the request has none. */
export function readCookie(request: FastifyRequest, name: string): string {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return '';
}

/**
 * HttpOnly always; Secure when the request came over TLS (directly, or through a proxy TRUST_PROXY
 * names, which says so in X-Forwarded-Proto). `maxAgeSeconds` 0 deletes the cookie.
 */
export function setCookie(request: FastifyRequest, reply: FastifyReply, name: string, value: string, options: { maxAgeSeconds: number; sameSite: 'Lax' | 'Strict' }): void {
  const flags = [`${name}=${encodeURIComponent(value)}`, 'Path=/', `Max-Age=${options.maxAgeSeconds}`, 'HttpOnly', `SameSite=${options.sameSite}`];
  if (request.protocol === 'https') flags.push('Secure');
  reply.header('set-cookie', flags.join('; ')); // Fastify appends a second set-cookie
}

/** The session cookie: Lax, so that a link from another site opens the app signed in, but its forms post nothing. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  setCookie(request, reply, SESSION_COOKIE, token, { maxAgeSeconds: token ? 30 * 86_400 : 0, sameSite: 'Lax' });
}
