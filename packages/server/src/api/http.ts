// Small pieces every surface shares.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodType, core } from 'zod';
import { DomainError } from '../domain/errors.js';

export const JSON_TYPE = 'application/json; charset=utf-8';

/** Sends an already-serialised JSON body: the surfaces own their exact bytes. */
export function sendJson(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).type(JSON_TYPE).send(body);
}

/** The token of an `Authorization: Bearer <token>` header; '' when there is none. */
export function bearerToken(request: FastifyRequest): string {
  const [scheme, token] = (request.headers.authorization ?? '').split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : '';
}

type IssueFormat = (issue: core.$ZodIssue) => string;

/** "numbers.0.country: Invalid input: expected string, received undefined" */
export const withPath: IssueFormat = (issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message);

/** Validates input with a zod schema; the first problem becomes the caller's error message. */
export function parseWith<T>(schema: ZodType<T>, input: unknown, format: IssueFormat = (issue) => issue.message): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new DomainError('INVALID_INPUT', issue ? format(issue) : 'Invalid input');
  }
  return result.data;
}
