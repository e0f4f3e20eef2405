// The OTP corpora in test/fixtures: one real SMS per line, with its code (null when it carries none).
import { readFileSync } from 'node:fs';

export interface CorpusRow {
  service: string;
  lang: string;
  text: string;
  /** As written in the text; null for a message that carries no code. */
  code: string | null;
  /** What an extractor should return. */
  normalized: string | null;
  source: string;
}

export function loadCorpus(name: 'otp-corpus.jsonl' | 'otp-hard-cases.jsonl'): CorpusRow[] {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CorpusRow);
}
