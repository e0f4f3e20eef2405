// `fastpva extract-code`: JSON lines {"text":...,"project":...?} in, {"code":...|null} lines out,
// through the same function the server runs on every inbound SMS.
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { extractCode } from '../domain/otp/extract.js';
import { command } from './command.js';

const line = z.object({ text: z.string(), project: z.string().optional() });

export const extractCodes = command({
  name: 'extract-code',
  summary: 'read JSON lines {"text","project"?} on stdin, write {"code"} lines: the server\'s own code extractor',
  details: 'Example: echo \'{"text":"G-743499 is your Google verification code."}\' | npx fastpva extract-code',
  flags: {},
  async run(_o, io) {
    for await (const raw of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
      if (raw.trim() === '') continue;
      let parsed: z.infer<typeof line>;
      try {
        parsed = line.parse(JSON.parse(raw));
      } catch {
        io.stdout.write(`${JSON.stringify({ code: null, error: 'expected a JSON object with a "text" string' })}\n`);
        continue;
      }
      const found = extractCode(parsed.text, { service: parsed.project });
      io.stdout.write(`${JSON.stringify({ code: found?.code ?? null })}\n`);
    }
    return undefined;
  },
});
