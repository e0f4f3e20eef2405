// The `fastpva` command as an operator runs it: the built binary (real processes, real databases) where
// start-up matters, main() in this process for the rest. Admin commands: admin-cli.test.ts.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/main.js';
import { Store } from '../src/store/store.js';
import { MIGRATION_NAMES } from '../src/store/migrate.js';
import { cliJson, hereJson, runCli, runHere, startCli } from './helpers/cli.js';
import { ADMIN_URL, createTestDatabase, DIALECTS, type TestDatabase } from './helpers/databases.js';

/** One line on stderr, nothing else: no stack trace. */
const ONE_LINE = /^fastpva: [^\n]+\n$/;

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('fastpva CLI', () => {
  let database: TestDatabase;
  let db: string[];
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    db = ['--db', database.url];
  });
  afterAll(async () => database?.drop());

  it('migrates once, then reports the database up to date', async () => {
    expect(await cliJson(['migrate', ...db])).toEqual({ applied: [...MIGRATION_NAMES] });
    expect(await cliJson(['migrate', ...db])).toEqual({ applied: [] });
  });

  it('creates users, projects and suppliers as DESIGN §4 says', async () => {
    const user = await hereJson(['admin', 'user', 'create', '--username', 'alice', '--password', 'a long password', '--balance', '250', ...db]);
    expect(Object.keys(user)).toEqual(['id', 'username', 'apikey']);
    expect(user).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{24}$/), username: 'alice', apikey: expect.stringMatching(/^[0-9a-f]{32}$/) });

    const project = await hereJson(['admin', 'project', 'create', '--name', 'Depop-C6', '--country', 'GB=30', '--country', 'nl=12', '--channel', '6', ...db]);
    expect(project).toMatchObject({ myPid: 1000, enname: 'Depop-C6', channel: 6, supportCountry: true, sellingPrice: 12, countryPrices: { GB: 30, NL: 12 } });
    expect(await hereJson(['admin', 'project', 'create', '--name', 'Gmail-4', '--price', '14', '--channel', '4', '--my-pid', '4561', ...db])).toMatchObject({ myPid: 4561 });

    const supplier = await hereJson(['admin', 'supplier', 'create', '--name', 'GoIP rack', '--channel', '4', '--channel', '6', ...db]);
    expect(supplier).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{24}$/), key: expect.stringMatching(/^[0-9a-f]{32}$/), channels: [4, 6] });

    expect(await hereJson(['admin', 'user', 'adjust', '--username', 'alice', '--amount=-50', '--note', 'chargeback', ...db])).toEqual({ username: 'alice', balance: 200 });
    expect(await hereJson(['admin', 'user', 'adjust', '--username', 'alice', '--amount', '-20', ...db])).toEqual({ username: 'alice', balance: 180 });
    expect(await hereJson(['admin', 'user', 'price', '--username', 'alice', '--project', '4561', '--price', '9', ...db])).toEqual({ username: 'alice', myPid: 4561, price: 9 });
    const rotated = await hereJson<{ apikey: string }>(['admin', 'user', 'rotate-key', '--username', 'alice', ...db]);
    expect(rotated.apikey).not.toBe(user.apikey);
    expect(await hereJson(['admin', 'ledger', 'audit', ...db])).toMatchObject({ ok: true, total: 0 });
  });

  it('refuses mistakes with one line that says what to do, and an exit code a script can test', async () => {
    // The built binary: exit codes as a shell sees them.
    expect(await runCli(['admin', 'user', 'create', '--username', 'alice', ...db])).toMatchObject({ code: 1, stdout: '', stderr: 'fastpva: The username alice is taken\n' });
    const usage = await runCli(['admin', 'project', 'create', '--name', 'X', '--price', 'ten', ...db]);
    expect(usage).toMatchObject({ code: 2, stderr: 'fastpva: --price ten: not a whole number of cents (see `fastpva admin project create --help`)\n' });
    expect((await runCli(['frobnicate'])).code).toBe(2);

    const mistakes: [string[], string][] = [
      [['admin', 'project', 'create', '--name', 'X'], 'give --price CENTS, or --country CC=CENTS'],
      [['admin', 'project', 'create', '--name', 'X', '--price', '5', '--country', 'GB=5'], 'give --price or --country, not both'],
      [['admin', 'project', 'create', '--name', 'X', '--country', 'ZZ=5'], '--country ZZ=5: ZZ is not an ISO 3166 country code'],
      [['admin', 'project', 'create', '--name', 'X', '--price', '-5'], '--price -5: cannot be negative'],
      [['admin', 'user', 'create', '--username', 'bob', '--balance', '200000000'], '--balance 200000000: at most 100000000 cents'],
      [['admin', 'user', 'create', '--username', 'bob', '--email', 'bob@'], '--email bob@: not an email address'],
      [['admin', 'user', 'create', '--username', 'bob', '--role', 'boss'], '--role boss: either user or admin'],
      [['admin', 'user', 'create', '--bogus'], 'unknown flag --bogus'],
      [['admin', 'user', 'create'], '--username U is missing'],
      [['admin', 'user', 'create', '--username'], '--username needs a value (U)'],
      [['admin', 'user', 'create', '--username', 'bob', 'extra'], 'unexpected "extra": every value follows its flag'],
      [['admin', 'user', 'create', '--username', 'a', '--username', 'b'], '--username is given 2 times; give it once'],
      [['admin', 'user', 'show', '--json=yes', '--username', 'a'], '--json takes no value'],
      [['admin', 'user', 'price', '--username', 'alice', '--project', '4561'], 'give --price CENTS or --clear'],
      [['admin', 'user'], '`fastpva admin user` needs a command: one of list, show, create, disable, enable, limits, rotate-key, adjust, price'],
      [['admin', 'user', 'frob'], 'unknown command `fastpva admin user frob`: one of list, show, create'],
      [['frobnicate'], 'unknown command `fastpva frobnicate`: one of serve, migrate, demo, extract-code, backup, restore, supplier, admin'],
    ];
    for (const [args, message] of mistakes) {
      const result = await runHere([...args, ...db]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(ONE_LINE);
      expect(result.stderr).toContain(`fastpva: ${message}`);
    }

    // With --json the error is JSON on stdout.
    const json = await runHere(['admin', 'user', 'create', '--username', 'alice', '--json', ...db]);
    expect(json).toEqual({ code: 1, stdout: '{"error":{"code":"already_exists","message":"The username alice is taken"}}\n', stderr: '' });
    expect(JSON.parse((await runHere(['admin', 'user', 'create', '--bogus', '--json'])).stdout)).toEqual({
      error: { code: 'usage', message: 'unknown flag --bogus (see `fastpva admin user create --help`)' },
    });
  });

  it('reports an unexpected error in one line, and its stack only with DEBUG=1', async () => {
    const broken = await createTestDatabase('sqlite');
    try {
      const store = await Store.open(broken.url);
      await store.kysely.deleteFrom('accounts').where('kind', '=', 'revenue').execute();
      await store.close();
      const result = await runHere(['admin', 'ledger', 'audit', '--db', broken.url], { env: { DEBUG: '' } });
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: 'fastpva: Unexpected error: The revenue account is missing: run the migrations (run again with DEBUG=1 to see where it happened)\n',
      });
      const debug = await runHere(['admin', 'ledger', 'audit', '--db', broken.url], { env: { DEBUG: '1' } });
      expect(debug.stderr).toMatch(/\n {4}at /);
    } finally {
      await broken.drop();
    }
  });

  it('explains every command, its flags and every group with --help, and prints its version', async () => {
    for (const command of COMMANDS) {
      const help = await runHere([...command.name.split(' '), '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout.startsWith(`Usage: fastpva ${command.name} `)).toBe(true);
      for (const flag of [...Object.keys(command.flags), 'json', 'help']) expect(help.stdout, command.name).toContain(`--${flag}`);
    }
    expect((await runHere(['admin', 'user', 'create', '-h'])).stdout).toMatch(/--username U +3 to 64 letters/);
    expect((await runHere(['admin', 'project', 'update', '--help'])).stdout).toContain('--country CC=CENTS ...');
    const top = await runHere(['--help']);
    expect(top.stdout).toMatch(/^Usage: fastpva <command> \[flags\]/);
    expect(top.stdout).toContain('admin number            The number pool: list, show, transfer, remove');
    expect(top.stdout).toContain('Exit codes: 0 done, 1 refused or failed, 2 wrong command line');
    expect((await runHere([])).stdout).toBe(top.stdout);
    expect((await runHere(['admin', '--help'])).stdout).toContain('admin supplier          Suppliers, their channels, share, keys and payouts: list, show, create, rotate-key');
    expect((await runHere(['admin', 'order', '--help'])).stdout).toMatch(/admin order show +one order with every SMS/);

    const { version } = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('extracts codes from JSON lines on stdin with the server function', async () => {
    const input = [
      JSON.stringify({ text: 'Telegram code 56032', project: 'Telegram-C6' }),
      JSON.stringify({ text: 'G-743499 is your Google verification code.' }),
      JSON.stringify({ text: 'Your order has shipped. Thanks for shopping!' }),
      'not json',
      '',
    ].join('\n');
    const result = await runCli(['extract-code'], { input });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      '{"code":"56032"}\n{"code":"743499"}\n{"code":null}\n{"code":null,"error":"expected a JSON object with a \\"text\\" string"}\n',
    );
  });

  it('tells the operator what to do when it starts on an empty database', async () => {
    const empty = await createTestDatabase('sqlite');
    const { child } = await startCli(['serve', '--port', '0', '--host', '127.0.0.1', '--db', empty.url], /^ {2}npx fastpva admin user create/);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    await empty.drop();
  });

  it('fails to start with one line that names the cause and the fix', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastpva-start-'));
    const sqlite = `sqlite:${path.join(dir, 'fastpva.db')}`;
    const busy = net.createServer().listen(0, '127.0.0.1');
    await once(busy, 'listening');
    const busyPort = (busy.address() as net.AddressInfo).port;
    const missing = new URL(ADMIN_URL);
    missing.pathname = '/fastpva_no_such_database';
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'not a folder');
    try {
      const cases: [string[], NodeJS.ProcessEnv, number, RegExp][] = [
        [['serve'], { PORT: 'abc' }, 2, /^fastpva: PORT=abc: not a whole number \(fix the environment variable\)\n$/],
        [['serve'], { PORT: '70000' }, 2, /^fastpva: PORT=70000: at most 65535 /],
        [['serve', '--port', '70000'], {}, 2, /^fastpva: --port 70000: at most 65535 /],
        [['demo'], { PORT: 'abc' }, 2, /^fastpva: PORT=abc: not a whole number/],
        [['serve', '--port', String(busyPort), '--host', '127.0.0.1'], {}, 1, new RegExp(`^fastpva: Port ${busyPort} is in use \\(127\\.0\\.0\\.1:${busyPort}\\): stop what is using it, or choose another port with --port or PORT\\n$`)],
        [['serve', '--db', 'mysql://localhost/fastpva'], {}, 1, /^fastpva: Unsupported database URL mysql:\/\/localhost\/fastpva: use sqlite:.\/file.db or postgres:/],
        [['serve', '--db', `sqlite:${file}/fastpva.db`], {}, 1, /^fastpva: .*a-file is not a folder: choose another file for the SQLite database with --db or DATABASE_URL\n$/],
        [['serve', '--db', 'sqlite:/sys/fastpva.db'], {}, 1, /^fastpva: Cannot write the SQLite database \/sys\/fastpva.db \(SQLITE_CANTOPEN\): make \/sys writable, or choose another file/],
        [['serve'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/fastpva' }, 1, /^fastpva: Postgres is not running at 127\.0\.0\.1:1 \(connection refused\): start it, or fix the database URL \(DATABASE_URL or --db\)\n$/],
      ];
      if (DIALECTS.includes('postgres')) {
        cases.push([['migrate', '--db', missing.toString()], {}, 1, /^fastpva: Postgres at .* has no database fastpva_no_such_database: create it with `createdb fastpva_no_such_database`\n$/]);
      }
      for (const [args, env, code, message] of cases) {
        const result = await runCli(args, { env: { DATABASE_URL: sqlite, PORT: '0', ...env }, cwd: dir });
        expect(result.code, `${args.join(' ')} ${JSON.stringify(env)}: ${result.stderr}`).toBe(code);
        expect(result.stderr).toMatch(ONE_LINE);
        expect(result.stderr).toMatch(message);
      }
    } finally {
      busy.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs a demo whose simulated SIM bank answers an order with a code within seconds', async () => {
    const demoDb = await createTestDatabase('sqlite');
    const { child, line } = await startCli(['demo', '--port', '0', '--db', demoDb.url, '--json'], /^\{"url"/);
    try {
      const demo = JSON.parse(line) as { url: string; apikey: string; projects: { myPid: number; enname: string }[] };
      const telegram = demo.projects.find((p) => p.enname === 'Telegram-C6')!;
      const base = `${demo.url}/pvapublic`;
      const taken = (await (await fetch(`${base}/sms/getNumber?myPid=${telegram.myPid}&locale=GB&apikey=${demo.apikey}`)).json()) as any;
      expect(taken.code).toBe(1);
      let reply: any;
      const deadline = Date.now() + 15_000;
      do {
        await new Promise((r) => setTimeout(r, 250));
        reply = await (await fetch(`${base}/sms/getCode?orderId=${taken.data.orderId}&apikey=${demo.apikey}`)).json();
      } while (reply.code !== 1 && Date.now() < deadline);
      expect(reply).toMatchObject({ code: 1, data: { code: expect.stringMatching(/^\d{5}$/), number: taken.data.number, balance: 10_000 - 30 } });
      expect(reply.data.content).toContain(reply.data.code);
      // A demo seeds an empty database only.
      const again = await runCli(['demo', '--port', '0', '--db', demoDb.url]);
      expect(again).toMatchObject({ code: 1, stderr: `fastpva: ${demoDb.url} already has users: the demo seeds an empty database; give a new file with --db, or leave --db out\n` });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
      await demoDb.drop();
    }
  });

  it('runs the demo on PORT, says how to look inside, and keeps a second demo off its database', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'fastpva-demo-'));
    const port = await freePort();
    const first = await startCli(['demo'], /npx fastpva admin user list --db sqlite:\.\/data\/demo\.db$/, { cwd, env: { PORT: String(port) } });
    try {
      expect(first.lines[0]).toBe(`fastpva demo running at http://127.0.0.1:${port} (database sqlite:./data/demo.db)`);
      const second = await runCli(['demo'], { cwd, env: { PORT: '0' } });
      expect(second).toMatchObject({
        code: 1,
        stderr:
          'fastpva: Another fastpva demo is running on sqlite:./data/demo.db: stop it (Ctrl+C in its terminal), or run this one with --db sqlite:./data/demo2.db --port 8081\n',
      });
      // The first demo's database is intact, and the printed admin command works on it.
      const users = await runCli(['admin', 'user', 'list', '--db', 'sqlite:./data/demo.db', '--json'], { cwd });
      expect(JSON.parse(users.stdout)).toMatchObject({ count: 1, users: [{ username: 'demo', balance: 10_000 }] });
    } finally {
      first.child.kill('SIGKILL');
      await once(first.child, 'exit');
    }
    // Killed outright, it leaves no stale lock: the next demo starts afresh.
    const next = await startCli(['demo', '--json'], /^\{"url"/, { cwd, env: { PORT: '0' } });
    next.child.kill('SIGTERM');
    expect(await once(next.child, 'exit')).toEqual([0, null]);
    fs.rmSync(cwd, { recursive: true, force: true });
  });
});
