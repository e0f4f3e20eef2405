// The built web app (packages/web/dist): index.html for each of the app's pages, and its hashed
// assets, precompressed by the build. Only these paths: every other path keeps its JSON 404.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Beside this package in the workspace: packages/web/dist, from src/api/web or dist/api/web alike. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../../web/dist/', import.meta.url));

/** The app's own pages (its router's paths): a reload or a shared link on any of them opens the app. */
export const PAGES = ['/', '/sign-in', '/sign-up', '/buy', '/orders', '/recharges', '/account', '/admin', '/admin/*'];

/** The app loads its own scripts and styles only; ECharts and React set inline styles. /docs keeps it too. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export async function webAppFiles(app: FastifyInstance, { root }: { root: string }): Promise<void> {
  const built = fs.existsSync(`${root}/index.html`);
  if (!built) app.log.warn({ root }, 'the web app is not built (npm run build): its pages answer 503');
  await app.register(fastifyStatic, { root, serve: false, preCompressed: true });

  const page = (_request: unknown, reply: FastifyReply) => {
    reply.headers({
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
      'cache-control': 'no-cache',
    });
    if (!built) return reply.code(503).type('text/plain; charset=utf-8').send('The web app is not built: run npm run build, then restart the server.\n');
    return reply.sendFile('index.html', { cacheControl: false });
  };
  // Files, not API: left out of /openapi.json.
  const file = { schema: { hide: true } };
  for (const path of PAGES) app.get(path, file, page);

  // File names carry a hash of their content: cached for good.
  app.get('/assets/*', file, (request, reply) => {
    const file = (request.params as { '*': string })['*'];
    return reply.header('x-content-type-options', 'nosniff').sendFile(`assets/${file}`, { immutable: true, maxAge: 365 * 86_400_000 });
  });
}
