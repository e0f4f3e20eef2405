// Dinstar GSM gateways (HTTP API, "Push SMS"): JSON with the gateway's serial `sn` and its received
// SMS in `sms[]`, each on a port. The receiving number is the one registered with device = sn and
// slot = port; (sn, incoming_sms_id) is the idempotency key. Every push (results, device status...)
// says the gateway is alive.
import { z } from 'zod';
import { parseWith, withPath } from '../http.js';
import { jsonBody, type GatewayAdapter } from './adapter.js';

const push = z.object({
  sn: z.string().min(1).max(100),
  sms: z
    .array(
      z.object({
        incoming_sms_id: z.union([z.number().int(), z.string().min(1).max(64)]),
        port: z.number().int().nonnegative(),
        number: z.string(),
        text: z.string(),
      }),
    )
    .optional(),
});

export const dinstar: GatewayAdapter = {
  kind: 'dinstar',
  methods: ['POST'],
  read(request) {
    const body = parseWith(push, jsonBody(request), withPath);
    return {
      device: body.sn,
      // The gateway's timestamp is its local time, without a zone: the arrival time is used.
      messages: (body.sms ?? []).map((sms) => ({ key: `${body.sn}:${sms.incoming_sms_id}`, receiver: null, slot: sms.port, sender: sms.number, text: sms.text, receivedAt: null })),
    };
  },
  ack: { type: 'application/json; charset=utf-8', body: '{"error_code":200}' },
};
