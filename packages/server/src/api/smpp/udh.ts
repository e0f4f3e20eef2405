// The user data header (3GPP TS 23.040 §9.2.3.24) at the start of a message when esm_class has
// UDHI set: we read the concatenation elements and skip the rest.

/** Where a part sits in its message. `ref` is the sender's reference, the same in every part. */
export interface Concatenation {
  /** Which numbering the sender used: 8- or 16-bit UDH references, or SAR TLVs. */
  scheme: 'udh8' | 'udh16' | 'sar';
  ref: number;
  total: number;
  /** 1-based. */
  seq: number;
}

export interface UserDataHeader {
  /** Octets the header takes, its length octet included. */
  length: number;
  concatenation: Concatenation | undefined;
}

/** A header that runs past the message. */
export class MalformedUdh extends Error {
  override name = 'MalformedUdh';
}

/** Concatenation numbers as 23.040 allows them; anything else is a single message. */
export function concatenation(scheme: Concatenation['scheme'], ref: number, total: number, seq: number): Concatenation | undefined {
  return total > 1 && seq >= 1 && seq <= total ? { scheme, ref, total, seq } : undefined;
}

export function readUdh(message: Uint8Array): UserDataHeader {
  const length = (message[0] ?? 0) + 1;
  if (message.length === 0 || length > message.length) throw new MalformedUdh(`a user data header of ${length} octets in ${message.length}`);
  let found: Concatenation | undefined;
  for (let i = 1; i < length; ) {
    const iei = message[i]!;
    const size = message[i + 1];
    if (size === undefined || i + 2 + size > length) throw new MalformedUdh('an information element runs past the header');
    const data = message.subarray(i + 2, i + 2 + size);
    // IEI 0x00: 8-bit reference, total, sequence; 0x08: 16-bit reference, total, sequence.
    if (iei === 0x00 && size === 3) found = concatenation('udh8', data[0]!, data[1]!, data[2]!);
    if (iei === 0x08 && size === 4) found = concatenation('udh16', (data[0]! << 8) | data[1]!, data[2]!, data[3]!);
    i += 2 + size;
  }
  return { length, concatenation: found };
}
