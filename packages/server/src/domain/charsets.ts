// SMS text as gateways and modem software hand it over in other character sets than UTF-8.

/** UCS-2 / UTF-16 big-endian bytes (SMS data coding 8, smstools' `Alphabet: UCS2`) as text. */
export function fromUtf16be(bytes: Buffer): string {
  const even = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
  return even.swap16().toString('utf16le');
}

/** Where ISO-8859-15 (smstools' ISO alphabet) differs from ISO-8859-1, which Node decodes as latin1. */
const LATIN9: Record<number, string> = { 0xa4: '€', 0xa6: 'Š', 0xa8: 'š', 0xb4: 'Ž', 0xb8: 'ž', 0xbc: 'Œ', 0xbd: 'œ', 0xbe: 'Ÿ' };

/** ISO-8859-15 bytes as text. */
export function fromLatin9(bytes: Buffer): string {
  return Array.from(bytes, (byte) => LATIN9[byte] ?? String.fromCharCode(byte)).join('');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 when the bytes are UTF-8, else `eightBit`: gateways and modem software pass an SMS's 8-bit bytes on as they came. */
export function fromUtf8Or(bytes: Buffer, eightBit: (bytes: Buffer) => string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return eightBit(bytes);
  }
}
