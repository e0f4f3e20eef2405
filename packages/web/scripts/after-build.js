// After `vite build`: print how much JavaScript the user center loads before it can show anything
// (the entry chunk and the chunks it imports statically; the admin panel and the charts load later,
// on demand), fail the build above the budget, and precompress the files the server sends
// (@fastify/static serves the .br or .gz beside a file to clients that accept it).
import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const BUDGET_BYTES = 200_000;
const dist = path.join(import.meta.dirname, '..', 'dist');
const manifest = JSON.parse(fs.readFileSync(path.join(dist, '.vite', 'manifest.json'), 'utf8'));

const initial = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || initial.has(chunk.file)) return;
  initial.add(chunk.file);
  for (const imported of chunk.imports ?? []) visit(imported);
};
visit(Object.keys(manifest).find((key) => manifest[key].isEntry));

const gzipped = (file) => gzipSync(fs.readFileSync(path.join(dist, file)), { level: 9 }).length;
const total = [...initial].reduce((sum, file) => sum + gzipped(file), 0);
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
console.log(`User center initial JavaScript: ${kb(total)} gzipped in ${initial.size} file(s) (budget ${kb(BUDGET_BYTES)})`);
if (total > BUDGET_BYTES) {
  console.error('Over budget: load the new code on demand (import()) or trim it');
  process.exit(1);
}

const compressible = /\.(js|css|html|svg|json)$/;
for (const file of fs.readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  const full = path.join(dist, file);
  if (!compressible.test(file) || !fs.statSync(full).isFile() || file.startsWith('.vite')) continue;
  const content = fs.readFileSync(full);
  fs.writeFileSync(`${full}.gz`, gzipSync(content, { level: 9 }));
  fs.writeFileSync(`${full}.br`, brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
}
