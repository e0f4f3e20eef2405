// Money, times and countries as the reader's language writes them. Money is always US dollars.
import i18n from './i18n';

const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** 5000 -> $50.00 */
export const money = (cents: number): string => dollars.format(cents / 100);

/** "12.5" or "$12.50" -> 1250; undefined when it is not an amount of dollars and cents. */
export function parseDollars(text: string): number | undefined {
  const match = /^\s*(-)?\s*\$?\s*(\d{1,9})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!match) return undefined;
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] ? -cents : cents;
}

export const dateTime = (ms: number): string => new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);

let regionNames: { language: string; names: Intl.DisplayNames } | undefined;

/** GB -> United Kingdom (Соединённое Королевство, 英国) */
export function countryName(code: string): string {
  if (regionNames?.language !== i18n.language) regionNames = { language: i18n.language, names: new Intl.DisplayNames([i18n.language], { type: 'region' }) };
  try {
    return regionNames.names.of(code) ?? code;
  } catch {
    return code;
  }
}

/** 754000 ms -> 12:34 (whole seconds left: 15:00 never shows as 15:01) */
export function minutesSeconds(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}
