// `fastpva extract-code`: JSON lines {"text":...,"project":...?} in, {"code":...|null} lines out,
// through the same function the server runs on every inbound SMS.
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { extractCode } from '../domain/otp/extract.js';
import { common, parse } from './args.js';

const line = z.object({ text: z.string(), project: z.string().optional() });

export async function extractCodes(argv: string[], input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): Promise<void> {
  parse(argv, {}, z.object(common));
  for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
    if (raw.trim() === '') continue;
    let parsed: z.infer<typeof line>;
    try {
      parsed = line.parse(JSON.parse(raw));
    } catch {
      output.write(`${JSON.stringify({ code: null, error: 'expected a JSON object with a "text" string' })}\n`);
      continue;
    }
    const found = extractCode(parsed.text, { service: parsed.project });
    output.write(`${JSON.stringify({ code: found?.code ?? null })}\n`);
  }
}
