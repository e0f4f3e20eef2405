// What every part of the bench prints with: its tables, its number formats, and percentiles of its own samples.
import type { Dialect } from './infra.js';

export const fmtRate = (n: number) => Math.round(n).toLocaleString('en-US');
export const fmtMs = (n: number) => (n < 10 ? n.toFixed(1) : n.toFixed(0));

export function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const numeric = header.map((_, i) => body.every((r) => /^[\d.,x/-]*$/.test(r[i]!)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** The nearest-rank percentile `p` (0 to 100) of `values`; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** One part's place in the report: its own text, and what goes into .bench/latest.json. */
export interface Section {
  part: string;
  text: string;
  json: unknown;
}

/** What a part gets from run.ts: the dialects to run on, progress output, and where to record what went wrong. */
export interface PartContext {
  dialects: readonly Dialect[];
  log(line: string): void;
  /** Wrong replies, lost messages, crashes: they make the run fail (a missed goal does not). */
  problems: string[];
}
