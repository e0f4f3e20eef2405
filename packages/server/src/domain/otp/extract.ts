/**
 * SMS verification-code extractor (reference §4.4, layered and service-aware).
 *
 *   - normalise (fold fullwidth / Eastern digits, drop invisible chars) and mask links;
 *   - explicit formats: origin-bound `@domain #code`, SMS Retriever `<#>` / app hash, `G-` / `FB-`;
 *   - a completed-payment receipt (balance after it, no wording of a one-time code) has no code;
 *   - candidates (digits, 3-3 groups, uppercase alphanumerics, letters or mixed tokens right after
 *      a keyword, spaced TANs) minus amounts, dates, times, phones and help lines, card tails,
 *      durations, device models, mobile-money agents, authorisation numbers and promo codes;
 *   - scored by distance to a multilingual keyword (weaker inside a "never share" warning), with
 *      the order's service shape as a tie-breaker;
 *   - a narrow fallback for a lone 6-digit number (or the service's shape) with no keyword at all.
 *
 * Pure and allocation-light: all patterns are compiled once at module load, and the input is cut
 * at MAX_INPUT characters so the work per message stays bounded.
 */
import {
  AGENT_BEFORE,
  AMOUNT_THEN_COLON_BEFORE,
  AUTH_LABEL_BEFORE,
  BALANCE_AFTER_RE,
  CARD_TAIL_BEFORE,
  CODE_FIRST_BEFORE,
  CURRENCY_AFTER,
  CURRENCY_BEFORE,
  CURRENCY_CODES,
  DEVICE_MODEL_BEFORE,
  DEVICE_WORD_BEFORE,
  DURATION_AFTER,
  ID_BEFORE,
  KEYWORD_PATTERNS,
  LEAD_IN_BEFORE,
  NON_OTP_RE,
  OTP_CUE_RE,
  PARTY_BEFORE,
  PARTY_NAME_AFTER,
  PAST_STATUS_RE,
  PHONE_BEFORE,
  REFERENCE_CONTEXT_RE,
  SHARE_WARNING_RE,
  hasWordMatch,
  matchSpans,
  type Span,
  SHORTCODE_BEFORE,
  SPACED_TAN_RE,
  UNIT_AFTER,
  YEAR_AFTER,
} from './keywords.js';
import { maskLinks, normalizeText } from './normalize.js';
import { resolveService, type ServiceRule } from './services.js';

export interface ExtractedCode {
  /** Normalised: separators stripped, G-/FB- prefixes dropped, digits mapped to ASCII. */
  code: string;
  /** Which layer found it. */
  method: 'origin-bound' | 'retriever' | 'service' | 'keyword' | 'fallback';
  /** 0..1; fallback results stay below 0.5. */
  confidence: number;
}

export interface ExtractOptions {
  /** The project the order is for, as the catalogue names it: e.g. "Telegram", "Gmail-4", "Depop-C6", "WhatsApp". A trailing channel suffix (-4, -C6) is ignored. */
  service?: string;
}

// ---- Explicit formats ----

// WICG origin-bound one-time codes: last line `@example.com #123456` (optionally `@embedded`).
const ORIGIN_BOUND_RE =
  /(?:^|\n)[ \t]*@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)[ \t]+#([A-Za-z0-9][A-Za-z0-9-]{1,30})(?:[ \t]+@[A-Za-z0-9.-]+)?\s*$/u;
