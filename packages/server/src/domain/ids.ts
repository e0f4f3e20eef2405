import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

// ObjectId layout (the ids FASTPVA clients already see): 4 bytes of seconds, 5 random bytes per
// process, a 3-byte counter. Ids sort by creation time and never collide across processes.
const processBytes = randomBytes(5).toString('hex');
let counter = randomInt(0x1000000);

export function newObjectId(nowMs: number): string {
  counter = (counter + 1) % 0x1000000;
  const seconds = Math.floor(nowMs / 1000) >>> 0;
  return seconds.toString(16).padStart(8, '0') + processBytes + counter.toString(16).padStart(6, '0');
}

const OBJECT_ID = /^[0-9a-f]{24}$/;
export const isObjectId = (value: string): boolean => OBJECT_ID.test(value);

/** An API key or supplier key: 128 random bits as 32 lowercase hex characters. Shown once. */
export function newSecret(): string {
  return randomBytes(16).toString('hex');
}

/** Keys are stored only as their SHA-256; a leaked database reveals no usable key. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Whether two secrets are equal, in constant time whatever their lengths. */
export const sameSecret = (a: string, b: string): boolean => timingSafeEqual(sha256(a), sha256(b));

/** A message id made from what the message is, for sources that give none: the same message, the same id. */
export const contentKey = (...parts: string[]): string => sha256(parts.join('\u0000')).toString('hex').slice(0, 32);

/** What an owner may be shown of a key later: enough to recognise it, not to use it. */
export const secretPrefix = (secret: string): string => secret.slice(0, 6);

/** A random allocation position (see numbers.draw). */
export const randomDraw = (): number => randomInt(0x7fffffff);
