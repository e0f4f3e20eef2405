// The many Android SMS forwarders and home-made scripts: one flat JSON object or form per SMS, keys in
// any case, each field under any of the common names below (README "Generic JSON or form"). Query
// parameters of the URL fill in what the body lacks (e.g. ?to=447700900123 for a phone that does not
// know its own number).
import { contentKey } from '../../domain/ids.js';
import { formPairs, instant, jsonBody, malformed, need, type GatewayAdapter, type IngestRequest } from './adapter.js';

/** Each field and the names it goes by, first match wins. */
export const GENERIC_FIELDS = {
  id: ['id', 'message_id', 'messageid', 'sms_id', 'smsid', 'uuid'],
  to: ['to', 'receiver', 'recipient', 'sent_to'],
  from: ['from', 'sender', 'phonenumber', 'msisdn', 'srcnum'],
  text: ['text', 'message', 'body', 'content', 'msg'],
  time: ['timestamp', 'sent_timestamp', 'receivedat', 'received_at', 'time', 'date'],
  device: ['device', 'device_id', 'deviceid'],
  slot: ['slot', 'sim', 'simnumber', 'sim_slot', 'port'],
} as const;

/** The body's fields over the query's, names lower-cased. */
function fieldsOf(request: IngestRequest): Map<string, string> {
  const json = /json/i.test(request.headers['content-type'] ?? '') || request.body.toString('utf8').trimStart().startsWith('{');
  let pairs: [string, string][];
  if (json) {
    const body = jsonBody(request);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw malformed('The body is not a JSON object');
    pairs = Object.entries(body)
      .filter(([, value]) => ['string', 'number'].includes(typeof value))
      .map(([name, value]) => [name, String(value)]);
  } else {
    pairs = formPairs(request);
  }
  return new Map([...request.query, ...pairs].map(([name, value]) => [name.toLowerCase(), value]));
}

export const generic: GatewayAdapter = {
  kind: 'generic',
  methods: ['POST'],
  read(request) {
    const fields = fieldsOf(request);
    const pick = (field: keyof typeof GENERIC_FIELDS) => GENERIC_FIELDS[field].map((name) => fields.get(name)).find((value) => value !== undefined && value !== '');
    const from = pick('from') ?? need(fields, 'from');
    const [to, text, time, device, slot] = [pick('to'), pick('text') ?? '', pick('time'), pick('device'), pick('slot')];
    if (slot !== undefined && !/^\d{1,4}$/.test(slot)) throw malformed('slot: not a whole number');
    return {
      device: device ?? null,
      messages: [
        {
          key: pick('id') ?? contentKey(from, to ?? `${device}/${slot}`, time ?? '', text),
          receiver: to ?? null,
          slot: slot === undefined ? null : Number(slot),
          sender: from,
          text,
          receivedAt: instant(time),
        },
      ],
    };
  },
  ack: { type: 'application/json; charset=utf-8', body: '{"accepted":true}' },
};
