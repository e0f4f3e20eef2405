// Logger settings: no secret reaches a log line. Customers' API keys travel in the query string, so
// every logged URL loses the values of secret parameters; secret headers are censored wherever a
// log line carries headers.
import type { FastifyRequest, FastifyServerOptions } from 'fastify';

export interface LogOptions {
  level: string;
  /** Where the JSON lines go (default stdout). */
  stream?: { write(line: string): void };
}

const SECRET_PARAMETERS = new Set(['apikey', 'api_key', 'token', 'key', 'password']);
const SECRET_HEADERS = ['authorization', 'cookie', 'x-signature', 'x-twilio-signature'];
const REDACTED = '[redacted]';

function decoded(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * "/pvapublic/user/info?apikey=abc&x=1" -> "/pvapublic/user/info?apikey=[redacted]&x=1", and a
 * gateway's token in its path: "/ingest/twilio/abc" -> "/ingest/twilio/[redacted]".
 */
export function redactUrl(url: string): string {
  url = url.replace(/^(\/ingest\/[^/?]*\/)[^/?]+/, `$1${REDACTED}`);
  const start = url.indexOf('?');
  if (start < 0) return url;
  const pairs = url
    .slice(start + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=', 1)[0]!;
      // Compared decoded, as the query parser reads it: "ap%69key" is the API key too.
      return SECRET_PARAMETERS.has(decoded(name).toLowerCase()) ? `${name}=${REDACTED}` : pair;
    });
  return `${url.slice(0, start)}?${pairs.join('&')}`;
}

/** A request in a log line: Fastify's usual fields, with the URL redacted. */
function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

export function loggerOptions(options: LogOptions): NonNullable<FastifyServerOptions['logger']> {
  return {
    level: options.level,
    ...(options.stream ? { stream: options.stream } : {}),
    serializers: { req: serializeRequest },
    // The request serializer carries no headers; these catch code that logs headers itself.
    redact: {
      paths: ['headers', 'req.headers', 'request.headers'].flatMap((at) => SECRET_HEADERS.map((h) => `${at}["${h}"]`)),
      censor: REDACTED,
    },
  };
}
