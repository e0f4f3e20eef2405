/**
 * Per-service rules for the extractor, read from the known-services vocabulary: when the order's
 * project is known, a candidate with the service's usual shape is preferred over other numbers in the
 * same SMS (reference §4.2 "service-shape registry"), and the brand near a number counts as a weak
 * keyword. Unknown services simply use the generic scorer.
 */
import { KNOWN_SERVICES } from '../vocabulary/services.js';

export interface ServiceRule {
  /** Canonical id. */
  id: string;
  /** How the brand is written in message text (unambiguous spellings only), or undefined when it has none. */
  brand: RegExp | undefined;
  /** The usual shape of the normalised code, when known. */
  shape: RegExp | undefined;
}

const ESCAPE_RE = /[.*+?^${}()|[\]\\/]/g;
const SPACE_RE = / /g;
// Scripts written without spaces: a brand there needs no word end ("用于微信登录").
const UNSPACED_RE = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/u;

/**
 * A regular-expression source matching any of the words: the end of a word in spaced scripts (a
 * space in the word stands for any whitespace), anywhere in CJK text. Longest first, so "whatsapp
 * business" wins. The start of the word is checked by matchSpans(…, true), which is cheaper than a
 * lookbehind in front of a large alternation.
 */
export function wordsSource(words: readonly string[]): string | undefined {
  const bounded: string[] = [];
  const unbounded: string[] = [];
  for (const w of [...words].sort((a, b) => b.length - a.length)) {
    const src = w.replace(ESCAPE_RE, '\\$&').replace(SPACE_RE, '\\s+');
    (UNSPACED_RE.test(w) ? unbounded : bounded).push(src);
  }
  const parts: string[] = [];
  if (bounded.length) parts.push(`(?:${bounded.join('|')})(?![\\p{L}\\p{N}])`);
  if (unbounded.length) parts.push(`(?:${unbounded.join('|')})`);
  return parts.length ? parts.join('|') : undefined;
}

const NON_ALNUM = /[^\p{L}\p{N}]+/gu;
// Catalogue channel suffixes ("Gmail-4", "Depop-C6", "x-c12") and descriptive parentheses.
const CHANNEL_SUFFIX = /[-_\s]+c?\d+$/iu;
const PARENTHESES = /\s*[([].*?[)\]]\s*/gu;
const WORD_SPLIT = /[\s\-_./]+/u;

const key = (s: string): string => s.toLowerCase().replace(NON_ALNUM, '');

// Whole catalogue names: id, name, aliases and the providers' codes ("tg", "vkontakte").
const BY_KEY = new Map<string, ServiceRule>();
// First word of a longer name ("Google Voice", "Telegram Premium"): ids and names only, never a
// two-letter code ("Me Bank" is not LINE).
const BY_FIRST_WORD = new Map<string, ServiceRule>();
for (const s of KNOWN_SERVICES) {
  const brand = wordsSource(s.brands);
  const rule: ServiceRule = {
    id: s.id,
    brand: brand ? new RegExp(brand, 'giu') : undefined,
    shape: s.shape ? new RegExp(s.shape, 'u') : undefined,
  };
  for (const k of [s.id, s.name, ...s.aliases, s.smsActivate ?? '', s.fivesim]) if (k) BY_KEY.set(key(k), rule);
  for (const k of [s.id, s.name]) BY_FIRST_WORD.set(key(k), rule);
}

/** A catalogue project name without its channel suffix: "Telegram-C6" -> "Telegram". */
export const withoutChannel = (name: string): string => name.trim().replace(CHANNEL_SUFFIX, '');

/** A catalogue project name without its description or channel: "Trade Republic (Google Pay)-C6" -> "Trade Republic". */
export function serviceName(name: string): string {
  return name.replace(PARENTHESES, ' ').trim().replace(CHANNEL_SUFFIX, '');
}

/** The normalised key of a catalogue project name: "Depop-C6" → "depop", "WhatsApp Business" → "whatsappbusiness". */
export function serviceKey(name: string): string {
  return key(serviceName(name));
}

/** Find the rule for a catalogue project name, trying the whole name then its first word ("Google Voice" → google). */
export function resolveService(name: string | undefined): ServiceRule | undefined {
  if (!name) return undefined;
  const k = serviceKey(name);
  if (!k) return undefined;
  const exact = BY_KEY.get(k);
  if (exact) return exact;
  const first = name.replace(PARENTHESES, ' ').trim().split(WORD_SPLIT)[0];
  return first ? BY_FIRST_WORD.get(key(first)) : undefined;
}
