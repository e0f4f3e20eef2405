// The SMPP server's decoding, without a network: GSM 03.38 (basic and extension tables, packed and
// unpacked), UCS-2 with surrogate pairs, data_coding values, user data headers, and message PDUs.
import type { PDU } from 'smpp';
import { describe, expect, it } from 'vitest';
import { decodeGsm7, unpackSeptets } from '../src/api/smpp/gsm7.js';
import { readMessage, Refusal } from '../src/api/smpp/pdu.js';
import { alphabetOf, decodeText } from '../src/api/smpp/text.js';
import { MalformedUdh, readUdh } from '../src/api/smpp/udh.js';

const septets = (...codes: number[]) => Uint8Array.from(codes);

/** Septets packed 7 bits each, least significant first, after `fillBits` zero bits. */
function pack(codes: number[], fillBits = 0): Buffer {
  const out = Buffer.alloc(Math.ceil((fillBits + codes.length * 7) / 8));
  codes.forEach((code, i) => {
    for (let bit = 0; bit < 7; bit++) {
      const at = fillBits + i * 7 + bit;
      if ((code >> bit) & 1) out[at >> 3]! |= 1 << (at & 7);
    }
  });
  return out;
}

/** ASCII letters, digits, space and most punctuation have the same codes in GSM 03.38. */
const ascii = (text: string) => [...Buffer.from(text, 'ascii')];

describe('GSM 03.38', () => {
  it('decodes the basic table where it differs from ASCII', () => {
    expect(decodeGsm7(septets(0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09))).toBe('@£$¥èéùìòÇ');
    expect(decodeGsm7(septets(0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f))).toBe('\nØø\rÅå');
    expect(decodeGsm7(septets(0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a))).toBe('Δ_ΦΓΛΩΠΨΣΘΞ');
    expect(decodeGsm7(septets(0x1c, 0x1d, 0x1e, 0x1f, 0x24, 0x40))).toBe('ÆæßÉ¤¡');
    expect(decodeGsm7(septets(0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f))).toBe('ÄÖÑÜ§¿äöñüà');
    expect(decodeGsm7(septets(...ascii('Telegram code: 52817')))).toBe('Telegram code: 52817');
  });

  it('decodes the extension table after an escape', () => {
    const escaped = (code: number) => [0x1b, code];
    const all = [0x0a, 0x14, 0x28, 0x29, 0x2f, 0x3c, 0x3d, 0x3e, 0x40, 0x65].flatMap(escaped);
    expect(decodeGsm7(septets(...all))).toBe('\f^{}\\[~]|€');
    expect(decodeGsm7(septets(...ascii('Price '), 0x1b, 0x65, ...ascii('5')))).toBe('Price €5');
  });

  it('shows an unknown extension as its basic character, a double escape as a space, and drops a final escape', () => {
    expect(decodeGsm7(septets(0x1b, 0x41, 0x1b, 0x00))).toBe('A@');
    expect(decodeGsm7(septets(0x1b, 0x1b, 0x41))).toBe(' A');
    expect(decodeGsm7(septets(...ascii('ok'), 0x1b))).toBe('ok');
  });

  it('unpacks packed septets', () => {
    // 23.038's own example: "hellohello" packs into E8 32 9B FD 46 97 D9 EC 37.
    expect(decodeGsm7(unpackSeptets(Buffer.from('e8329bfd4697d9ec37', 'hex')))).toBe('hellohello');
    expect(decodeGsm7(unpackSeptets(pack([...ascii('Code '), 0x1b, 0x65, 0x00, 0x21])))).toBe('Code €@!');
  });

  it('drops the padding in 7 spare bits (a CR, or zeros from older senders) but keeps a real last character', () => {
    // Seven septets fill 49 of 56 bits: the 7 spare bits would read as one more septet.
    expect(decodeGsm7(unpackSeptets(pack([...ascii('1234567'), 0x0d])))).toBe('1234567');
    expect(decodeGsm7(unpackSeptets(pack(ascii('1234567'))))).toBe('1234567');
    expect(decodeGsm7(unpackSeptets(pack(ascii('12345678'))))).toBe('12345678');
    // The price of zero padding: an @ that ends exactly on an octet boundary reads as padding.
    expect(decodeGsm7(unpackSeptets(pack([...ascii('1234567'), 0x00])))).toBe('1234567');
  });

  it('skips the fill bits that align septets after a user data header', () => {
    // A 6-octet header is 48 bits: the septets start at bit 49, one fill bit in.
    expect(decodeGsm7(unpackSeptets(pack(ascii('Your code 1234'), 1), 1))).toBe('Your code 1234');
  });
});

