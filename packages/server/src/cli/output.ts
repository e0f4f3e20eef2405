// How commands print: --json gives one line of JSON (times as ISO-8601), otherwise text for people.
import type { Io, Result } from './command.js';

/** Times are epoch milliseconds inside; every `...At` field prints as ISO-8601. */
const isoTimes = (key: string, value: unknown) => (key.endsWith('At') && typeof value === 'number' ? new Date(value).toISOString() : value);

export const toJson = (data: unknown): string => JSON.stringify(data, isoTimes);

export function print(io: Io, json: boolean, result: Result): void {
  io.stdout.write(json ? `${toJson(result.json)}\n` : `${result.text}\n`);
}

export const iso = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString());

/** Rows under a header, each column as wide as its widest cell. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** A page of a list, with how to get the next one. */
export function paged(rows: string, count: number, page: { page: number; limit: number }, noun: string): string {
  if (count === 0) return `No ${noun}`;
  const pages = Math.ceil(count / page.limit);
  const more = page.page < pages ? `; --page ${page.page + 1} for more` : '';
  return `${rows}\n${count} ${noun}, page ${page.page} of ${pages}${more}`;
}

/** "key: value" lines, aligned. */
export function fields(entries: [string, string | number][]): string {
  const width = Math.max(...entries.map(([key]) => key.length)) + 2;
  return entries.map(([key, value]) => `${`${key}:`.padEnd(width)}${value}`).join('\n');
}
