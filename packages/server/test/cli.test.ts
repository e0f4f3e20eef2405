// The `fastpva` command as an operator runs it: the built binary, real processes, a real database.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliJson, runCli, startCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/databases.js';

describe('fastpva CLI', () => {
  let database: TestDatabase;
  let db: string[];
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    db = ['--db', database.url];
  });
  afterAll(async () => database?.drop());

  it('migrates once, then reports the database up to date', async () => {
    expect(await cliJson(['migrate', ...db])).toEqual({ applied: ['0001_init', '0002_fair_use', '0003_admin_lookups'] });
    expect(await cliJson(['migrate', ...db])).toEqual({ applied: [] });
  });

  it('creates users, projects and suppliers as DESIGN §4 says', async () => {
    const user = await cliJson(['admin', 'user', 'create', '--username', 'alice', '--password', 'a long password', '--balance', '250', ...db]);
    expect(Object.keys(user)).toEqual(['id', 'username', 'apikey']);
    expect(user).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{24}$/), username: 'alice', apikey: expect.stringMatching(/^[0-9a-f]{32}$/) });

    const project = await cliJson(['admin', 'project', 'create', '--name', 'Depop-C6', '--country', 'GB=30', '--country', 'nl=12', '--channel', '6', ...db]);
    expect(project).toMatchObject({ myPid: 1000, enname: 'Depop-C6', channel: 6, supportCountry: true, sellingPrice: 12, countryPrices: { GB: 30, NL: 12 } });
    expect(await cliJson(['admin', 'project', 'create', '--name', 'Gmail-4', '--price', '14', '--channel', '4', '--my-pid', '4561', ...db])).toMatchObject({ myPid: 4561 });

    const supplier = await cliJson(['admin', 'supplier', 'create', '--name', 'GoIP rack', '--channel', '4', '--channel', '6', ...db]);
    expect(supplier).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{24}$/), key: expect.stringMatching(/^[0-9a-f]{32}$/), channels: [4, 6] });

    expect(await cliJson(['admin', 'user', 'adjust', '--username', 'alice', '--amount=-50', '--note', 'chargeback', ...db])).toEqual({ username: 'alice', balance: 200 });
    expect(await cliJson(['admin', 'user', 'price', '--username', 'alice', '--project', '4561', '--price', '9', ...db])).toEqual({ username: 'alice', myPid: 4561, price: 9 });
    const rotated = await cliJson<{ apikey: string }>(['admin', 'user', 'rotate-key', '--username', 'alice', ...db]);
    expect(rotated.apikey).not.toBe(user.apikey);
    expect(await cliJson(['admin', 'ledger', 'audit', ...db])).toMatchObject({ ok: true, total: 0 });
  });

  it('explains mistakes with an exit code a script can test', async () => {
    const duplicate = await runCli(['admin', 'user', 'create', '--username', 'alice', ...db]);
    expect(duplicate).toMatchObject({ code: 1, stderr: 'fastpva: The username alice is taken\n' });
    const usage = await runCli(['admin', 'project', 'create', '--name', 'X', '--price', 'ten', ...db]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^fastpva: --price: a whole number of cents\n\nUsage: fastpva/);
    expect((await runCli(['admin', 'project', 'create', '--name', 'X', ...db])).stderr).toMatch(/give --price CENTS/);
    expect((await runCli(['admin', 'user', 'create', '--bogus', ...db])).code).toBe(2);
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const help = await runCli(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: fastpva <command>/);
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
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
      await demoDb.drop();
    }
  });
});
