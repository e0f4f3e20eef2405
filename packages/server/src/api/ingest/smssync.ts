// SMSSync (Ushahidi): a form POST per SMS with from, message, sent_timestamp, and the app's secret
// when one is set; newer versions add message_id, sent_to and device_id. It counts an SMS as
// delivered only when the answer is {"payload":{"success":"true"}}.
import { contentKey, sameSecret } from '../../domain/ids.js';
import { badSignature, formFields, instant, need, type GatewayAdapter } from './adapter.js';

export const smssync: GatewayAdapter = {
  kind: 'smssync',
  methods: ['POST'],
  read(request, gateway) {
    const fields = formFields(request);
    if (gateway.secret !== null && !sameSecret(fields.get('secret') ?? '', gateway.secret)) throw badSignature('The SMSSync secret does not match');
    const [from, text, sent] = [need(fields, 'from'), fields.get('message') ?? '', fields.get('sent_timestamp') ?? ''];
    return {
      device: fields.get('device_id') || null,
      messages: [
        {
          key: fields.get('message_id') || contentKey(from, sent, text),
          // Versions that do not send sent_to: add ?sent_to=<number> to the URL (query fields fill in).
          receiver: fields.get('sent_to') || null,
          slot: null,
          sender: from,
          text,
          receivedAt: instant(sent),
        },
      ],
    };
  },
  ack: { type: 'application/json; charset=utf-8', body: '{"payload":{"success":"true"}}' },
};
