// The OpenAPI document at /openapi.json and the reference at /docs: a valid OpenAPI 3.1 document
// (checked by @seriousme/openapi-schema-validator), every registered route in it with its path, query
// and body parameters, real replies of every surface valid against the documented response schemas
// (ajv, JSON Schema 2020-12), and the Swagger UI served from this server with its assets.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGES } from '../src/api/web/app-files.js';
import { DIALECTS } from './helpers/databases.js';
import { createTestPlatform, type TestPlatform } from './helpers/platform.js';
import { WebClient } from './helpers/web.js';

interface Operation {
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
  security?: unknown[];
  summary?: string;
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

/** Every route the server has, as [METHOD, path], read from Fastify's own route tree. */
function registeredRoutes(app: FastifyInstance): [string, string][] {
  const routes: [string, string][] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│   |    )*)(?:├── |└── )(.+) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + match[2]!;
    stack[depth] = path;
    for (const method of match[3]!.split(', ')) routes.push([method, path]);
  }
  return routes;
}

/**
 * Pages and files, not API: the documentation's own routes and the web app's. The route tree prints a
 * wildcard without its slash (`/admin` then `*`), and only file routes have one: any `*` is a file.
 */
const isFile = (path: string) => path === '/openapi.json' || path === '/docs' || path.startsWith('/docs/') || PAGES.includes(path) || path.includes('*');

/** Fastify's path as OpenAPI writes it: /v1/user/check/:id -> /v1/user/check/{id}. */
const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}').replace(/\*/g, '{*}');

