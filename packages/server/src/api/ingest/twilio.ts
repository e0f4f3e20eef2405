// Twilio inbound SMS: a form POST (or GET) signed with the account's auth token over the public URL
// and every parameter that arrived. MessageSid is the idempotency key; an empty TwiML document
// answers it (no reply SMS).
import { createHmac } from 'node:crypto';
import { sameSecret } from '../../domain/ids.js';
import { badSignature, formFields, formPairs, need, type GatewayAdapter, type IngestRequest } from './adapter.js';

/** Base64(HMAC-SHA1(authToken, url + each POST parameter's name and value, sorted by name)). */
function checkSignature(request: IngestRequest, authToken: string): void {
  const given = request.headers['x-twilio-signature'];
  if (typeof given !== 'string') throw badSignature('X-Twilio-Signature is required');
  const sorted = formPairs(request).sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1));
  const expected = createHmac('sha1', authToken)
    .update(request.url + sorted.map(([name, value]) => name + value).join(''))
    .digest('base64');
  if (!sameSecret(expected, given)) throw badSignature('X-Twilio-Signature does not match: check the auth token, and PUBLIC_URL behind a proxy');
}

export const twilio: GatewayAdapter = {
  kind: 'twilio',
  methods: ['POST', 'GET'],
  read(request, gateway) {
    checkSignature(request, gateway.secret!);
    const fields = formFields(request);
    return {
      device: null,
      messages: [{ key: need(fields, 'MessageSid'), receiver: need(fields, 'To'), slot: null, sender: need(fields, 'From'), text: fields.get('Body') ?? '', receivedAt: null }],
    };
  },
  ack: { type: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' },
};
