// Kannel's smsbox: an sms-service whose get-url names from, to, text, ts and smsc (and id, Kannel's
// own message id, when the URL adds id=%I). Kannel sends a reply body back to the sender as an SMS,
// so the answer is empty.
import { contentKey } from '../../domain/ids.js';
import { formFields, instant, need, type GatewayAdapter } from './adapter.js';

export const kannel: GatewayAdapter = {
  kind: 'kannel',
  methods: ['GET'],
  read(request) {
    const fields = formFields(request);
    const [from, to, text] = [need(fields, 'from'), need(fields, 'to'), fields.get('text') ?? ''];
    const ts = fields.get('ts') ?? '';
    return {
      device: null,
      messages: [{ key: fields.get('id') || contentKey(from, to, ts, fields.get('smsc') ?? '', text), receiver: to, slot: null, sender: from, text, receivedAt: instant(ts) }],
    };
  },
  ack: { type: 'text/plain; charset=utf-8', body: '' },
};
