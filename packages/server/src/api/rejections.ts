// What the HTTP layer refuses on its own — rate limits, unknown routes and methods, malformed or
// oversized requests, timeouts — and how each surface words a refusal. Every surface renders these
// through its shape, so a client sees one error format per surface whatever went wrong.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asDomainError, type DomainErrorCode } from '../domain/errors.js';
import { JSON_TYPE } from './http.js';

export class Rejection extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Machine-readable specifics, for the surfaces whose shape carries them. */
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'Rejection';
  }
}

/** A surface's error format: the status and body that answer a rejection (JSON unless it names its type). */
export type Shape = (rejection: Rejection) => { status: number; body: string; type?: string };

/** Every surface but FASTPVA: {"error":{"code":"<snake_case>","message":"...", ...details}}. */
export const jsonShape: Shape = (r) => ({ status: r.status, body: JSON.stringify({ error: { code: r.code, message: r.message, ...r.details } }) });

export function sendRejection(reply: FastifyReply, shape: Shape, rejection: Rejection): FastifyReply {
  const { status, body, type } = shape(rejection);
  return reply.code(status).headers(rejection.headers).type(type ?? JSON_TYPE).send(body);
}

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'headers_too_large',
  500: 'internal',
  503: 'unavailable',
};

const codeOf = (status: number) => CODES[status] ?? (status < 500 ? 'bad_request' : 'internal');

export function rateLimited(retryAfterSeconds: number): Rejection {
  const seconds = Math.max(1, retryAfterSeconds);
  return new Rejection(429, 'rate_limited', `Too many requests, retry in ${seconds} s`, {}, { 'retry-after': String(seconds) });
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * No route took the request: 404, or 405 with `Allow` when the path exists under other methods.
 * Every route is static, so hasRoute on the path finds it.
 */
export function missingRoute(app: FastifyInstance, request: FastifyRequest): Rejection {
  const path = request.url.split('?', 1)[0]!;
  const allowed = METHODS.filter((method) => app.hasRoute({ method, url: path }));
  if (allowed.length === 0) return new Rejection(404, 'not_found', 'Route not found');
  return new Rejection(405, 'method_not_allowed', `Method ${request.method} not allowed, use ${allowed.join(', ')}`, {}, { allow: allowed.join(', ') });
}

/**
 * Any error that is not a use case's refusal. Fastify's own (malformed JSON 400, body too large 413,
 * unsupported type 415, handler timeout 503) keep their status and say what was wrong; anything else
 * is a fault of ours, logged with its request and answered without details.
 */
export function asRejection(error: unknown, request: FastifyRequest): Rejection {
  if (error instanceof Rejection) return error;
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return new Rejection(status, codeOf(status), (error as Error).message);
  if (status === 503) {
    request.log.warn({ req: request, err: error }, 'request took too long');
    return new Rejection(503, codeOf(503), 'The server took too long; retry later');
  }
  request.log.error({ req: request, err: error }, 'request failed');
  return new Rejection(500, codeOf(500), 'Please try again later');
}

/**
 * The error handler of a JSON surface: a use case's refusal gets the status its surface gives that
 * code (422 when it names none) and is worded in the JSON shape, like every other rejection.
 */
export function jsonErrorHandler(statusOf: Partial<Record<DomainErrorCode, number>>) {
  return async (error: unknown, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const domainError = asDomainError(error);
    const rejection = domainError
      ? new Rejection(statusOf[domainError.code] ?? 422, domainError.code.toLowerCase(), domainError.message, domainError.details)
      : asRejection(error, request);
    return sendRejection(reply, jsonShape, rejection);
  };
}

/**
 * Node answers some requests before any route sees them: a malformed request (400), headers too
 * large (431), headers or body too slow (408). This words them in the shape of the surface the
 * request line names; when there is none (headers that never finished), in the JSON shape.
 */
export function clientErrorHandler(shapeOf: (path: string) => Shape) {
  return function onClientError(this: FastifyInstance, error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const refused = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const message = refused === 431 ? 'Request headers too large' : refused === 408 ? 'Request not received in time' : 'Malformed HTTP request';
    // "GET /pvapublic/sms/getCode?... HTTP/1.1": the path is the second word of the first line.
    const packet = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString('latin1', 0, 2048) : '';
    const path = packet.split('\r\n', 1)[0]!.split(' ')[1] ?? '';
    const { status, body, type } = shapeOf(path)(new Rejection(refused, codeOf(refused), message));
    // Not the error itself: its rawPacket holds the request line, API key included.
    this.log.debug({ code: error.code, status }, 'client error');
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${type ?? JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}
