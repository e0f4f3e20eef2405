// The GSM 03.38 (3GPP TS 23.038) default alphabet and its extension table, and the septet packing
// some gateways use for it.

const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

const ESCAPE = 0x1b;

/**
 * The extension table: the character after an escape. 0x1B again is reserved (shown as a space); any
 * other code stands for its basic character, as 23.038 tells a receiver to show one it does not know.
 */
const EXTENSION = new Map<number, string>([
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
  [ESCAPE, ' '],
]);

/** Septets, one per octet, to text. The top bit of an octet is not part of a septet and is ignored. */
export function decodeGsm7(septets: Uint8Array): string {
  let text = '';
  for (let i = 0; i < septets.length; i++) {
    const code = septets[i]! & 0x7f;
    if (code !== ESCAPE) {
      text += BASIC[code];
      continue;
    }
    // An escape as the very last septet has nothing to extend.
    if (++i >= septets.length) break;
    const next = septets[i]! & 0x7f;
    text += EXTENSION.get(next) ?? BASIC[next];
  }
  return text;
}

/**
 * Packed septets (7 bits each, least significant first) to one septet per octet. `fillBits` are skipped
 * first: the padding that aligns the first septet after a user data header. When the octets end with
 * exactly 7 spare bits, 23.038 pads them with a CR (older senders with zeros, an `@`): that padding is
 * dropped.
 */
export function unpackSeptets(octets: Uint8Array, fillBits = 0): Uint8Array {
  const bits = octets.length * 8 - fillBits;
  const count = Math.max(0, Math.floor(bits / 7));
  const septets = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const start = fillBits + i * 7;
    const byte = start >> 3;
    const shift = start & 7;
    // A septet spans at most two octets.
    const word = octets[byte]! | ((octets[byte + 1] ?? 0) << 8);
    septets[i] = (word >> shift) & 0x7f;
  }
  const last = septets[count - 1];
  return bits % 7 === 0 && count > 0 && (last === 0x0d || last === 0x00) ? septets.subarray(0, count - 1) : septets;
}
