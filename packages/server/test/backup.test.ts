// `fastpva backup` and `fastpva restore` as an operator runs them: a backup taken from a SQLite database
// while a server process writes to it is a consistent prefix of that database and restores into one
// whose ledger balances; and every refusal is one line, exit code 1, with nothing left half done.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform } from '../src/domain/platform.js';
import { Store } from '../src/store/store.js';
import { cliJson, runCli, startCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/databases.js';
import { expectLedgerConsistent, seedUserAndSupplier } from './helpers/platform.js';

const fileOf = (url: string) => url.slice('sqlite:'.length);

async function refused(args: string[], message: RegExp): Promise<void> {
  const result = await runCli(args);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^fastpva: [^\n]+\n$/);
  expect(result.stderr).toMatch(message);
}

async function rows(url: string) {
  const store = await Store.open(url, { migrate: false });
  try {
    await expectLedgerConsistent(await createPlatform(store));
    const db = store.kysely;
    return {
      orders: await db.selectFrom('orders').selectAll().orderBy('id').execute(),
      transfers: await db.selectFrom('transfers').selectAll().orderBy('id').execute(),
      sms: await db.selectFrom('inbound_sms').select(['source_key', 'order_id']).execute(),
    };
  } finally {
    await store.close();
  }
}

describe('fastpva backup and restore', () => {
  let database: TestDatabase;
  let dir: string;
  let server: ChildProcess | undefined;
  let serverUrl: string;
  let seeded: { apiKey: string; supplierKey: string; myPid: number };

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    dir = path.dirname(fileOf(database.url));
    const store = await Store.open(database.url);
    try {
      const platform = await createPlatform(store);
      // Enough numbers for a database of a few MB, so that the copy takes a while.
      const s = await seedUserAndSupplier(platform, { balance: 1_000_000, count: 20_000 });
      const { myPid } = await platform.catalog.createProject({ enname: 'Telegram-C6', price: 7 });
      seeded = { apiKey: s.apiKey, supplierKey: s.supplierKey, myPid };
    } finally {
      await store.close();
    }
    const started = await startCli(['serve', '--port', '0', '--host', '127.0.0.1', '--db', database.url, '--json'], /^\{"url"/, {
      env: { RELEASE_AFTER_SECONDS: '0', RATE_LIMITS: 'off', MAX_ACTIVE_ORDERS: '0' },
    });
    server = started.child;
    serverUrl = (JSON.parse(started.line) as { url: string }).url;
  });

  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGKILL');
      await once(server, 'exit');
    }
    await database?.drop();
  });

  const backupFile = () => path.join(dir, 'backup.db');
  const restoredUrl = () => `sqlite:${path.join(dir, 'restored', 'fastpva.db')}`;

  it('copies a database under write load into a consistent prefix that restores with a balanced ledger', async () => {
    // Orders, SMS and releases from 8 clients; each order notes whether the backup had begun when it
    // was asked for and when it was answered.
    let phase: 'before' | 'during' | 'after' = 'before';
    const acked: { orderId: string; asked: typeof phase; answered: typeof phase }[] = [];
    let sent = 0;
    const load = async () => {
      while (acked.filter((o) => o.asked === 'after').length < 40) {
        const asked = phase;
        const taken = (await (await fetch(`${serverUrl}/pvapublic/sms/getNumber?myPid=${seeded.myPid}&apikey=${seeded.apiKey}`)).json()) as any;
        if (taken.code !== 1) continue;
        acked.push({ orderId: taken.data.orderId, asked, answered: phase });
        if (Math.random() < 0.7) {
          const sms = { id: `m${++sent}`, to: taken.data.number, from: 'Telegram', text: `Telegram code: ${10_000 + sent}` };
          const headers = { authorization: `Bearer ${seeded.supplierKey}`, 'content-type': 'application/json' };
          await fetch(`${serverUrl}/supplier/v1/sms`, { method: 'POST', headers, body: JSON.stringify(sms) });
        }
        if (Math.random() < 0.5) await fetch(`${serverUrl}/pvapublic/sms/releaseNumber?orderId=${taken.data.orderId}&apikey=${seeded.apiKey}`);
      }
    };
    const clients = [...Array(8)].map(load);
    while (acked.length < 40) await new Promise((resolve) => setTimeout(resolve, 10));
    phase = 'during';
    const backup = await cliJson<{ to: string; bytes: number }>(['backup', '--db', database.url, '--to', backupFile()]);
    phase = 'after';
    await Promise.all(clients);
    expect(backup).toMatchObject({ to: backupFile(), bytes: fs.statSync(backupFile()).size });

    expect(await cliJson(['restore', '--from', backupFile(), '--db', restoredUrl()])).toMatchObject({ from: backupFile(), to: fileOf(restoredUrl()), accounts: 4 });
    const restored = await rows(restoredUrl()); // the ledger audit runs first
    const live = await rows(database.url);

    // A prefix: every order acknowledged before the backup began, none asked for after it ended,
    // and the transfers (append-only, numbered in commit order) exactly the live ones up to a point.
    const restoredOrders = new Map(restored.orders.map((o) => [o.public_id, o]));
    for (const o of acked.filter((a) => a.answered === 'before')) expect(restoredOrders.has(o.orderId), o.orderId).toBe(true);
    for (const o of acked.filter((a) => a.asked === 'after')) expect(restoredOrders.has(o.orderId), o.orderId).toBe(false);
    const lastTransfer = restored.transfers.at(-1)!.id;
    expect(restored.transfers).toEqual(live.transfers.filter((t) => t.id <= lastTransfer));
    expect(restored.orders.length).toBeLessThan(live.orders.length);

    // Consistent: every order has its hold, resolved as the order's state says, and the SMS that charged it.
    const holds = new Map(restored.transfers.filter((t) => t.kind === 'hold').map((t) => [t.id, t]));
    const resolved = new Map(restored.transfers.filter((t) => t.pending_id !== null).map((t) => [t.pending_id, t.kind]));
    const smsOf = new Set(restored.sms.map((s) => s.order_id));
    for (const o of restored.orders) {
      expect(holds.get(o.hold_id!)?.amount, o.public_id).toBe(7);
      expect(resolved.get(o.hold_id!), o.public_id).toBe(o.sms_status === 'received' ? 'charge' : o.sms_status === 'failed' ? 'refund' : undefined);
      expect(smsOf.has(o.id), o.public_id).toBe(o.sms_status === 'received');
    }
  });

  it('refuses to overwrite a file, and points Postgres at pg_dump', async () => {
    const before = fs.readFileSync(backupFile());
    await refused(['backup', '--db', database.url, '--to', backupFile()], /already exists; a backup never overwrites/);
    expect(fs.readFileSync(backupFile()).equals(before)).toBe(true);
    await refused(['backup', '--db', `sqlite:${path.join(dir, 'missing.db')}`, '--to', path.join(dir, 'b.db')], /There is no database at/);
    const pg = await runCli(['backup', '--db', 'postgres://postgres@127.0.0.1:5432/shop', '--to', 'shop.dump']);
    expect(pg).toMatchObject({
      code: 1,
      stderr: 'fastpva: PostgreSQL is backed up with pg_dump, online and consistent: pg_dump --format=custom --file=shop.dump postgres://postgres@127.0.0.1:5432/shop\n',
    });
    await refused(['restore', '--from', 'shop.dump', '--db', 'postgres://postgres@127.0.0.1:5432/shop'], /pg_restore --clean --if-exists --no-owner --single-transaction/);
  });

  it('restores only a fastpva database whose ledger balances, into a database no server has open', async () => {
    const target = path.join(dir, 'restored', 'fastpva.db');
    const garbage = path.join(dir, 'garbage.db');
    fs.writeFileSync(garbage, 'not a database at all, just text long enough to look like a file');
    await refused(['restore', '--from', garbage, '--db', restoredUrl()], /garbage\.db is not a SQLite database; nothing was restored/);

    const foreign = path.join(dir, 'foreign.db');
    new Database(foreign).exec('create table notes (text)').close();
    await refused(['restore', '--from', foreign, '--db', restoredUrl()], /has no migrations table, so it is not a fastpva database/);

    const tampered = path.join(dir, 'tampered.db');
    fs.copyFileSync(backupFile(), tampered);
    new Database(tampered).exec(`update accounts set balance = balance + 1 where kind = 'revenue'`).close();
    await refused(['restore', '--from', tampered, '--db', restoredUrl()], /The ledger in .*tampered\.db does not balance \(1 accounts differ/);

    // The live database is open in the server: refused, whatever the backup.
    await refused(['restore', '--from', backupFile(), '--db', database.url], /is open in another process \(a running server\?\); stop it/);

    // Each refusal left the restored database as it was, and no copy behind.
    expect((await rows(restoredUrl())).orders.length).toBeGreaterThan(0);
    expect(fs.readdirSync(path.dirname(target)).filter((f) => !f.startsWith('fastpva.db'))).toEqual([]);

    // Once the server is gone (killed: its WAL and shared memory stay behind, and must not be replayed
    // into the restored file), the backup replaces the live database.
    server!.kill('SIGKILL');
    await once(server!, 'exit');
    expect(await cliJson(['restore', '--from', backupFile(), '--db', database.url])).toMatchObject({ to: fileOf(database.url) });
    expect(await rows(database.url)).toEqual(await rows(restoredUrl()));
    expect(fs.readdirSync(dir).filter((f) => f.includes('.restore') || f.includes('.partial'))).toEqual([]);
  });
});
