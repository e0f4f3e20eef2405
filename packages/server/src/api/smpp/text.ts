// From data_coding and octets to text. A message's code units (septets for GSM, octets otherwise) are
// decoded only once all its parts are joined: a UCS-2 surrogate pair or a GSM escape may be split
// between two parts.
import { decodeGsm7 } from './gsm7.js';

export type Alphabet = 'gsm7' | 'latin1' | 'ucs2';

/**
 * The alphabet a data_coding names, or undefined for one that carries no text we read (binary,
 * compressed, the Japanese and Korean codings).
 */
export function alphabetOf(dataCoding: number): Alphabet | undefined {
  switch (dataCoding) {
    case 0x00: // SMSC default alphabet: GSM 03.38
      return 'gsm7';
    case 0x01: // IA5 (ASCII), a subset of Latin-1
    case 0x03: // Latin-1
      return 'latin1';
    case 0x08: // UCS-2
      return 'ucs2';
  }
  // The GSM 03.38 coding groups, which some SMSCs pass on from the handset unchanged.
  if ((dataCoding & 0xf0) === 0x10) {
    // 0001xxxx: uncompressed, with a message class; bits 3-2 name the alphabet.
    const bits = (dataCoding >> 2) & 3;
    return bits === 0 ? 'gsm7' : bits === 2 ? 'ucs2' : undefined;
  }
  // 1111xxxx: a message class; bit 2 set is 8-bit data.
  if ((dataCoding & 0xf0) === 0xf0) return dataCoding & 0x04 ? undefined : 'gsm7';
  return undefined;
}

const UTF16BE = new TextDecoder('utf-16be');

/** Code units to text. UCS-2 is read as UTF-16, so that a surrogate pair is one character (an emoji). */
export function decodeText(units: Uint8Array, alphabet: Alphabet): string {
  switch (alphabet) {
    case 'gsm7':
      return decodeGsm7(units);
    case 'latin1':
      return Buffer.from(units).toString('latin1');
    case 'ucs2':
      return UTF16BE.decode(units);
  }
}