// Google SMS Retriever: legacy `<#>` prefix (some gateways render it `[#]`) and an 11-char app hash at the end.
const RETRIEVER_PREFIX_RE = /^\s*(?:<#>|\[#\])\s?/u;
const RETRIEVER_HASH_RE = /(?:^|\s)([A-Za-z0-9+/]{11})\s*$/u;
const HASH_TAIL = 24; // the hash is the last token: only the tail of the message is searched
// An app hash is base64: it has lowercase letters and digits/+// or several capitals; an English word does not.
const HASH_SHAPE_RE = /^(?=.*[a-z])(?=.*(?:[0-9+/]|[A-Z].*[A-Z]))/u;
// Google "G-123456" and Facebook "FB-12345".
const PREFIXED_CODE_RE = /(?<![\p{L}\p{N}])(?:G|FB)-(\d{4,8})(?![\p{N}\p{Script=Latin}])/u;

// ---- Candidates ----

const RUN_RE = /[\p{Script=Latin}0-9]+/gu;
const DIGITS_RE = /^\d+$/;
const UPPER_ALNUM_RE = /^(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{4,10}$/;
// "XX5673" card masks, quantities ("30GB", "2500MAH", "4K", "1080P", "10X"), amounts glued to their
// currency ("INR2499", "500KES") and dates ("05MAR24") are not codes.
const MASK_OR_UNIT_RE = new RegExp(
  '^(?:X{2,}\\d+|\\d+(?:[KMGT]B|MAH|GHZ|MHZ|KM|KG|CM|MM|ML|PX|AM|PM|X|P|K)' +
    `|(?:${CURRENCY_CODES}|RS|KSH|TSH|TL|MT)\\d+|\\d+(?:${CURRENCY_CODES}|RS|KSH|TSH|TL|MT)` +
    '|\\d{1,2}(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\\d{2,4})$',
);
const YEAR_RE = /^(?:19|20)\d\d$/;
// A code right after a keyword ("验证码： QGFDAE", "3D-Secure kod= a21p", "M-kod=QF79"): capitals that
// end their clause, or letters mixed with digits in any case.
const TOKEN_AFTER_KEYWORD_RE =
  /[\s:："'「『【=#]+(?:(?:is|es|est|ist|lautet|é)\s*[:：=]?\s*)?(?:([A-Z]{4,10})(?=\s*$|[ \t]*\n|[.,;!?。，；！？」』】"')\]#]|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])|((?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{4,10})(?![A-Za-z0-9]))/uy;
// Capitals directly after the keyword and followed by a lowercase word: "Introduce el codigo DUSG para…".
const CAPS_THEN_WORD_RE = /[ \t]+([A-Z]{4,8})[ \t]+\p{Ll}/uy;
const NOT_A_CODE_WORD_RE = /^(?:CODE|KODU|VISA|BANK|CARD|INFO|HTTP|HELP|STOP|FREE|SALE|PROMO|PUSH|MAIL|SENT|HERE)$/;
const LABEL_AFTER_RE = /^\s*[:：]/u;
const TERMINATOR_RE = /[.!?](?=\s|$)|[。！？]|\n+/gu;
const COLON_BEFORE_NEWLINE_RE = /[:：][ \t]*$/u;
const LINK_TAIL_CODE_RE = /\/(\d{4,8})\/?$/u;
const SEPARATORS_RE = /[\s-]/gu;

type Kind = 'digits' | 'pair' | 'alnum' | 'letters' | 'spaced';

interface Candidate {
  start: number;
  end: number;
  code: string;
  kind: Kind;
  /** Soft penalty from context (identifier labels, year-like numbers). */
  penalty: number;
}

interface Hit {
  start: number;
  end: number;
  weight: number;
  /** A word that names a code (not just context such as "sign in"), even if weakened by a warning. */
  strong: boolean;
}

// ---- Scoring constants ----

const MAX_GAP = 80; // characters between keyword and candidate (Android uses 50, same/previous sentence)
// Context words that do not name a code ("sign in", "confirm", "enter", a brand) only count when
// they sit right next to the number: "sign in to iCloud on a new device near 94107" is not an OTP.
const MAX_GAP_WEAK = 20;
const GAP_SCALE = 12; // proximity halves at 12 characters
const SENTENCE_DECAY = 0.45; // per sentence boundary crossed
const MIN_PROXIMITY = 0.06;
const ACCEPT_SCORE = 0.22;
const BRAND_WEIGHT = 0.5;
const ID_PENALTY = 0.6;

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function resetAndExec(re: RegExp, text: string, from = 0): RegExpExecArray | null {
  re.lastIndex = from;
  return re.exec(text);
}

/** Sentence terminators; a line break right after a colon ("Password:\nGLWLZK76") does not end the sentence. */
function terminators(text: string): Span[] {
  const out: Span[] = [];
  TERMINATOR_RE.lastIndex = 0;
  for (let m = TERMINATOR_RE.exec(text); m; m = TERMINATOR_RE.exec(text)) {
    if (m[0][0] === '\n' && COLON_BEFORE_NEWLINE_RE.test(text.slice(Math.max(0, m.index - 8), m.index))) continue;
    out.push({ start: m.index, end: m.index + m[0].length });
  }
  return out;
}

const WARNING_WEIGHT = 0.45;

function keywordHits(text: string, ignored: readonly Span[], rule: ServiceRule | undefined): Hit[] {
  const hits: Hit[] = [];
  const warnings = matchSpans(SHARE_WARNING_RE, text, true);
  const add = (spans: readonly Span[], weight: number): void => {
    for (const { start, end } of spans) {
      // "discount code", "barcode", "postal code"… are not OTP keywords.
      if (ignored.some((s) => s.start < end && s.end > start)) continue;
      if (PAST_STATUS_RE.test(text.slice(start, end))) continue; // "QK87ABCD12 Confirmed." is a status
      const warned = warnings.some((w) => w.start <= start && end <= w.end);
      hits.push({ start, end, weight: warned ? Math.min(weight, WARNING_WEIGHT) : weight, strong: weight >= 1 });
    }
  };
  for (const p of KEYWORD_PATTERNS) add(matchSpans(p.re, text, p.wordStart), p.weight);
  if (rule?.brand) add(matchSpans(rule.brand, text, true), BRAND_WEIGHT);
  return hits;
}

/** Message-wide facts, computed at most once per message and only when a rule needs them. */
class MessageFacts {
  #otpCue: boolean | undefined;
  constructor(private readonly text: string) {}
  /** The message carries the wording of a real one-time code (do not share, enter, valid for…). */
  get otpCue(): boolean {
    this.#otpCue ??= OTP_CUE_RE.test(this.text);
    return this.#otpCue;
  }
}

// "#1234#", "##1234##" or "is #1234": the hash frames the code rather than numbering something.
const HASH_LEAD_RE =
  /(?:[:：=]|(?<![\p{L}])(?:is|es|est|ist|é|è|lautet|là|er|är|code|kod\S*|код\S*|otp|pin|tan|c[oó]digo|senha|clave|parol\S*|пароль|[sş]ifre\S*))\s*#{1,2}\s*$/iu;
// "SM-G930F", "RMX-3085": the token is the tail of a hyphenated model or reference name.
const COMPOUND_PREFIX_RE = /(?<![\p{L}\p{N}-])([A-Za-z]{1,4})-$/u;
const CODE_PREFIX_RE = /^(?:otp|pin|tan|kod|code|sms|pw)$/i;

/**
 * Hard rejections from the surrounding text; returns null when the candidate must be dropped,
 * otherwise the soft penalty.
 */
function contextPenalty(text: string, c: Omit<Candidate, 'penalty'>, facts: MessageFacts): number | null {
  const before = text.slice(Math.max(0, c.start - 48), c.start);
  const after = text.slice(c.end, c.end + 24);
  // Amounts, except a currency that closes an amount label ("на сумму 6 000.00 RUB: 9252").
  if ((CURRENCY_BEFORE.test(before) && !AMOUNT_THEN_COLON_BEFORE.test(before)) || CURRENCY_AFTER.test(after)) return null;
  if (CARD_TAIL_BEFORE.test(before)) return null; // card tails
  if (PHONE_BEFORE.test(before) || SHORTCODE_BEFORE.test(before)) return null; // phones, short codes
  if (DURATION_AFTER.test(after) || UNIT_AFTER.test(after)) return null; // "10 minutes", "30 GB"
  // A national phone number ("0503892855") is not a code even right after "3D Secure".
  if (c.kind === 'digits' && c.code.length >= 9 && c.code[0] === '0') return null;
  // Mobile-money agents, tills and counterparties: "from 129324 - BROTHERS LINK", "no agente 425300".
  if (AGENT_BEFORE.test(before) || (PARTY_BEFORE.test(before) && PARTY_NAME_AFTER.test(after))) return null;
  // Device models: "Samsung SM-G930F", "new device M2101K6G".
  if (DEVICE_MODEL_BEFORE.test(before) || (c.kind === 'alnum' && DEVICE_WORD_BEFORE.test(before))) return null;
  const compound = COMPOUND_PREFIX_RE.exec(before);
  if (compound?.[1] && !CODE_PREFIX_RE.test(compound[1])) return null;
  // The authorisation number of a card payment, unless the message asks to enter or keep it.
  if (AUTH_LABEL_BEFORE.test(before) && !facts.otpCue) return null;
  let penalty = 0;
  if (c.kind === 'digits' && YEAR_RE.test(c.code)) {
    if (YEAR_AFTER.test(after)) return null; // "2025年", "1999/01/01"
    penalty += 0.15; // a bare year is still a weak candidate
  }
  const framed = after[0] === '#' || HASH_LEAD_RE.test(before);
  if (!framed && ID_BEFORE.test(before)) penalty += ID_PENALTY; // "ma GD 1533", "eTAC is …", "编号：…"
  if (LABEL_AFTER_RE.test(after)) penalty += 0.1; // "987789123: …" is a label, not a value
  return penalty;
}

/** Count of groups in a chain of digit groups joined by single spaces or dashes, and how it is joined. */
function digitChain(text: string, start: number, end: number): { left: number; right: number; dash: boolean; lead: string; end: number } {
  let left = 0;
  let right = 0;
  let dash = false;
  let i = start;
  while (i >= 2 && (text[i - 1] === ' ' || text[i - 1] === '-') && isDigit(text[i - 2])) {
    if (text[i - 1] === '-') dash = true;
    let j = i - 2;
    while (j >= 0 && isDigit(text[j])) j--;
    i = j + 1;
    left++;
  }
  let k = end;
  while ((text[k] === ' ' || text[k] === '-') && isDigit(text[k + 1])) {
    if (text[k] === '-') dash = true;
    let j = k + 1;
    while (isDigit(text[j])) j++;
    k = j;
    right++;
  }
  return { left, right, dash, lead: text[i - 1] ?? '', end: k };
}

/** Part of a longer number: decimal, grouped amount, time, date ("10.04.2024", "12:12", "1,555,000"). */
function joinedToNumber(text: string, start: number, end: number): boolean {
  const p = text[start - 1];
  const n = text[end];
  if ((p === '.' || p === ',' || p === ':' || p === '/') && isDigit(text[start - 2])) return true;
  if ((n === '.' || n === ',' || n === ':' || n === '/') && isDigit(text[end + 1])) return true;
  // "*1234*" frames a code (as "#1234#" does); "****1234", "4890*2285" and "1234****" are masks.
  if (p === '*' && n === '*') return text[start - 2] === '*' || text[end + 1] === '*' || isDigit(text[start - 2]) || isDigit(text[end + 1]);
  // "+79…" is a phone number.
  return p === '+' || p === '*' || n === '*';
}

const LATIN_LETTER_RE = /\p{Script=Latin}/u;
const UPPER_RE = /\p{Lu}/u;

/**
 * True when the rest of the message is written in capitals: then an uppercase word after "CODE:"
 * ("YOUR CODE: EXPIRED") is just text, not a letters-only code.
 */
function shouting(text: string, start: number, end: number): boolean {
  let letters = 0;
  let upper = 0;
  for (let i = 0; i < text.length; i++) {
    if (i === start) i = end;
    const ch = text[i];
    if (ch === undefined || !LATIN_LETTER_RE.test(ch)) continue;
    letters++;
    if (UPPER_RE.test(ch)) upper++;
  }
  return letters >= 8 && upper / letters > 0.75;
}

function collectCandidates(text: string, hits: readonly Hit[], facts: MessageFacts): Candidate[] {
  const out: Candidate[] = [];
  const push = (c: Omit<Candidate, 'penalty'>): void => {
    const penalty = contextPenalty(text, c, facts);
    if (penalty !== null) out.push({ ...c, penalty });
  };

  const runs: Span[] = matchSpans(RUN_RE, text, false);
  for (let r = 0; r < runs.length; r++) {
    const run = runs[r]!;
    const s = text.slice(run.start, run.end);
    if (DIGITS_RE.test(s)) {
      if (joinedToNumber(text, run.start, run.end)) continue;
      const chain = digitChain(text, run.start, run.end);
      const next = runs[r + 1];
      // "617 291", "408-015": two 3-digit groups, nothing else attached: one 6-digit code.
      if (s.length === 3 && chain.left === 0 && chain.right === 1 && next && next.start === run.end + 1 && next.end - next.start === 3) {
        if (chain.lead === '+' || chain.lead === '(' || joinedToNumber(text, next.start, next.end)) continue;
        push({ start: run.start, end: next.end, code: s + text.slice(next.start, next.end), kind: 'pair' });
        r++;
        continue;
      }
      const groups = chain.left + chain.right + 1;
      // Dash chains (718-858-7036, 2024-05-01), long space chains (+44 7903 561836), "+" numbers.
      if (groups > 1 && (chain.dash || groups >= 3 || chain.lead === '+' || chain.lead === '(')) {
        // The rest of the chain is rejected too: skip it rather than walk it again from every group.
        while (runs[r + 1] && runs[r + 1]!.end <= chain.end) r++;
        continue;
      }
      if (s.length < 4 || s.length > 10) continue;
      push({ start: run.start, end: run.end, code: s, kind: 'digits' });
    } else if (UPPER_ALNUM_RE.test(s)) {
      if (MASK_OR_UNIT_RE.test(s) || joinedToNumber(text, run.start, run.end)) continue;
      push({ start: run.start, end: run.end, code: s, kind: 'alnum' });
    }
  }

  // Codes with letters directly after a keyword ("Bestätigungscode YLAK", "kod= a21p", "codigo DUSG para").
  for (const h of hits) {
    if (!h.strong) continue;
    let start = -1;
    let code = '';
    let kind: Kind = 'letters';
    const m = resetAndExec(TOKEN_AFTER_KEYWORD_RE, text, h.end);
    if (m) {
      code = m[1] ?? m[2] ?? '';
      kind = m[1] ? 'letters' : 'alnum';
      start = h.end + m[0].length - code.length;
    } else {
      const w = resetAndExec(CAPS_THEN_WORD_RE, text, h.end);
      if (w?.[1] && !NOT_A_CODE_WORD_RE.test(w[1])) {
        code = w[1];
        start = h.end + w[0].indexOf(code);
      }
    }
    if (start < 0 || out.some((c) => c.start === start)) continue;
    if (kind === 'alnum' && (MASK_OR_UNIT_RE.test(code.toUpperCase()) || joinedToNumber(text, start, start + code.length))) continue;
    if (kind === 'letters' && shouting(text, start, start + code.length)) continue;
    push({ start, end: start + code.length, code, kind });
  }

  // TANs written with spaces between characters ("TAN a u 8 k u f").
  SPACED_TAN_RE.lastIndex = 0;
  for (let m = SPACED_TAN_RE.exec(text); m; m = SPACED_TAN_RE.exec(text)) {
    const g = m[1];
    if (!g) continue;
    const start = m.index + m[0].length - g.length;
    push({ start, end: start + g.length, code: g.replace(SEPARATORS_RE, ''), kind: 'spaced' });
  }
  return out;
}

/** Index range [start, end) of the sentence around a span. */
function sentenceOf(terms: readonly Span[], start: number, end: number, length: number): Span {
  let s = 0;
  let e = length;
  for (const t of terms) {
    if (t.end <= start) s = t.end;
    else if (t.start >= end) {
      e = t.start;
      break;
    }
  }
  return { start: s, end: e };
}

function crossings(terms: readonly Span[], from: number, to: number): number {
  let n = 0;
  for (const t of terms) {
    if (t.start >= to) break;
    if (t.start >= from) n++;
  }
  return n;
}

function proximity(c: Candidate, hits: readonly Hit[], terms: readonly Span[]): number {
  let best = 0;
  for (const h of hits) {
    let from: number;
    let to: number;
    if (h.end <= c.start) {
      from = h.end;
      to = c.start;
    } else if (h.start >= c.end) {
      from = c.end;
      to = h.start;
    } else continue;
    const gap = to - from;
    if (gap > (h.strong ? MAX_GAP : MAX_GAP_WEAK)) continue;
    let p = h.weight / (1 + gap / GAP_SCALE);
    const n = crossings(terms, from, to);
    if (n > 0) p *= SENTENCE_DECAY ** n;
    if (p > best) best = p;
  }
  return best;
}

function shapeBonus(c: Candidate): number {
  switch (c.kind) {
    case 'pair':
      return 0.08;
    case 'digits':
      return c.code.length === 6 ? 0.08 : c.code.length <= 8 ? 0.04 : 0;
    case 'alnum':
      return -0.06;
    case 'letters':
      return -0.1;
    case 'spaced':
      return 0;
  }
}

function score(text: string, c: Candidate, prox: number, rule: ServiceRule | undefined): number {
  let s = prox + shapeBonus(c) - c.penalty;
  if (LEAD_IN_BEFORE.test(text.slice(Math.max(0, c.start - 24), c.start))) s += 0.12; // "code: 1234", "code is 1234"
  if (c.start < 60 && CODE_FIRST_BEFORE.test(text.slice(0, c.start))) s += 0.08; // "123456 is your code"
  if (rule?.shape) s += rule.shape.test(c.code) ? 0.3 : -0.15;
  return s;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

// A concatenated SMS is at most ~1600 characters; anything longer is cut so the work stays bounded
// (proximity scoring is quadratic in the number of candidates).
const MAX_INPUT = 4000;

/** Extract the verification code from an SMS body, or null when it carries none. */
export function extractCode(text: string, options?: ExtractOptions): ExtractedCode | null {
  if (!text) return null;
  let body = normalizeText(text.length > MAX_INPUT ? text.slice(0, MAX_INPUT) : text);

  // 1. Origin-bound format: the code is stated explicitly, no guessing.
  const ob = ORIGIN_BOUND_RE.exec(body);
  if (ob?.[2]) return { code: ob[2].replace(SEPARATORS_RE, ''), method: 'origin-bound', confidence: 0.99 };

  // 2. SMS Retriever markers: note them and remove the hash so it never competes.
  let retriever = false;
  const prefix = RETRIEVER_PREFIX_RE.exec(body);
  if (prefix) {
    retriever = true;
    body = body.slice(prefix[0].length);
  }
  const tailStart = Math.max(0, body.length - HASH_TAIL);
  const hash = RETRIEVER_HASH_RE.exec(body.slice(tailStart));
  if (hash?.[1] && tailStart + hash.index > 0 && HASH_SHAPE_RE.test(hash[1])) {
    retriever = true;
    body = body.slice(0, tailStart + hash.index);
  }

  // Links repeat the code (v.whatsapp.com/105876) or carry unrelated digits: mask them.
  const { text: t, links } = maskLinks(body);

  // 3. Explicit service prefixes.
  const prefixed = PREFIXED_CODE_RE.exec(t);
  if (prefixed?.[1]) return { code: prefixed[1], method: 'service', confidence: 0.97 };

  // A completed-payment receipt ("… Kod:181879. Dostupno: 22780.27 RUR") carries reference numbers only.
  const facts = new MessageFacts(t);
  if (BALANCE_AFTER_RE.test(t) && !facts.otpCue) return null;

  // 4. Candidates scored against keywords (and the order's service, when known).
  const rule = resolveService(options?.service);
  const ignored = matchSpans(NON_OTP_RE, t, true);
  const hits = keywordHits(t, ignored, rule);
  const terms = terminators(t);
  const candidates = collectCandidates(t, hits, facts).filter((c) => {
    // Promo / postal / tracking codes: drop every candidate in that sentence.
    const sent = sentenceOf(terms, c.start, c.end, t.length);
    return !ignored.some((s) => s.start < sent.end && s.end > sent.start);
  });

  let best: Candidate | undefined;
  let bestScore = -Infinity;
  for (const c of candidates) {
    const prox = proximity(c, hits, terms);
    if (prox < MIN_PROXIMITY) continue; // no keyword nearby: only the fallback may take it
    const s = score(t, c, prox, rule);
    if (s > bestScore || (s === bestScore && best && c.start < best.start)) {
      best = c;
      bestScore = s;
    }
  }
  if (best && bestScore >= ACCEPT_SCORE) {
    const matchesService = rule?.shape?.test(best.code) ?? false;
    const method: ExtractedCode['method'] = retriever ? 'retriever' : matchesService ? 'service' : 'keyword';
    const bonus = retriever ? 0.05 : matchesService ? 0.03 : 0;
    return { code: best.code, method, confidence: round2(clamp(0.35 + 0.55 * bestScore + bonus, 0.35, 0.97)) };
  }

  // 5. Fallback: the message holds exactly one plausible number and it has the usual OTP shape
  //    (6 digits, or the ordered service's shape). Low confidence by design.
  const numeric = candidates.filter((c) => c.kind === 'digits' || c.kind === 'pair');
  const only = numeric.length === 1 ? numeric[0] : undefined;
  if (
    only &&
    only.penalty === 0 &&
    !PARTY_NAME_AFTER.test(t.slice(only.end, only.end + 8)) && // "521902 - SAMUEL STEPHANET" is a merchant
    (rule?.shape ? rule.shape.test(only.code) : only.code.length === 6) &&
    !hasWordMatch(REFERENCE_CONTEXT_RE, t)
  ) {
    return { code: only.code, method: 'fallback', confidence: rule?.shape ? 0.45 : 0.35 };
  }

  // 6. The code appears only in a link ("Tap to verify: v.whatsapp.com/105876").
  if (hits.length > 0 && numeric.length === 0) {
    const codes = new Set<string>();
    for (const link of links) {
      const m = LINK_TAIL_CODE_RE.exec(link);
      if (m?.[1]) codes.add(m[1]);
    }
    if (codes.size === 1) {
      const [code] = codes;
      if (code) return { code, method: 'fallback', confidence: 0.3 };
    }
  }
  return null;
}
