// Checking a webhook delivery (docs/api.md §10): `X-Fastpva-Signature: t=<unix seconds>,v1=<hex
// HMAC-SHA256(secret, "<t>.<raw body>")>`, over the bytes received, compared in constant time, and
// refused when `t` is too far from now so that a recorded delivery cannot be replayed.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookEvent } from './types.js';

export const SIGNATURE_HEADER = 'x-fastpva-signature';

export interface VerifyOptions {
  /** How old (or how far ahead) `t` may be, in seconds (default 300). */
  toleranceSeconds?: number;
  /** Now, in milliseconds (tests). */
  now?: number;
}

/** True when `header` signs `rawBody` with `secret` and is recent enough. */
export function verifyWebhook(secret: string, header: string | undefined | null, rawBody: string | Buffer, options: VerifyOptions = {}): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const [, t, v1] = match as unknown as [string, string, string];
  if (Math.abs((options.now ?? Date.now()) / 1000 - Number(t)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}

/** The event a verified delivery carries; throws when the signature does not hold. */
export function parseWebhook(secret: string, header: string | undefined | null, rawBody: string | Buffer, options: VerifyOptions = {}): WebhookEvent {
  if (!verifyWebhook(secret, header, rawBody, options)) throw new Error('Webhook signature is missing, wrong or too old');
  return JSON.parse(rawBody.toString()) as WebhookEvent;
}
