// Jasmin's deliverSmHttpThrower: an MO SMS as GET or form POST (parts of a long SMS already joined),
// with Jasmin's message id. Jasmin retries until the body is exactly `ACK/Jasmin`.
import { fromUtf16be } from '../../domain/charsets.js';
import { formFields, malformed, need, type GatewayAdapter } from './adapter.js';

/** `content` is the SMS's raw bytes; `binary` the same in hex (newer Jasmin), decoded here by the data coding. */
function textOf(fields: Map<string, string>): string {
  const [content, binary, coding] = [fields.get('content'), fields.get('binary'), fields.get('coding')];
  if (content === undefined) throw malformed('Missing field: content');
  if (binary === undefined || !/^([0-9a-f]{2})*$/i.test(binary)) return content;
  if (coding === '8') return fromUtf16be(Buffer.from(binary, 'hex')); // UCS-2
  if (coding === '3') return Buffer.from(binary, 'hex').toString('latin1'); // ISO-8859-1
  return content;
}

export const jasmin: GatewayAdapter = {
  kind: 'jasmin',
  methods: ['GET', 'POST'],
  read(request) {
    const fields = formFields(request);
    return {
      device: null,
      messages: [{ key: need(fields, 'id'), receiver: need(fields, 'to'), slot: null, sender: need(fields, 'from'), text: textOf(fields), receivedAt: null }],
    };
  },
  ack: { type: 'text/plain; charset=utf-8', body: 'ACK/Jasmin' },
};
