/**
 * Does an inbound SMS belong to the order it arrived for? Platforms filter centrally so a cheap
 * project cannot receive an expensive service's code, and so a carrier's "your balance is low" never
 * costs a customer money:
 *
 *   - an SMS that names another known service (sender id, or brand in the text) and not the order's
 *     own service is not delivered ('other_service');
 *   - an SMS with no code that does not name the order's service is not delivered ('no_code');
 *   - anything else is delivered, with the extracted code when there is one (a verification link
 *     that names the service carries none).
 *
 * Pure; the brand patterns are compiled once from the known-services vocabulary.
 */
import { KNOWN_SERVICES } from '../vocabulary/services.js';
import { extractCode, type ExtractedCode } from './extract.js';
import { matchSpans } from './keywords.js';
import { resolveService, serviceName, wordsSource } from './services.js';

export type SmsVerdict =
  | { deliver: true; code: ExtractedCode | null }
  | { deliver: false; reason: 'other_service' | 'no_code'; otherService?: string };

const NON_ALNUM = /[^\p{L}\p{N}]+/gu;
const SPACES = /\s+/gu;
const key = (s: string): string => s.toLowerCase().replace(NON_ALNUM, '');

function addTo(map: Map<string, string[]>, k: string, id: string): void {
  if (!k) return;
  const ids = map.get(k);
  if (!ids) map.set(k, [id]);
  else if (!ids.includes(id)) ids.push(id);
}

// Unambiguous brand spellings (lowercase, single spaces) → service ids.
const BRAND_IDS = new Map<string, string[]>();
// Ambiguous spellings, exact case ("X", "LINE", "Meta") → service ids.
const AMBIGUOUS_IDS = new Map<string, string[]>();
// Sender ids, as keys (lowercase letters and digits) → service ids.
const SENDER_IDS = new Map<string, string[]>();
for (const s of KNOWN_SERVICES) {
  for (const b of s.brands) {
    addTo(BRAND_IDS, b.toLowerCase(), s.id);
    addTo(SENDER_IDS, key(b), s.id);
  }
  for (const b of s.ambiguousBrands ?? []) {
    addTo(AMBIGUOUS_IDS, b, s.id);
    addTo(SENDER_IDS, key(b), s.id);
  }
  addTo(SENDER_IDS, key(s.name), s.id);
  addTo(SENDER_IDS, key(s.id), s.id);
}

const BRAND_RE = new RegExp(wordsSource([...BRAND_IDS.keys()]) ?? '(?!)', 'giu');
const AMBIGUOUS_RE = new RegExp(wordsSource([...AMBIGUOUS_IDS.keys()]) ?? '(?!)', 'gu');

// Where an ambiguous word stands as a brand: the sender tag opening the message ("Signal: …",
// "[LINE] …", "<#> X: …"), in brackets, or right before/after a word for a code or an account.
const LABEL_BEFORE_RE = /^\s*(?:<#>|\[#\])?\s*[[【(「<]?\s*$/u;
const LABEL_AFTER_RE = /^\s*[\]】)」>]?\s*[:：|\-–—]/u;
const BRACKET_BEFORE_RE = /[[【(「]\s*$/u;
const BRACKET_AFTER_RE = /^\s*[\]】)」]/u;
const CODE_WORD_AFTER_RE =
  /^(?:'s)?\s+(?:(?:verification|login|log-in|sign-in|security|confirmation|registration|one-time|account)\s+)?(?:code|codes|pin|password|passcode|account|id|verification|accounts\s+center|код\S*|kod\S*|código|codigo|kode|コード|인증번호)(?![\p{L}])/iu;
const CODE_WORD_BEFORE_RE = /(?:code|código|codigo|код|kod|kode|password|pin)\s+(?:for|para|pour|für|для|dla|do|de|di|untuk)\s+$/iu;

function ambiguousInBrandPosition(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - 24), start);
  const after = text.slice(end, end + 32);
  if (start <= 24 && LABEL_BEFORE_RE.test(before) && LABEL_AFTER_RE.test(after)) return true;
  if (BRACKET_BEFORE_RE.test(before) && BRACKET_AFTER_RE.test(after)) return true;
  return CODE_WORD_AFTER_RE.test(after) || CODE_WORD_BEFORE_RE.test(before);
}

