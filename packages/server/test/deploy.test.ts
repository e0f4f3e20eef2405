// deploy/ as an operator uses it, each file run by the real tool: nginx and Caddy with TLS in front of
// the built `fastpva serve`, the systemd units (systemd-analyze), the ledger-audit job, and the
// Prometheus rules (promtool). The tools are Debian packages that .ci/run installs; without them this
// file fails, it never skips.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliJson, startCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/databases.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEPLOY = path.join(ROOT, 'deploy');
const SITE = 'sms.example.com';
const PATHS = `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin`;

/** Command -> the Debian package that provides it. */
const TOOLS: Record<string, string> = {
  nginx: 'nginx-light',
  caddy: 'caddy',
  promtool: 'prometheus',
  openssl: 'openssl',
  'systemd-analyze': 'systemd',
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { env: { ...process.env, PATH: PATHS, ...options.env }, cwd: options.cwd, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

function deployFile(name: string): string {
  return fs.readFileSync(path.join(DEPLOY, name), 'utf8');
}

/** Replaces every `from` with `to`, failing when `from` is not in the file: the test must render what is committed. */
function replace(text: string, from: string, to: string, file: string): string {
  if (!text.includes(from)) throw new Error(`deploy/${file} no longer contains ${JSON.stringify(from)}: update deploy.test.ts with it`);
  return text.split(from).join(to);
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Waits until something accepts connections on the port, or the process dies. */
async function waitForPort(port: number, child: ChildProcess, name: string, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not listen on ${port}:\n${log()}`);
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  tls?: string | null;
}

/** One request on a fresh connection, to 127.0.0.1 but addressed (Host, SNI, certificate check) to the site. */
function request(
  scheme: 'http' | 'https',
  port: number,
  pathname: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; ca?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const headers: Record<string, string | number> = { host: SITE, ...options.headers };
    if (body) headers['content-length'] = body.length;
    const common = { host: '127.0.0.1', port, path: pathname, method: options.method ?? 'GET', headers, agent: false as const };
    let answered = false;
    const onResponse = (res: http.IncomingMessage) => {
      answered = true;
      const tls = scheme === 'https' ? (res.socket as TLSSocket).getProtocol() : undefined;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString(), tls }));
      res.on('error', reject);
    };
    const req =
      scheme === 'https'
        ? https.request({ ...common, servername: SITE, ca: options.ca }, onResponse)
        : http.request(common, onResponse);
    // A proxy may answer (413) and close before it has read a large body: the answer is what counts.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.end(body);
  });
}

/**
 * Between the proxy and the server: records each request's headers as the proxy sent them, then passes
 * it on untouched. The server itself does not echo headers, so this is how the test sees them.
 */
async function startTap(target: number): Promise<{ port: number; seen: { url: string; headers: IncomingHttpHeaders }[]; close(): Promise<void> }> {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url!, headers: req.headers });
    const upstream = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (reply) => {
      res.writeHead(reply.statusCode!, reply.headers);
      reply.pipe(res);
    });
    upstream.on('error', (error) => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end(String(error));
    });
    req.pipe(upstream);
  });
  // Like Fastify: idle connections outlive the proxies' 60 s.
  server.keepAliveTimeout = 72_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

interface Proxy {
  name: 'nginx' | 'caddy';
  child: ChildProcess;
  http: number;
  https: number;
  /** Where HTTP sends a client for /healthz. */
  redirect: string;
  log(): string;
}

async function startNginx(dir: string, upstream: number, cert: string, key: string): Promise<Proxy> {
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const file = 'nginx.conf';
  let site = deployFile(file);
  site = replace(site, 'listen 80;', `listen 127.0.0.1:${httpPort};`, file);
  site = replace(site, 'listen [::]:80;', '', file);
  site = replace(site, 'listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`, file);
  site = replace(site, 'listen [::]:443 ssl http2;', '', file);
  site = replace(site, 'server 127.0.0.1:8080;', `server 127.0.0.1:${upstream};`, file);
  site = replace(site, `/etc/letsencrypt/live/${SITE}/fullchain.pem`, cert, file);
  site = replace(site, `/etc/letsencrypt/live/${SITE}/privkey.pem`, key, file);
  site = replace(site, '/var/log/nginx/fastpva.access.log', `${dir}/fastpva.access.log`, file);
  site = replace(site, 'root /var/www/html;', `root ${dir}/webroot;`, file);
  fs.mkdirSync(path.join(dir, 'webroot/.well-known/acme-challenge'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'webroot/.well-known/acme-challenge/token-1'), 'token-1.thumbprint');
  fs.writeFileSync(path.join(dir, 'fastpva-site.conf'), site);
  // What Debian's /etc/nginx/nginx.conf provides around a site, with every path in the temp dir.
  const main = [
    process.getuid?.() === 0 ? 'user root;' : '',
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${dir}/access.log;`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
    `  include ${dir}/fastpva-site.conf;`,
    '}',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'nginx.conf'), main);
  const log = () => {
    try {
      return fs.readFileSync(path.join(dir, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const test = await run('nginx', ['-t', '-q', '-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`]);
  if (test.code !== 0) throw new Error(`nginx -t rejects deploy/nginx.conf:\n${test.stderr}${log()}`);
  const child = spawn('nginx', ['-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`, '-g', 'daemon off;'], {
    env: { ...process.env, PATH: PATHS },
    stdio: 'ignore',
  });
  await waitForPort(httpsPort, child, 'nginx', log);
  return { name: 'nginx', child, http: httpPort, https: httpsPort, redirect: `https://${SITE}/healthz`, log };
}

async function startCaddy(dir: string, upstream: number, cert: string, key: string): Promise<Proxy> {
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const file = 'Caddyfile';
  let config = deployFile(file);
  config = replace(config, '\temail admin@example.com\n', `\temail admin@example.com\n\tadmin off\n\thttp_port ${httpPort}\n\thttps_port ${httpsPort}\n`, file);
  config = replace(config, `${SITE} {\n`, `${SITE} {\n\ttls ${cert} ${key}\n`, file);
  config = replace(config, 'reverse_proxy 127.0.0.1:8080 {', `reverse_proxy 127.0.0.1:${upstream} {`, file);
  fs.writeFileSync(path.join(dir, 'Caddyfile'), config);
  let output = '';
  const child = spawn('caddy', ['run', '--config', path.join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], {
    env: { ...process.env, PATH: PATHS, HOME: dir, XDG_DATA_HOME: `${dir}/data`, XDG_CONFIG_HOME: `${dir}/config` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  await waitForPort(httpsPort, child, 'caddy', () => output);
  await waitForPort(httpPort, child, 'caddy', () => output);
  return { name: 'caddy', child, http: httpPort, https: httpsPort, redirect: `https://${SITE}/healthz`, log: () => output };
}

describe('deploy/', () => {
  let dir: string;
  let database: TestDatabase;
  let db: string[];
  let server: ChildProcess | undefined;
  let serverPort: number;
  let tap: Awaited<ReturnType<typeof startTap>>;
  let ca: string;
  let cert: string;
  let key: string;
  const proxies: Partial<Record<Proxy['name'], Proxy>> = {};
  let apikey: string;
  let myPid: number;
  let supplierKey: string;

  beforeAll(async () => {
    const missing = [];
    for (const [command, pkg] of Object.entries(TOOLS)) {
      if ((await run('sh', ['-c', `command -v ${command}`])).code !== 0) missing.push(pkg);
    }
    if (missing.length) {
      throw new Error(`The deploy/ tests run the real tools and these are missing. Install them: apt-get install -y ${missing.join(' ')} (.ci/run does)`);
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastpva-deploy-'));
    cert = path.join(dir, 'cert.pem');
    key = path.join(dir, 'key.pem');
    const openssl = await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
      '-subj', `/CN=${SITE}`, '-addext', `subjectAltName=DNS:${SITE}`, '-keyout', key, '-out', cert,
    ]);
    if (openssl.code !== 0) throw new Error(`openssl: ${openssl.stderr}`);
    ca = fs.readFileSync(cert, 'utf8');

    database = await createTestDatabase('sqlite');
    db = ['--db', database.url];
    await cliJson(['migrate', ...db]);
    const [user, project, supplier] = await Promise.all([
      cliJson<{ apikey: string }>(['admin', 'user', 'create', '--username', 'alice', '--balance', '1000', ...db]),
      cliJson<{ myPid: number }>(['admin', 'project', 'create', '--name', 'Telegram', '--price', '30', ...db]),
      cliJson<{ key: string }>(['admin', 'supplier', 'create', '--name', 'SIM bank', ...db]),
    ]);
    [apikey, myPid, supplierKey] = [user.apikey, project.myPid, supplier.key];

    const started = await startCli(['serve', '--port', '0', '--host', '127.0.0.1', ...db, '--json'], /^\{"url"/);
    server = started.child;
    serverPort = Number(new URL(JSON.parse(started.line).url).port);
    tap = await startTap(serverPort);
    fs.mkdirSync(path.join(dir, 'nginx'));
    fs.mkdirSync(path.join(dir, 'caddy'));
    [proxies.nginx, proxies.caddy] = await Promise.all([
      startNginx(path.join(dir, 'nginx'), tap.port, cert, key),
      startCaddy(path.join(dir, 'caddy'), tap.port, cert, key),
    ]);
  });

  afterAll(async () => {
    await Promise.all([stop(proxies.nginx?.child), stop(proxies.caddy?.child)]);
    await tap?.close();
    if (server) {
      server.kill('SIGTERM');
      // The server closes cleanly on TERM, as systemd stops it.
      const [code] = server.exitCode !== null ? [server.exitCode] : await once(server, 'exit');
      expect(code).toBe(0);
    }
    await database?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const api = (p: Proxy, pathname: string, options: Parameters<typeof request>[3] = {}) => request('https', p.https, pathname, { ca, ...options });
  const supplier = (p: Proxy, method: string, pathname: string, body: unknown) =>
    api(p, `/supplier/v1${pathname}`, { method, body: JSON.stringify(body), headers: { authorization: `Bearer ${supplierKey}`, 'content-type': 'application/json' } });

  describe.each(['nginx', 'caddy'] as const)('%s in front of fastpva', (name) => {
    const proxy = () => proxies[name]!;

    it('serves /healthz over TLS 1.2+ with the certificate for the site, and HSTS', async () => {
      const reply = await api(proxy(), '/healthz');
      expect(reply).toMatchObject({ status: 200, body: '{"status":"ok","database":"sqlite"}' });
      expect(['TLSv1.2', 'TLSv1.3']).toContain(reply.tls);
      expect(reply.headers['strict-transport-security']).toBe('max-age=63072000');
    });

    it('redirects HTTP to HTTPS', async () => {
      const reply = await request('http', proxy().http, '/healthz');
      expect([301, 308]).toContain(reply.status);
      expect(reply.headers.location).toBe(proxy().redirect);
      if (name === 'nginx') {
        // except certbot's challenges, so that renewals work through the site
        const challenge = await request('http', proxy().http, '/.well-known/acme-challenge/token-1');
        expect(challenge).toMatchObject({ status: 200, body: 'token-1.thumbprint' });
      }
    });

    it('passes Host, X-Forwarded-Proto and the client address in X-Forwarded-For, not one the client forged', async () => {
      const before = tap.seen.length;
      const reply = await api(proxy(), `/pvapublic/user/info?apikey=${apikey}`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toMatchObject({ code: 1, data: { username: 'alice' } });
      const seen = tap.seen.slice(before);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.headers).toMatchObject({ host: SITE, 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'https' });
      if (name === 'nginx') {
        // The access log has the route, never the key in its query string.
        const log = fs.readFileSync(path.join(dir, 'nginx', 'fastpva.access.log'), 'utf8');
        expect(log).toContain('"GET /pvapublic/user/info HTTP/1.1" 200');
        expect(log).not.toContain(apikey);
        // Nor a gateway's token, which is in its path.
        const token = 'c0ffee'.repeat(5) + 'c0';
        expect((await api(proxy(), `/ingest/generic/${token}`, { method: 'POST', body: '{}' })).status).toBe(401);
        // nginx writes the line once it has finished the request, which may be just after the client has the reply.
        const logged = () => fs.readFileSync(path.join(dir, 'nginx', 'fastpva.access.log'), 'utf8');
        for (let i = 0; i < 50 && !logged().includes('/ingest/'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
        const after = logged();
        expect(after).toContain('"POST /ingest/generic/[redacted] HTTP/1.1" 401');
        expect(after).not.toContain(token);
      }
    });

    it('keeps /metrics off the public side', async () => {
      expect((await api(proxy(), '/metrics')).status).toBe(403);
      const direct = await fetch(`http://127.0.0.1:${serverPort}/metrics`);
      expect(direct.status).toBe(200);
      expect(await direct.text()).toContain('fastpva_numbers_online');
    });

    it('refuses a body over 8 MiB, as the server would', async () => {
      const before = tap.seen.length;
      const big = Buffer.alloc(8 * 1024 * 1024 + 1024, 'a');
      const send = () =>
        api(proxy(), '/supplier/v1/numbers', {
          method: 'PUT',
          body: big,
          headers: { authorization: `Bearer ${supplierKey}`, 'content-type': 'application/json' },
        });
      if (name === 'nginx') {
        // Refused on its Content-Length: the server never sees it.
        const reply = await send();
        expect(reply.status).toBe(413);
        expect(tap.seen.length).toBe(before);
      } else {
        // Caddy 2.6 streams the body on: the server's 413, or Caddy's 502 when its max_size cuts
        // first (deploy/Caddyfile says so), or the connection closed while the body is still being
        // sent, when the refusal comes first. Never accepted either way.
        const status = await send().then(
          (reply) => reply.status,
          (error: NodeJS.ErrnoException) => error.code,
        );
        expect([413, 502, 'ECONNRESET', 'EPIPE']).toContain(status);
      }
    });

    it('carries a whole order: a supplier push of 50,000 numbers, getNumber, the SMS, getCode', async () => {
      const prefix = name === 'nginx' ? '4477001' : '4477002';
      const numbers = [...Array(50_000)].map((_, i) => ({ number: `${prefix}${String(i).padStart(5, '0')}`, country: 'GB', operator: 'vodafone' }));
      const push = JSON.stringify({ numbers });
      expect(push.length).toBeGreaterThan(3 * 1024 * 1024);
      const registered = await supplier(proxy(), 'PUT', '/numbers', { numbers });
      expect(registered).toMatchObject({ status: 200, body: '{"registered":50000}' });
      const online = numbers[7]!.number;
      expect((await supplier(proxy(), 'POST', '/numbers/online', { numbers: [online] })).body).toBe('{"online":1}');

      const taken = JSON.parse((await api(proxy(), `/pvapublic/sms/getNumber?myPid=${myPid}&apikey=${apikey}`)).body);
      expect(taken).toMatchObject({ code: 1, data: { number: online } });
      const sms = await supplier(proxy(), 'POST', '/sms', { id: `msg-${name}`, to: online, from: 'Telegram', text: 'Telegram code: 56032' });
      expect(JSON.parse(sms.body)).toEqual({ accepted: true, orderId: taken.data.orderId });
      const code = JSON.parse((await api(proxy(), `/pvapublic/sms/getCode?orderId=${taken.data.orderId}&apikey=${apikey}`)).body);
      expect(code).toMatchObject({ code: 1, data: { code: '56032', number: online } });
    });
  });

  it('nginx leaves room for 60 s long-polls and matches the server body limit', () => {
    const conf = deployFile('nginx.conf');
    const seconds = (directive: string) => Number(new RegExp(`^\\s*${directive}\\s+(\\d+)s;`, 'm').exec(conf)?.[1]);
    expect(seconds('proxy_read_timeout')).toBeGreaterThanOrEqual(75);
    expect(seconds('proxy_send_timeout')).toBeGreaterThanOrEqual(75);
    expect(conf).toMatch(/^\s*client_max_body_size 8m;/m);
    expect(conf).toMatch(/^\s*proxy_next_upstream off;/m);
  });

  describe('systemd units', () => {
    const units = ['fastpva.service', 'fastpva-ledger-audit.service', 'fastpva-ledger-audit.timer'];

    // The units name /opt/fastpva and /usr/bin/node; systemd-analyze checks that ExecStart exists, so
    // point them at this checkout and this node.
    function render(): string {
      const unitDir = path.join(dir, 'units');
      fs.mkdirSync(unitDir, { recursive: true });
      for (const unit of units) {
        let text = deployFile(unit);
        if (unit.endsWith('.service')) {
          text = replace(text, '/opt/fastpva', ROOT.replace(/\/$/, ''), unit);
          text = replace(text, '/usr/bin/node', process.execPath, unit);
        }
        fs.writeFileSync(path.join(unitDir, unit), text);
      }
      return unitDir;
    }

    it('pass systemd-analyze verify without a single complaint', async () => {
      const unitDir = render();
      const verify = await run('systemd-analyze', ['verify', ...units.map((u) => path.join(unitDir, u))]);
      expect(verify.stderr).toBe('');
      expect(verify.code).toBe(0);
    });

    it('fastpva.service is hardened (systemd-analyze security)', async () => {
      const unitDir = render();
      const security = await run('systemd-analyze', ['security', '--offline=true', path.join(unitDir, 'fastpva.service')]);
      const score = Number(/Overall exposure level for fastpva\.service: ([\d.]+)/.exec(security.stdout)?.[1]);
      expect(score, security.stdout).toBeLessThanOrEqual(2);
      const unit = deployFile('fastpva.service');
      expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \/opt\/fastpva\/packages\/server\/bin\/fastpva\.js serve$/m);
      for (const line of ['EnvironmentFile=/etc/fastpva/env', 'User=fastpva', 'Restart=on-failure', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ReadWritePaths=/var/lib/fastpva', 'PrivateTmp=yes', 'KillSignal=SIGTERM']) {
        expect(unit).toContain(`\n${line}\n`);
      }
    });

    it('env.example sets only settings the server knows, with the unit\'s database directory', () => {
      const env = deployFile('env.example');
      expect(env).toMatch(/^DATABASE_URL=sqlite:\/var\/lib\/fastpva\/fastpva\.db$/m);
      expect(env).toMatch(/^HOST=127\.0\.0\.1$/m);
      // systemd keeps anything after the value, a "# comment" too.
      for (const line of env.split('\n').filter((l) => /^#?[A-Z_]+=/.test(l))) expect(line).not.toMatch(/\s#/);
    });
  });

  describe('Prometheus rules', () => {
    it('pass promtool check rules', async () => {
      const check = await run('promtool', ['check', 'rules', path.join(DEPLOY, 'prometheus-alerts.yml')]);
      expect(check.stdout + check.stderr).toMatch(/SUCCESS: \d+ rules found/);
      expect(check.code).toBe(0);
    });

    it('name only metrics that the server or the ledger-audit job export', async () => {
      const rules = deployFile('prometheus-alerts.yml').replace(/^\s*#.*$/gm, '');
      const named = new Set([...rules.matchAll(/\b(fastpva_[a-z_]+|http_request_duration_seconds_[a-z]+)\b/g)].map((m) => m[1]!));
      const exported = await (await fetch(`http://127.0.0.1:${serverPort}/metrics`)).text();
      const script = deployFile('ledger-audit.sh');
      for (const metric of named) {
        const base = metric.replace(/_(count|sum|bucket)$/, '');
        const known = new RegExp(`^# TYPE ${base} `, 'm').test(exported) || new RegExp(`^# TYPE ${metric} gauge$`, 'm').test(script);
        expect(known, `${metric} is in deploy/prometheus-alerts.yml but nothing exports it`).toBe(true);
      }
      expect(named.size).toBeGreaterThanOrEqual(8);
    });

    it('fire when they should and stay quiet otherwise (promtool test rules)', async () => {
      // promtool compares annotations too; they are templates checked by `promtool check rules`, so the
      // unit tests run the rules as written minus their annotations.
      const rules = deployFile('prometheus-alerts.yml');
      const stripped = rules.replace(/^( +)annotations:\n(?:\1 .*\n)+/gm, '');
      expect(stripped.match(/- alert:/g)?.length).toBe(rules.match(/- alert:/g)?.length);
      expect(stripped).not.toContain('annotations:');
      const promDir = path.join(dir, 'prom');
      fs.mkdirSync(promDir, { recursive: true });
      fs.writeFileSync(path.join(promDir, 'alerts.yml'), stripped);
      fs.writeFileSync(path.join(promDir, 'test.yml'), PROMTOOL_TESTS);
      const result = await run('promtool', ['test', 'rules', 'test.yml'], { cwd: promDir });
      expect(result.stdout + result.stderr).toContain('SUCCESS');
      expect(result.code).toBe(0);
    });
  });

  describe('ledger-audit.sh', () => {
    const audit = (textfileDir: string) =>
      run(path.join(DEPLOY, 'ledger-audit.sh'), [], { env: { DATABASE_URL: database.url, TEXTFILE_DIR: textfileDir, NODE: process.execPath, LOG_LEVEL: 'warn' } });

    it('writes fastpva_ledger_audit_ok 1 on a consistent ledger and 0 when a balance is off', async () => {
      const textfiles = path.join(dir, 'textfiles');
      fs.mkdirSync(textfiles);
      // No DATABASE_URL: it refuses rather than audit ./data/fastpva.db and report it fine.
      const unset = await run(path.join(DEPLOY, 'ledger-audit.sh'), [], { env: { DATABASE_URL: '', TEXTFILE_DIR: textfiles } });
      expect(unset).toMatchObject({ code: 2, stderr: 'ledger-audit.sh: set DATABASE_URL as for the server\n' });
      expect(fs.readdirSync(textfiles)).toEqual([]);
      const good = await audit(textfiles);
      expect(good.code, good.stderr).toBe(0);
      const metrics = fs.readFileSync(path.join(textfiles, 'fastpva_ledger.prom'), 'utf8');
      expect(metrics).toMatch(/^fastpva_ledger_audit_ok 1$/m);
      const at = Number(/^fastpva_ledger_audit_timestamp_seconds (\d+)$/m.exec(metrics)?.[1]);
      expect(Math.abs(at - Date.now() / 1000)).toBeLessThan(60);
      expect(fs.readdirSync(textfiles)).toEqual(['fastpva_ledger.prom']);

      // Break the books behind the server's back: a balance no transfer explains.
      const raw = new Database(database.url.slice('sqlite:'.length));
      try {
        expect(raw.prepare("update accounts set balance = balance + 1 where kind = 'user'").run().changes).toBeGreaterThan(0);
      } finally {
        raw.close();
      }
      const bad = await audit(textfiles);
      expect(bad.code).not.toBe(0);
      expect(fs.readFileSync(path.join(textfiles, 'fastpva_ledger.prom'), 'utf8')).toMatch(/^fastpva_ledger_audit_ok 0$/m);
    });
  });
});

const PROMTOOL_TESTS = `
rule_files: [alerts.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="fastpva",instance="a"}'
        values: '1 1 0x10'
      - series: 'up{job="fastpva",instance="b"}'
        values: '1x12'
    alert_rule_test:
      - eval_time: 2m
        alertname: FastpvaDown
        exp_alerts: []
      - eval_time: 5m
        alertname: FastpvaDown
        exp_alerts:
          - exp_labels: {severity: critical, job: fastpva, instance: a}

  - interval: 1m
    input_series:
      - series: 'http_request_duration_seconds_count{job="fastpva",instance="a",method="GET",route="/pvapublic/sms/getCode",status_code="200"}'
        values: '0+100x20'
      - series: 'http_request_duration_seconds_count{job="fastpva",instance="a",method="GET",route="/pvapublic/sms/getCode",status_code="503"}'
        values: '0+5x20'
      - series: 'http_request_duration_seconds_count{job="fastpva",instance="b",method="GET",route="/pvapublic/sms/getCode",status_code="200"}'
        values: '0+100x20'
    alert_rule_test:
      - eval_time: 15m
        alertname: FastpvaHigh5xxRate
        exp_alerts:
          - exp_labels: {severity: warning}

  - interval: 1m
    input_series:
      - series: 'http_request_duration_seconds_count{job="fastpva",instance="a",method="GET",route="/healthz",status_code="200"}'
        values: '0+1000x20'
      - series: 'http_request_duration_seconds_count{job="fastpva",instance="a",method="GET",route="/healthz",status_code="500"}'
        values: '0+1x20'
    alert_rule_test:
      - eval_time: 15m
        alertname: FastpvaHigh5xxRate
        exp_alerts: []

  - interval: 1m
    input_series:
      - series: 'fastpva_ledger_audit_ok{job="node",instance="n"}'
        values: '1 1 0 0'
      - series: 'fastpva_ledger_audit_timestamp_seconds{job="node",instance="n"}'
        values: '0x300'
    alert_rule_test:
      - eval_time: 1m
        alertname: FastpvaLedgerAuditFailed
        exp_alerts: []
      - eval_time: 3m
        alertname: FastpvaLedgerAuditFailed
        exp_alerts:
          - exp_labels: {severity: critical, job: node, instance: n}
      - eval_time: 2h
        alertname: FastpvaLedgerAuditStale
        exp_alerts: []
      - eval_time: 4h
        alertname: FastpvaLedgerAuditStale
        exp_alerts:
          - exp_labels: {severity: warning, job: node, instance: n}

  - interval: 1m
    input_series:
      - series: 'up{job="fastpva",instance="a"}'
        values: '1x240'
    alert_rule_test:
      - eval_time: 4h
        alertname: FastpvaLedgerAuditMissing
        exp_alerts:
          - exp_labels: {severity: warning}

  - interval: 1m
    input_series:
      - series: 'fastpva_numbers_online{job="fastpva",instance="a"}'
        values: '5 0x20'
      - series: 'fastpva_numbers_online{job="fastpva",instance="b"}'
        values: '5 0x20'
    alert_rule_test:
      - eval_time: 5m
        alertname: FastpvaNoNumbersOnline
        exp_alerts: []
      - eval_time: 15m
        alertname: FastpvaNoNumbersOnline
        exp_alerts:
          - exp_labels: {severity: critical}

  - interval: 1m
    input_series:
      - series: 'fastpva_holds_outstanding{job="fastpva",instance="a"}'
        values: '0+2x200'
      - series: 'fastpva_holds_outstanding{job="fastpva",instance="b"}'
        values: '0+2x200'
    alert_rule_test:
      - eval_time: 1h
        alertname: FastpvaHoldsOutstandingGrowing
        exp_alerts: []
      - eval_time: 3h
        alertname: FastpvaHoldsOutstandingGrowing
        exp_alerts:
          - exp_labels: {severity: warning}

  - interval: 1m
    input_series:
      - series: 'fastpva_holds_outstanding{job="fastpva",instance="a"}'
        values: '150x200'
    alert_rule_test:
      - eval_time: 3h
        alertname: FastpvaHoldsOutstandingGrowing
        exp_alerts: []

  - interval: 1m
    input_series:
      - series: 'fastpva_orders_created_total{job="fastpva",instance="a"}'
        values: '0+5x150'
      - series: 'fastpva_orders_ended_total{job="fastpva",instance="a",reason="expire",refunded="true"}'
        values: '0+5x30 150x120'
      - series: 'fastpva_holds_outstanding{job="fastpva",instance="a"}'
        values: '50x150'
    alert_rule_test:
      - eval_time: 1h
        alertname: FastpvaOrdersNotEnding
        exp_alerts: []
      - eval_time: 150m
        alertname: FastpvaOrdersNotEnding
        exp_alerts:
          - exp_labels: {severity: critical}

  - interval: 1m
    input_series:
      - series: 'fastpva_sms_received_total{job="fastpva",instance="a",source="push",matched="false"}'
        values: '0+2x60'
      - series: 'fastpva_sms_received_total{job="fastpva",instance="a",source="push",matched="true"}'
        values: '0+3x60'
      - series: 'fastpva_sms_received_total{job="fastpva",instance="b",source="push",matched="true"}'
        values: '0+6x60'
    alert_rule_test:
      - eval_time: 60m
        alertname: FastpvaSmsNotMatchedRising
        exp_alerts: []

  - interval: 1m
    input_series:
      - series: 'fastpva_sms_received_total{job="fastpva",instance="a",source="push",matched="false"}'
        values: '0+4x60'
      - series: 'fastpva_sms_received_total{job="fastpva",instance="a",source="push",matched="true"}'
        values: '0+3x60'
    alert_rule_test:
      - eval_time: 60m
        alertname: FastpvaSmsNotMatchedRising
        exp_alerts:
          - exp_labels: {severity: warning}
`;
