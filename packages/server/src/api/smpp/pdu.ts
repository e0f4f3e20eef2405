// A message PDU (deliver_sm or submit_sm) read into what fastpva needs: who, to whom, the code units of
// the text, and where the part sits when the message is concatenated.
import { createHash } from 'node:crypto';
import smpp, { type PDU } from 'smpp';
import type { Gsm7Packing } from '../../store/schema.js';
import { unpackSeptets } from './gsm7.js';
import { alphabetOf, type Alphabet } from './text.js';
import { concatenation, MalformedUdh, readUdh, type Concatenation } from './udh.js';

// The package turns short_message and message_payload into text as each PDU arrives, with its own
// tables and part by part: a surrogate pair or a GSM escape split between two parts cannot be joined
// afterwards, and packed GSM is misread. We take the octets as sent. This redefines the two fields for
// the whole process, where only our SMPP server and its tests use the package; the redefined
// short_message keeps its place among the fields, which the package reads in order.
for (const command of ['deliver_sm', 'submit_sm']) {
  const definition = smpp.commands[command]!;
  smpp.addCommand(command, { ...definition, params: { ...definition.params, short_message: { type: smpp.types.buffer } } });
}
smpp.addTLV('message_payload', { id: smpp.tlvs.message_payload!.id, type: smpp.types.tlv.buffer });

const UDH_INDICATOR = 0x40;
/** esm_class bits 2-5: a delivery receipt or acknowledgement rather than a message someone wrote. */
const RECEIPT_TYPES = 0x3c;

/** The PDU is answered with this command_status and the message is not taken. */
export class Refusal extends Error {
  override name = 'Refusal';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface MoMessage {
  sender: string;
  receiver: string;
  alphabet: Alphabet;
  /** The text's code units: septets for GSM (one per octet, unpacked), octets otherwise. */
  units: Buffer;
  concatenation: Concatenation | undefined;
}

/** Whether esm_class marks a delivery receipt: we send no messages, so it reports on nothing of ours. */
export const isReceipt = (pdu: PDU): boolean => ((pdu.esm_class ?? 0) & RECEIPT_TYPES) !== 0;

export function readMessage(pdu: PDU, gsm7: Gsm7Packing): MoMessage {
  // The text is in message_payload instead of short_message when it is too long for one (SMPP 3.4 §5.3.2.32).
  const payload = pdu.message_payload?.length ? pdu.message_payload : (pdu.short_message ?? Buffer.alloc(0));
  const alphabet = alphabetOf(pdu.data_coding ?? 0);
  if (!alphabet) throw new Refusal(smpp.ESME_RINVDCS, `data_coding ${pdu.data_coding} carries no text fastpva reads`);
  let header = { length: 0, concatenation: undefined as Concatenation | undefined };
  if ((pdu.esm_class ?? 0) & UDH_INDICATOR) {
    try {
      header = readUdh(payload);
    } catch (error) {
      if (error instanceof MalformedUdh) throw new Refusal(smpp.ESME_RINVESMCLASS, `UDHI is set but ${error.message}`);
      throw error;
    }
  }
  const body = payload.subarray(header.length);
  // Packed septets start on a septet boundary after the header: skip the fill bits that align them.
  const fillBits = (7 - ((header.length * 8) % 7)) % 7;
  const units = alphabet === 'gsm7' && gsm7 === 'packed' ? Buffer.from(unpackSeptets(body, fillBits)) : Buffer.from(body);
  return {
    sender: (pdu.source_addr ?? '').trim(),
    receiver: pdu.destination_addr ?? '',
    alphabet,
    units,
    concatenation: header.concatenation ?? concatenation('sar', pdu.sar_msg_ref_num ?? 0, pdu.sar_total_segments ?? 0, pdu.sar_segment_seqnum ?? 0),
  };
}

/** A hex SHA-256 of the values: the same values, the same digest. */
export const digest = (...values: unknown[]): string => createHash('sha256').update(JSON.stringify(values)).digest('hex');

/** What every part of one concatenated message shares, and no other message of this supplier. */
export const messageKey = (m: MoMessage, c: Concatenation): string => JSON.stringify([m.sender, m.receiver, m.alphabet, c.scheme, c.ref, c.total]);
