// What every gateway adapter shares: the request as the vendor sent it, how to read its fields, and
// the two refusals (a signature that does not match: 401; a body that says nothing usable: 400).
import type { IncomingHttpHeaders } from 'node:http';
import { fromUtf8Or } from '../../domain/charsets.js';
import { DomainError } from '../../domain/errors.js';
import type { GatewayKind, GatewayReport } from '../../domain/gateways.js';
import type { GatewayRow } from '../../store/schema.js';
import { Rejection } from '../rejections.js';

/** A gateway's request, as it was sent: signatures are over these bytes and this URL. */
export interface IngestRequest {
  /** The URL the vendor called, as it signs it: PUBLIC_URL (else the scheme and Host it called), path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The query string's parameters, in order. */
  query: [string, string][];
  /** The raw body (empty for GET). */
  body: Buffer;
  now: number;
}

export interface GatewayAdapter {
  kind: GatewayKind;
  methods: ('GET' | 'POST')[];
  /** Checks that the request is the vendor's (its signature, where it signs) and reads what it reports. */
  read(request: IngestRequest, gateway: GatewayRow): GatewayReport;
  /** How the vendor wants a request it sent answered once it was taken. */
  ack: { type: string; body: string };
}

/** The vendor's signature or secret does not match: nothing is written. */
export const badSignature = (message: string): Rejection => new Rejection(401, 'unauthorized', message);

/** The body says nothing usable: 400, naming what is wrong. */
export const malformed = (message: string): DomainError => new DomainError('INVALID_INPUT', message);

/** A form-encoded component's bytes (`raw` holds one byte per character): `+` is a space, `%XX` a byte. */
function formBytes(raw: string): Buffer {
  return Buffer.concat(
    raw
      .replaceAll('+', ' ')
      .split(/(%[0-9a-fA-F]{2})/)
      .map((piece) => (/^%[0-9a-fA-F]{2}$/.test(piece) ? Buffer.from([Number.parseInt(piece.slice(1), 16)]) : Buffer.from(piece, 'latin1'))),
  );
}

/**
 * `a=1&b=2` (one byte per character, as a body or request line arrives) as name-value pairs, in
 * order. Values are UTF-8, or Latin-1 when their bytes are not: Kannel and Jasmin pass an SMS's 8-bit
 * text on as it came.
 */
export function parseForm(text: string): [string, string][] {
  const decode = (raw: string) => fromUtf8Or(formBytes(raw), (bytes) => bytes.toString('latin1'));
  return text
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [decode(pair), ''] : [decode(pair.slice(0, eq)), decode(pair.slice(eq + 1))];
    });
}

/** The form fields of a body (application/x-www-form-urlencoded), in order. */
export const formPairs = (request: IngestRequest): [string, string][] => parseForm(request.body.toString('latin1'));

/** Query parameters, then form fields over them: a GET gateway sends its fields in the query, and a URL may add fixed ones. */
export function formFields(request: IngestRequest): Map<string, string> {
  return new Map([...request.query, ...formPairs(request)]);
}

/** The field, or 400 naming it. */
export function need(fields: Map<string, string>, name: string): string {
  const value = fields.get(name);
  if (value === undefined || value === '') throw malformed(`Missing field: ${name}`);
  return value;
}

export function jsonBody(request: IngestRequest): unknown {
  try {
    return JSON.parse(request.body.toString('utf8'));
  } catch {
    throw malformed('The body is not JSON');
  }
}

/**
 * A vendor's time when it says which instant it is: epoch seconds or milliseconds, or ISO-8601 with a
 * zone. Anything else is the gateway's local time, which we cannot place: null (the arrival time).
 */
export function instant(value: string | undefined): number | null {
  if (value === undefined) return null;
  if (/^\d{9,13}$/.test(value)) return value.length > 11 ? Number(value) : Number(value) * 1000;
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
