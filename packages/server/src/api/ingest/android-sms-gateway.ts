// SMS Gateway for Android (capcom6): JSON events signed with the app's signing key. `sms:received`
// carries an SMS; every event (system:ping included) says the phone is alive. The event `id` is the
// idempotency key (the payload's messageId is made from the content and is not unique).
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { sameSecret } from '../../domain/ids.js';
import { parseWith, withPath } from '../http.js';
import { badSignature, instant, jsonBody, type GatewayAdapter, type IngestRequest } from './adapter.js';

/** The app's replay window: X-Timestamp within 5 minutes of now. */
const WINDOW_SECONDS = 300;

const event = z.object({
  deviceId: z.string().min(1).max(100),
  event: z.string(),
  id: z.string().min(1).max(200),
  payload: z.unknown(),
});

const smsReceived = z.object({
  message: z.string(),
  sender: z.string().nullish(),
  recipient: z.string().nullish(),
  // Deprecated for sender; older app versions send only this.
  phoneNumber: z.string().nullish(),
  simNumber: z.number().int().nullish(),
  receivedAt: z.string().nullish(),
});

/** hex(HMAC-SHA256(signingKey, rawBody + X-Timestamp)) === X-Signature, and the timestamp is recent. */
function checkSignature(request: IngestRequest, signingKey: string): void {
  const signature = request.headers['x-signature'];
  const timestamp = request.headers['x-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string') throw badSignature('X-Signature and X-Timestamp are required');
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(request.now / 1000 - Number(timestamp)) > WINDOW_SECONDS) {
    throw badSignature('X-Timestamp is not within 5 minutes of now');
  }
  const expected = createHmac('sha256', signingKey).update(request.body).update(timestamp).digest('hex');
  if (!sameSecret(expected, signature.toLowerCase())) throw badSignature('X-Signature does not match the body and the signing key');
}

export const androidSmsGateway: GatewayAdapter = {
  kind: 'android-sms-gateway',
  methods: ['POST'],
  read(request, gateway) {
    checkSignature(request, gateway.secret!);
    const body = parseWith(event, jsonBody(request), withPath);
    if (body.event !== 'sms:received') return { device: body.deviceId, messages: [] };
    const sms = parseWith(smsReceived, body.payload, (issue) => `payload.${withPath(issue)}`);
    return {
      device: body.deviceId,
      messages: [
        {
          key: body.id,
          // Null when the app may not read the SIM's number: the number registered in this phone's SIM slot.
          receiver: sms.recipient ?? null,
          slot: sms.simNumber ?? null,
          sender: sms.sender ?? sms.phoneNumber ?? '',
          text: sms.message,
          receivedAt: instant(sms.receivedAt ?? undefined),
        },
      ],
    };
  },
  ack: { type: 'application/json; charset=utf-8', body: '{"accepted":true}' },
};
