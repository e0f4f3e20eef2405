import { describe, expect, it } from 'vitest';
import { extractCode } from '../src/domain/otp/extract.js';
import { loadCorpus as load } from './helpers/corpus.js';

// Real SMS from public sources (every line names its source): letter and mixed codes, codes framed
// by "#", keys next to card masks, bank messages full of amounts and dates, Russian in Latin letters,
// and messages whose numbers are not codes (device models, authorisation numbers, help lines,
// mobile-money agents and tills, promotion codes).
const hard = load('otp-hard-cases.jsonl');
const corpus = load('otp-corpus.jsonl');

describe('OTP hard cases', () => {
  it('every line has a public source and a consistent code', () => {
    expect(hard.length).toBeGreaterThanOrEqual(100);
    for (const row of hard) {
      expect(row.source.trim()).not.toBe('');
      expect(row.normalized === null).toBe(row.code === null);
      if (row.code !== null) expect(row.text).toContain(row.code);
    }
  });

  for (const mode of ['no service hint', 'with service hint'] as const) {
    it(`all pass, no false codes (${mode})`, () => {
      const misses: string[] = [];
      let falseCodes = 0;
      for (const row of hard) {
        const got = extractCode(row.text, mode === 'with service hint' ? { service: row.service } : undefined)?.code ?? null;
        if (got === row.normalized) continue;
        if (got !== null) falseCodes++;
        misses.push(`  [${row.lang}] ${row.service}: want ${String(row.normalized)}, got ${String(got)} | ${row.text.slice(0, 90).replace(/\n/g, ' ')}`);
      }
      console.log(`OTP hard cases (${mode}): ${hard.length - misses.length}/${hard.length}, false codes: ${falseCodes}` + (misses.length ? `\n${misses.join('\n')}` : ''));
      expect(misses).toEqual([]);
    });
  }
});

describe('extractCode: bounded work', () => {
  it('handles a few thousand messages, adversarial ones included', () => {
    const messages: string[] = [];
    for (const row of [...corpus, ...hard]) {
      messages.push(row.text, row.text.toUpperCase(), row.text.replace(/\s+/g, ' '), `${row.text}\n${row.text}`);
      messages.push(row.text.repeat(12)); // longer than any SMS: cut, not scanned whole
    }
    // Shapes that make naive patterns rescan the rest of the text from every position.
    const n = 5000;
    messages.push(
      '1 '.repeat(n),
      '12-'.repeat(n),
      'a.'.repeat(n),
      `${'a'.repeat(n)}@`,
      'Ab1-'.repeat(n),
      'code 1234 '.repeat(n),
      'OTP 123456. '.repeat(n),
      `Samsung ${'SM-G930F '.repeat(n)}`,
      '#'.repeat(n) + '1234',
      'kod: '.repeat(n),
    );
    expect(messages.length).toBeGreaterThan(1000);
    let found = 0;
    for (const m of messages) if (extractCode(m) !== null) found++;
    expect(found).toBeGreaterThan(0);
  });
});
