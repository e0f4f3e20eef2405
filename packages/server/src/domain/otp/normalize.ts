/**
 * Text normalisation for OTP extraction.
 *
 * Only digits and letters are folded (fullwidth, Arabic-Indic, Persian). Full NFKC is deliberately
 * avoided: it turns the fullwidth comma `，` into `,`, which would make `验证码299690，10分钟` look
 * like the decimal `299690,10`.
 */

// Fullwidth 0-9, A-Z, a-z (U+FF10..FF19, FF21..FF3A, FF41..FF5A) sit at a fixed offset from ASCII.
const FULLWIDTH_ALNUM = /[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g;
// Arabic-Indic (U+0660..0669) and Extended Arabic-Indic / Persian (U+06F0..06F9) digits.
const EASTERN_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;
// Arabic decimal and thousands separators, so `۱٬۵۵۵٬۰۰۰` is seen as a grouped amount.
const ARABIC_SEPARATORS = /[\u066B\u066C]/g;
// Zero-width, soft hyphen and bidi controls: invisible, but they split digit runs.
const INVISIBLE = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
// Exotic spaces (NBSP, thin, ideographic…) behave like a plain space for our purposes.
const ODD_SPACES = /[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g;
// Unicode hyphens (not en/em dashes, which are sentence punctuation: "VK: 33708 – your code").
const HYPHENS = /[\u2010\u2011\u2012\u2212]/g;
const CRLF = /\r\n?/g;

function foldFullwidth(ch: string): string {
  return String.fromCharCode(ch.charCodeAt(0) - 0xfee0);
}

function foldEastern(ch: string): string {
  const c = ch.charCodeAt(0);
  return String.fromCharCode(48 + (c >= 0x06f0 ? c - 0x06f0 : c - 0x0660));
}

/** Normalise an SMS body for matching. The caller keeps the raw text for display/storage. */
export function normalizeText(raw: string): string {
  return raw
    .replace(CRLF, '\n')
    .replace(INVISIBLE, '')
    .replace(ODD_SPACES, ' ')
    .replace(HYPHENS, '-')
    .replace(FULLWIDTH_ALNUM, foldFullwidth)
    .replace(EASTERN_DIGITS, foldEastern)
    .replace(ARABIC_SEPARATORS, (c) => (c === '\u066B' ? '.' : ','));
}

/** Placeholder left where a link was: not a letter, digit or sentence terminator. */
export const LINK_PLACEHOLDER = '\uFFFC';

// Characters that may not end a link (trailing sentence punctuation belongs to the text).
const URL_BODY = `[^\\s<>"'()\\[\\]{}，。、「」【】（）]*[^\\s<>"'()\\[\\]{}，。、「」【】（）.,;:!?]`;
// Common TLDs only, lowercase only: a bare `code.It` or `123456.Please` must not be taken for a
// domain and swallow the code.
const TLDS =
  'com|net|org|info|biz|io|co|me|app|dev|ai|ru|su|cn|jp|kr|in|ir|nl|de|fr|es|it|pt|br|uk|us|ca|au|vn|id|tr|pl|ua|kz|by|ly|gl|gd|to|cc|tv|xyz|site|online|link|page|shop|store|bank|im|gg|vip|top|club|tw|hk|sg|my|th|ph|mx|ar|cl|ch|at|be|se|no|dk|fi|cz|gr|il|sa|ae|eg|pk|bd|ng|za';
const LINK_RE = new RegExp(
  [
    // scheme://… including app schemes such as authy://register/…
    `(?<![\\p{L}\\p{N}])[a-zA-Z][a-zA-Z0-9+.-]{1,20}:\\/\\/${URL_BODY}`,
    `(?<![\\p{L}\\p{N}.])www\\.${URL_BODY}`,
    // e-mail addresses
    // (starting only where a token starts, or every character of a long run would rescan it)
    `(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+`,
    // bare domains with an optional path: v.whatsapp.com/105876, a1.Freo.in/x0WKK0l
    // (the label with a letter is a lookahead plus one run: "[…]*[A-Za-z][…]*" backtracks quadratically)
    `(?<![\\p{L}\\p{N}@.\\-])(?:[A-Za-z0-9-]+\\.)*(?=[0-9-]*[A-Za-z])[A-Za-z0-9-]+\\.(?:${TLDS})(?![A-Za-z0-9-])(?:\\/${URL_BODY}|\\/)?`,
  ].join('|'),
  'gu',
);

// Every link form above contains "://", "www.", "@" or a dot directly followed by a letter; most
// SMS contain none, so this cheap test lets them skip the expensive pattern.
const MAY_HAVE_LINK_RE = /:\/\/|@|\.[A-Za-z]/u;

export interface MaskedText {
  text: string;
  /** The links that were masked, in order (a code may appear only inside one). */
  links: string[];
}

/** Replace URLs, e-mail addresses and domains by a placeholder: their digits are never the code. */
export function maskLinks(text: string): MaskedText {
  const links: string[] = [];
  if (!MAY_HAVE_LINK_RE.test(text)) return { text, links };
  const masked = text.replace(LINK_RE, (m) => {
    links.push(m);
    return LINK_PLACEHOLDER;
  });
  return { text: masked, links };
}