describe('data codings', () => {
  it('names the alphabet of each data_coding fastpva reads', () => {
    expect([0x00, 0x01, 0x03, 0x08].map(alphabetOf)).toEqual(['gsm7', 'latin1', 'latin1', 'ucs2']);
    // GSM 03.38 coding groups passed through from the handset.
    expect([0x10, 0x11, 0x18, 0xf0, 0xf3].map(alphabetOf)).toEqual(['gsm7', 'gsm7', 'ucs2', 'gsm7', 'gsm7']);
    // Binary, compressed, JIS and other national codings carry no text we read.
    expect([0x02, 0x04, 0x05, 0x06, 0x14, 0x20, 0xf4].map(alphabetOf)).toEqual(Array(7).fill(undefined));
  });

  it('decodes Latin-1 and UCS-2, surrogate pairs included', () => {
    expect(decodeText(Buffer.from('Código: 4711 ¡ñ!', 'latin1'), 'latin1')).toBe('Código: 4711 ¡ñ!');
    expect(decodeText(Buffer.from('041a043e0434003a0020003400320031', 'hex'), 'ucs2')).toBe('Код: 421');
    const emoji = Buffer.from('d83dde00d83cdf89', 'hex');
    expect(decodeText(emoji, 'ucs2')).toBe('😀🎉');
    // A pair split between two parts is one character once the parts are joined.
    expect(decodeText(Buffer.concat([emoji.subarray(0, 2), emoji.subarray(2)]), 'ucs2')).toBe('😀🎉');
    // A lone surrogate cannot be stored as text: it becomes U+FFFD.
    expect(decodeText(Buffer.from('d83d0041', 'hex'), 'ucs2')).toBe('\ufffdA');
  });
});

describe('user data headers', () => {
  it('reads 8- and 16-bit concatenation references and skips other elements', () => {
    expect(readUdh(Buffer.from('050003a70302', 'hex'))).toEqual({ length: 6, concatenation: { scheme: 'udh8', ref: 0xa7, total: 3, seq: 2 } });
    expect(readUdh(Buffer.from('0608041234020141', 'hex'))).toEqual({ length: 7, concatenation: { scheme: 'udh16', ref: 0x1234, total: 2, seq: 1 } });
    // Port addressing (IEI 0x05) before the concatenation element.
    expect(readUdh(Buffer.from('0b05040b8423f00003070201', 'hex')).concatenation).toEqual({ scheme: 'udh8', ref: 7, total: 2, seq: 1 });
    expect(readUdh(Buffer.from('050003070000', 'hex')).concatenation).toBeUndefined(); // 23.040: ignore a total or sequence of 0
  });

  it('refuses a header that runs past the message', () => {
    expect(() => readUdh(Buffer.from('0500', 'hex'))).toThrow(MalformedUdh);
    expect(() => readUdh(Buffer.from('03000501', 'hex'))).toThrow(MalformedUdh);
    expect(() => readUdh(Buffer.alloc(0))).toThrow(MalformedUdh);
  });
});

describe('message PDUs', () => {
  const pdu = (fields: Partial<PDU>) => ({ command: 'deliver_sm', source_addr: 'Telegram', destination_addr: '447700900001', esm_class: 0, data_coding: 0, ...fields }) as PDU;

  it('takes the text from message_payload when it is there', () => {
    const m = readMessage(pdu({ short_message: Buffer.alloc(0), message_payload: Buffer.from('Telegram code 12345') }), 'unpacked');
    expect(m).toMatchObject({ sender: 'Telegram', receiver: '447700900001', alphabet: 'gsm7', concatenation: undefined });
    expect(decodeGsm7(m.units)).toBe('Telegram code 12345');
  });

  it('reads packed GSM after a user data header', () => {
    const header = Buffer.from('050003110201', 'hex');
    const m = readMessage(pdu({ esm_class: 0x40, short_message: Buffer.concat([header, pack(ascii('Telegram code 98765'), 1)]) }), 'packed');
    expect(m.concatenation).toEqual({ scheme: 'udh8', ref: 0x11, total: 2, seq: 1 });
    expect(decodeGsm7(m.units)).toBe('Telegram code 98765');
  });

  it('reads SAR TLVs', () => {
    const m = readMessage(pdu({ short_message: Buffer.from('part'), sar_msg_ref_num: 300, sar_total_segments: 2, sar_segment_seqnum: 2 }), 'unpacked');
    expect(m.concatenation).toEqual({ scheme: 'sar', ref: 300, total: 2, seq: 2 });
  });

  it('refuses a coding it cannot read and a broken header', () => {
    expect(() => readMessage(pdu({ data_coding: 0x04, short_message: Buffer.from('00ff', 'hex') }), 'unpacked')).toThrow(Refusal);
    expect(() => readMessage(pdu({ esm_class: 0x40, short_message: Buffer.from('09000301', 'hex') }), 'unpacked')).toThrow(/UDHI is set but/);
  });
});