/** Services named by the SMS: each entry is the ids one brand stands for (several for a family brand such as "Meta"). */
function namedServices(text: string, sender: string): string[][] {
  const named: string[][] = [];
  const senderKey = key(sender);
  const fromSender = SENDER_IDS.get(senderKey);
  if (fromSender) named.push(fromSender);
  else {
    // "VM-AMAZON", "Yandex.Taxi": any token of two or more characters.
    for (const token of sender.split(NON_ALNUM)) {
      const ids = token.length >= 2 ? SENDER_IDS.get(token.toLowerCase()) : undefined;
      if (ids) named.push(ids);
    }
  }
  for (const { start, end } of matchSpans(BRAND_RE, text, true)) {
    const ids = BRAND_IDS.get(text.slice(start, end).toLowerCase().replace(SPACES, ' '));
    if (ids) named.push(ids);
  }
  for (const { start, end } of matchSpans(AMBIGUOUS_RE, text, true)) {
    const ids = AMBIGUOUS_IDS.get(text.slice(start, end));
    if (ids && ambiguousInBrandPosition(text, start, end)) named.push(ids);
  }
  return named;
}

const WORD_CHAR_RE = /[\p{L}\p{N}]/u;
const UNSPACED_RE = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/u;

/** The name occurs in the text as a whole word (case-insensitive); CJK names need no word edges. */
function containsName(textLower: string, nameLower: string): boolean {
  const edges = !UNSPACED_RE.test(nameLower);
  for (let i = textLower.indexOf(nameLower); i >= 0; i = textLower.indexOf(nameLower, i + 1)) {
    if (!edges) return true;
    const before = textLower[i - 1];
    const after = textLower[i + nameLower.length];
    if ((before === undefined || !WORD_CHAR_RE.test(before)) && (after === undefined || !WORD_CHAR_RE.test(after))) return true;
  }
  return false;
}

/**
 * Decide whether an SMS is delivered on an order. `orderService` is the project's service as the
 * catalogue stores it ("Telegram", "Gmail-4", "Depop-C6") or a canonical id; without it only the
 * no-code rule applies.
 */
export function judgeSms(sms: { text: string; sender: string }, orderService: string | undefined): SmsVerdict {
  const text = sms.text;
  const named = namedServices(text, sms.sender);
  const rule = resolveService(orderService);
  const own = rule?.id;

  let ownNamed = false;
  if (own) {
    // A family brand ("Meta") names the order's service only when no other member is named by itself
    // ("Instagram from Meta" is Instagram's, not Facebook's).
    const specific = new Set(named.filter((ids) => ids.length === 1).map((ids) => ids[0]!));
    ownNamed = specific.has(own) || named.some((ids) => ids.includes(own) && !ids.some((id) => id !== own && specific.has(id)));
  } else if (orderService) {
    // A service unknown to the vocabulary still counts as named by its own name ("Depop").
    const name = serviceName(orderService);
    if (key(name).length >= 3) {
      ownNamed = containsName(text.toLowerCase(), name.toLowerCase()) || key(sms.sender).includes(key(name));
    }
  }

  if (orderService && !ownNamed) {
    // Report a service named on its own before a family member ("Meta" stands for several).
    const other =
      named.find((ids) => ids.length === 1 && ids[0] !== own)?.[0] ?? named.flat().find((id) => id !== own);
    if (other) return { deliver: false, reason: 'other_service', otherService: other };
  }

  const code = extractCode(text, orderService === undefined ? undefined : { service: orderService });
  if (code || ownNamed) return { deliver: true, code };
  return { deliver: false, reason: 'no_code' };
}