describe.each(DIALECTS)('OpenAPI document on %s', (dialect) => {
  let t: TestPlatform;
  let doc: Document;
  const ajv = new Ajv2020({ strict: false, allErrors: true });

  /** The documented schema of a reply: by its status and media type (parameters after `;` left out). */
  function documented(method: string, path: string, status: number, type: string): Record<string, unknown> {
    const operation = doc.paths[path]?.[method.toLowerCase()];
    expect(operation, `${method} ${path} is documented`).toBeDefined();
    const media = operation!.responses[String(status)]?.content?.[type.split(';')[0]!];
    expect(media, `${method} ${path} documents ${status} ${type}`).toBeDefined();
    return media!.schema;
  }

  it('checks replies for real: a reply the document does not describe fails', () => {
    const schema = documented('GET', '/pvapublic/sms/getNumber', 200, 'application/json');
    expect(ajv.validate(schema, { code: 1, data: { number: '447700900001', orderId: '6b091a2b95fb32ff14d79c37' } })).toBe(true);
    expect(ajv.validate(schema, { code: 1, data: { number: '447700900001' } })).toBe(false);
    expect(ajv.validate(schema, { code: 1, data: { number: '447700900001', orderId: 'x', extra: 1 } })).toBe(false);
    expect(ajv.validate(schema, { code: 0, data: 'Invalid Service ID' })).toBe(false);
  });

  function expectValid(schema: Record<string, unknown>, value: unknown, what: string): void {
    const validate = ajv.compile(schema);
    expect(validate(value) ? [] : validate.errors, `${what}: ${JSON.stringify(value).slice(0, 400)}`).toEqual([]);
  }

  /** Calls a route and checks its reply against the document, whatever the status. */
  async function sample(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, options: { headers?: Record<string, string>; payload?: unknown; path?: string } = {}) {
    const res = await t.app.inject({ method, url, headers: options.headers ?? {}, ...(options.payload === undefined ? {} : { payload: options.payload as object }) });
    const path = options.path ?? url.split('?')[0]!;
    const type = String(res.headers['content-type']);
    const schema = documented(method, path, res.statusCode, type);
    expectValid(schema, type.startsWith('application/json') ? res.json() : res.body, `${method} ${url} ${res.statusCode}`);
    return res;
  }

  beforeAll(async () => {
    t = await createTestPlatform(dialect, { releaseAfterMs: 0 });
    doc = (await t.app.inject({ url: '/openapi.json' })).json() as Document;
  });
  afterAll(async () => t?.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists every route the server has, with its path, query and body parameters and its replies', async () => {
    const routes = registeredRoutes(t.app).filter(([, path]) => !isFile(path));
    // Every surface is there (a parse of the route tree that found nothing would prove nothing).
    for (const prefix of ['/pvapublic/', '/stubs/', '/v1/', '/supplier/v1/', '/ingest/', '/api/web/', '/healthz']) {
      expect(routes.some(([, path]) => path.startsWith(prefix)), prefix).toBe(true);
    }
    for (const [method, path] of routes) {
      const operation = doc.paths[openApiPath(path)]?.[method.toLowerCase()];
      expect(operation, `${method} ${path} is in /openapi.json`).toBeDefined();
      expect(operation!.summary, `${method} ${path} has a summary`).toBeTruthy();
      expect(Object.keys(operation!.responses).length, `${method} ${path} documents its replies`).toBeGreaterThan(0);
      const documentedIn = (where: string) => (operation!.parameters ?? []).filter((p) => p.in === where).map((p) => p.name);
      expect(documentedIn('path').sort(), `${method} ${path} path parameters`).toEqual([...path.matchAll(/:(\w+)/g)].map((m) => m[1]).sort());
    }
    expect(doc.paths['/pvapublic/sms/getNumber']!.get!.parameters!.map((p) => [p.name, p.required])).toEqual([
      ['myPid', true],
      ['number', false],
      ['locale', false],
    ]);
    expect(doc.paths['/supplier/v1/sms']!.post!.requestBody!.content['application/json']).toBeDefined();
  });

  it('has no route that reads its input past its declared schemas', () => {
    // The document lists what a route's schemas declare; a handler that parsed input of its own would
    // take parameters the document never shows. Gateway adapters read their vendor's raw payload
    // (signatures are over the bytes) and SMS-Activate reads the protocol's parameters word by word:
    // both are described in prose.
    const root = fileURLToPath(new URL('../src/api/', import.meta.url));
    const offenders = fs
      .readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !file.startsWith('ingest/') && !file.startsWith('sms-activate/') && !['http.ts', 'contract.ts'].includes(file))
      .filter((file) => /parseWith\(|\.safeParse\(|\.parse\(request/.test(fs.readFileSync(path.join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('describes each SMS-Activate action with its parameters and reply words', () => {
    const get = doc.paths['/stubs/handler_api.php']!.get!;
    const actionEnum = (get.parameters!.find((p) => p.name === 'action') as unknown as { schema: { enum: string[] } }).schema.enum;
    expect(actionEnum).toEqual(expect.arrayContaining(['getBalance', 'getNumber', 'getNumberV2', 'getStatus', 'getStatusV2', 'setStatus', 'getNumbersStatus', 'getPrices', 'getOperators']));
    const form = doc.paths['/stubs/handler_api.php']!.post!.requestBody!.content['application/x-www-form-urlencoded']!.schema as { oneOf: { properties: Record<string, unknown>; required: string[]; description: string }[] };
    expect(form.oneOf).toHaveLength(actionEnum.length);
    const setStatus = form.oneOf.find((o) => JSON.stringify(o.properties.action).includes('"setStatus"'))!;
    expect(setStatus.required.sort()).toEqual(['action', 'api_key', 'id', 'status']);
    expect(setStatus.description).toContain('`ACCESS_CANCEL`');
    expect((get as unknown as { description: string }).description).toContain('| `getNumber` | **service**, country, maxPrice, operator, phoneException |');
  });

  it('documents the replies each surface really gives', async () => {
    const p = t.platform;
    const supplier = await p.suppliers.create({ name: 'SIM bank', channels: [6] });
    const supplierAuth = { authorization: `Bearer ${supplier.key}` };
    const numbers = ['447700900001', '447700900002', '447700900003', '447700900004', '447700900005'];
    await sample('PUT', '/supplier/v1/numbers', { headers: supplierAuth, payload: { numbers: numbers.map((number, i) => ({ number, country: 'GB', ...(i === 0 ? { operator: 'vodafone' } : {}) })) } });
    await sample('POST', '/supplier/v1/numbers/online', { headers: supplierAuth, payload: { numbers } });
    await sample('POST', '/supplier/v1/numbers/online', { headers: supplierAuth, payload: { numbers: 'none' } });
    await sample('POST', '/supplier/v1/sms', { headers: { authorization: 'Bearer wrong' }, payload: {} });
    const telegram = (await p.catalog.createProject({ enname: 'Telegram-C6', price: 25, channel: 6 })).myPid;
    await p.catalog.createProject({ enname: 'WhatsApp-C6', channel: 6, countryPrices: { GB: 40, NL: 12 } });
    const user = await p.users.create({ username: 'alice', balance: 1000, password: 'a long password here', email: 'alice@example.com' });
    const key = user.apiKey;

    // FASTPVA
    const fastpva = (route: string, query = '') => sample('GET', `/pvapublic${route}?apikey=${key}${query}`);
    await fastpva('/projects', '&page=1&limit=10');
    await fastpva('/collects/add', `&myPid=${telegram}`);
    await fastpva('/collects', '&page=1&limit=10');
    await fastpva('/project/list', '&page=1&limit=10');
    await fastpva('/sms/stock', `&myPid=${telegram}`);
    const taken = (await fastpva('/sms/getNumber', `&myPid=${telegram}`)).json().data as { number: string; orderId: string };
    await fastpva('/sms/getCode', `&orderId=${taken.orderId}`);
    await fastpva('/sms/codes', `&ordersId=${taken.orderId}`);
    const pushed = await sample('POST', '/supplier/v1/sms', { headers: supplierAuth, payload: { id: 'm1', to: taken.number, from: 'Telegram', text: 'Telegram code: 56032' } });
    expect(pushed.json().orderId).toBe(taken.orderId);
    await sample('POST', '/supplier/v1/sms', { headers: supplierAuth, payload: { id: 'm1', to: taken.number, from: 'Telegram', text: 'Telegram code: 56032' } });
    expect((await fastpva('/sms/getCode', `&orderId=${taken.orderId}`)).json().code).toBe(1);
    await fastpva('/sms/codes', `&ordersId=${taken.orderId}`);
    await fastpva('/sms/orders', '&page=1&limit=10');
    await fastpva('/sms/releaseNumber', '&orderId=nope');
    await fastpva('/recharge/create', '&amount=500&payment=BTC');
    await fastpva('/recharge/orders', '&page=1&limit=10');
    await fastpva('/user/info');
    await fastpva('/webhook/get');
    await fastpva('/webhook/deliveries', '&page=1&limit=10');
    await sample('GET', '/pvapublic/user/info?apikey=wrong');

    // SMS-Activate: every JSON reply against its own action's schema, every word against the words listed.
    const [getDoc] = [doc.paths['/stubs/handler_api.php']!.get!];
    const jsonOf = (action: string) => (getDoc.responses['200']!.content!['application/json']!.schema.anyOf as { title: string }[]).find((s) => s.title === action)!;
    const words = String(getDoc.responses['200']!.content!['text/plain']!.schema.description);
    const smsActivate = async (action: string, query = '') => {
      const res = await t.app.inject({ url: `/stubs/handler_api.php?api_key=${key}&action=${action}${query}` });
      expect(res.statusCode).toBe(200);
      if (String(res.headers['content-type']).startsWith('application/json')) expectValid(jsonOf(action) as Record<string, unknown>, res.json(), action);
      else expect(words, `${action}: ${res.body}`).toContain(`\`${res.body.split(':')[0]}`);
      return res.body;
    };
    const activation = (await smsActivate('getNumber', '&service=tg&country=16')).split(':')[1];
    for (const action of ['getBalance', 'getBalanceAndCashBack', 'getActiveActivations', 'getHistory', 'getNumbersStatus', 'getPrices', 'getCountries', 'getServicesList', 'getOperators']) {
      await smsActivate(action);
    }
    await smsActivate('getTopCountriesByService', '&service=tg&freePrice=true');
    await smsActivate('getStatus', `&id=${activation}`);
    await smsActivate('getStatusV2', `&id=${activation}`);
    await smsActivate('setStatus', `&id=${activation}&status=8`);
    await smsActivate('getNumberV2', '&service=wa&country=16');
    await smsActivate('getFullSms', '&id=1');
    await smsActivate('nonsense');

    // 5SIM
    const bearer = { headers: { authorization: `Bearer ${key}` } };
    await sample('GET', '/v1/guest/countries');
    await sample('GET', '/v1/guest/products/england/any', { path: '/v1/guest/products/{country}/{operator}' });
    await sample('GET', '/v1/guest/prices?country=england');
    await sample('GET', '/v1/guest/flash/en', { path: '/v1/guest/flash/{lang}' });
    await sample('GET', '/v1/user/profile', bearer);
    const bought = await sample('GET', '/v1/user/buy/activation/england/any/telegram', { ...bearer, path: '/v1/user/buy/activation/{country}/{operator}/{product}' });
    const { id, phone } = bought.json() as { id: number; phone: string };
    await sample('GET', `/v1/user/check/${id}`, { ...bearer, path: '/v1/user/check/{id}' });
    await sample('POST', '/supplier/v1/sms', { headers: supplierAuth, payload: { id: 'm2', to: phone.slice(1), from: 'Telegram', text: 'Telegram code: 77120' } });
    expect((await sample('GET', `/v1/user/check/${id}`, { ...bearer, path: '/v1/user/check/{id}' })).json().sms).toHaveLength(1);
    await sample('GET', '/v1/user/check/999999', { ...bearer, path: '/v1/user/check/{id}' });
    await sample('GET', `/v1/user/sms/inbox/${id}`, { ...bearer, path: '/v1/user/sms/inbox/{id}' });
    await sample('GET', `/v1/user/finish/${id}`, { ...bearer, path: '/v1/user/finish/{id}' });
    await sample('GET', `/v1/user/cancel/${id}`, { ...bearer, path: '/v1/user/cancel/{id}' });
    await sample('GET', '/v1/user/orders', bearer);
    await sample('GET', '/v1/user/payments', bearer);
    await sample('POST', '/v1/user/max-prices', { ...bearer, payload: { product_name: 'telegram', price: 0.3 } });
    await sample('GET', '/v1/user/max-prices', bearer);
    await sample('GET', '/v1/user/buy/activation/narnia/any/telegram', { ...bearer, path: '/v1/user/buy/activation/{country}/{operator}/{product}' });
    await sample('GET', '/v1/user/profile');

    // The web app's API
    const browser = new WebClient(t.app);
    const web = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const res = await browser.request(method, path, body);
      expectValid(documented(method, `/api/web${path.split('?')[0]}`, res.statusCode, String(res.headers['content-type'])), res.json(), `${method} ${path} ${res.statusCode}`);
      return res;
    };
    await web('GET', '/session');
    await web('POST', '/session', { username: 'alice', password: 'wrong password' });
    await web('POST', '/session', { username: 'alice', password: 'a long password here' });
    await web('GET', '/me');
    await web('GET', '/projects?page=1&limit=20');
    await web('POST', '/orders', { myPid: telegram });
    await web('POST', '/orders', { myPid: 'not a number' });

    await sample('GET', '/healthz');
  });

  it('serves the reference at /docs from this server, its assets too, under the web app\'s Content-Security-Policy', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address() as { port: number };
    const base = `http://127.0.0.1:${address.port}`;
    const page = await fetch(`${base}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    // No inline script (the policy would block it) and nothing from another host.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>\s*\S/);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => new URL(m[1]!, `${base}/docs`).href);
    expect(assets.some((a) => a.endsWith('swagger-ui-bundle.js'))).toBe(true);
    for (const asset of assets) {
      const res = await fetch(asset);
      expect(res.status, asset).toBe(200);
      expect(new URL(asset).host).toBe(`127.0.0.1:${address.port}`);
      if (asset.endsWith('swagger-initializer.js')) {
        const script = await res.text();
        expect(script.replace(/\/\/ .*$/gm, '')).not.toMatch(/https?:\/\//);
        // The UI reads the document from this server: ./json beside the page.
        expect(script).toContain("url: resolveUrl('./json')");
        const spec = await fetch(`${base}/docs/json`);
        expect((await spec.json()).openapi).toBe('3.1.0');
      } else {
        await res.arrayBuffer();
      }
    }
  });
});
