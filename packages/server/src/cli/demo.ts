// `fastpva demo`: a ready platform in one command. A seeded catalogue, a demo user with money, and a
// simulated SIM bank that answers every order with a realistic SMS a few seconds later, pushed
// through the real supplier API, so the whole path (push -> code extraction -> charge) runs.
import { randomInt, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { loadConfig } from '../config.js';
import { withoutChannel } from '../domain/otp/services.js';
import type { Platform } from '../domain/platform.js';
import { parseDatabaseUrl } from '../store/dialect.js';
import { tryLock, type FileLock } from '../store/file-lock.js';
import { option, text } from './args.js';
import { command, Refused } from './command.js';
import { closeOnSignal, SERVER_FLAGS, serverOverrides } from './serve.js';

const DEMO_DB = 'sqlite:./data/demo.db';

const CATALOGUE: { enname: string; channel: number; price?: number; countryPrices?: Record<string, number> }[] = [
  { enname: 'Telegram-C6', channel: 6, countryPrices: { GB: 30, NL: 12, FR: 38, DE: 25, US: 45 } },
  { enname: 'WhatsApp-C6', channel: 6, countryPrices: { GB: 50, NL: 35, DE: 40, US: 60 } },
  { enname: 'Depop-C6', channel: 6, countryPrices: { GB: 30, NL: 12, FR: 38 } },
  { enname: 'Tinder-C6', channel: 6, price: 25 },
  { enname: 'Gmail-4', channel: 4, price: 14 },
  { enname: 'Discord-4', channel: 4, price: 10 },
];

/** Fictional-range numbers (Ofcom drama range, NANP 555-01xx, ...), five per country. */
const NUMBERS = [
  ...[...Array(5)].map((_, i) => ({ number: `4477009001${i}0`, country: 'GB', operator: 'vodafone' })),
  ...[...Array(5)].map((_, i) => ({ number: `3161234500${i}`, country: 'NL', operator: 'kpn' })),
  ...[...Array(5)].map((_, i) => ({ number: `3361234500${i}`, country: 'FR', operator: 'orange' })),
  ...[...Array(5)].map((_, i) => ({ number: `4915112345${i}0`, country: 'DE', operator: 'telekom' })),
  ...[...Array(5)].map((_, i) => ({ number: `120155501${i}0`, country: 'US', operator: 'tmobile' })),
];

/** What each service's real verification SMS looks like. */
function smsFor(service: string): { from: string; text: string } {
  const digits = (n: number) => String(randomInt(10 ** (n - 1), 10 ** n));
  switch (service.toLowerCase()) {
    case 'telegram': {
      const code = digits(5);
      return { from: 'Telegram', text: `Telegram code: ${code}\n\nYou can also tap on this link to log in:\nhttps://t.me/login/${code}` };
    }
    case 'whatsapp': {
      const code = digits(6);
      return { from: 'WhatsApp', text: `Your WhatsApp code: ${code.slice(0, 3)}-${code.slice(3)}\n\nDon't share this code with others` };
    }
    case 'gmail':
      return { from: 'Google', text: `G-${digits(6)} is your Google verification code.` };
    case 'depop':
      return { from: 'Depop', text: `Your Depop verification code is ${digits(4)}. It expires in 10 minutes.` };
    case 'tinder':
      return { from: 'Tinder', text: `Your Tinder code is ${digits(6)}. Don't share it.` };
    case 'discord':
      return { from: 'Discord', text: `Your Discord verification code is: ${digits(6)}` };
    default:
      return { from: service, text: `Your ${service} verification code is ${digits(6)}` };
  }
}

export interface DemoSeed {
  apiKey: string;
  supplierKey: string;
  projects: { myPid: number; enname: string }[];
}

export async function seedDemo(platform: Platform): Promise<DemoSeed> {
  const projects = [];
  for (const p of CATALOGUE) {
    const created = await platform.catalog.createProject({ enname: p.enname, channel: p.channel, price: p.price, countryPrices: p.countryPrices });
    projects.push({ myPid: created.myPid, enname: created.enname });
  }
  const user = await platform.users.create({ username: 'demo', password: 'demo-password', balance: 10_000, email: 'demo@example.com' });
  const supplier = await platform.suppliers.create({ name: 'Demo SIM bank', channels: [4, 6] });
  await platform.suppliers.registerNumbers(supplier.id, NUMBERS);
  await platform.suppliers.setOnline(supplier.id, NUMBERS.map((n) => n.number));
  return { apiKey: user.apiKey, supplierKey: supplier.key, projects };
}

/**
 * The simulated SIM bank: every new order gets a service-shaped SMS after 2 to 5 seconds, and the
 * online set is reported every minute, as the heartbeat wants.
 */
export function simulateSupplier(platform: Platform, baseUrl: string, supplierKey: string): () => void {
  const timers = new Set<NodeJS.Timeout>();
  const heartbeat = setInterval(() => {
    fetch(`${baseUrl}/supplier/v1/numbers/online`, {
      method: 'POST',
      headers: { authorization: `Bearer ${supplierKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ numbers: NUMBERS.map((n) => n.number) }),
    }).catch((error: unknown) => console.error('simulated supplier could not report its numbers online:', error));
  }, 60_000);
  const off = platform.events.on('order.created', (order) => {
    const timer = setTimeout(async () => {
      timers.delete(timer);
      try {
        const project = await platform.catalog.view(order.projectId);
        const sms = smsFor(withoutChannel(project.enname));
        await fetch(`${baseUrl}/supplier/v1/sms`, {
          method: 'POST',
          headers: { authorization: `Bearer ${supplierKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ id: randomUUID(), to: order.number, from: sms.from, text: sms.text, receivedAt: new Date().toISOString() }),
        });
      } catch (error) {
        console.error('simulated supplier could not push its SMS:', error);
      }
    }, randomInt(2000, 5000));
    timers.add(timer);
  });
  return () => {
    off();
    clearInterval(heartbeat);
    for (const timer of timers) clearTimeout(timer);
  };
}

export const demo = command({
  name: 'demo',
  summary: 'a seeded platform with a simulated SIM bank that answers every order with an SMS',
  details: [
    `Without --db the demo runs on ${DEMO_DB}, which it starts afresh each run; a second demo on it is`,
    'refused while the first runs. With --db it seeds that database, which must be empty.',
  ].join('\n'),
  flags: {
    ...SERVER_FLAGS,
    host: option('H', 'the interface to listen on', text, '127.0.0.1'),
  },
  async run(o, io) {
    const databaseUrl = o.db ?? DEMO_DB;
    const config = loadConfig(io.env, { ...serverOverrides(o), databaseUrl, logLevel: 'warn' });
    let lock: FileLock | undefined;
    if (o.db === undefined) {
      // The demo's own file starts afresh each run, so the key printed below is the one that works;
      // the lock keeps a second demo from deleting it under a running one.
      const { target } = parseDatabaseUrl(databaseUrl);
      lock = tryLock(`${target}.lock`);
      if (!lock) {
        throw new Refused(`Another fastpva demo is running on ${databaseUrl}: stop it (Ctrl+C in its terminal), or run this one with --db sqlite:./data/demo2.db --port 8081`);
      }
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${target}${suffix}`, { force: true });
    }
    const { startServer } = await import('../server.js');
    const server = await startServer(config);
    if ((await server.platform.users.count()) > 0) {
      await server.close();
      throw new Refused(`${databaseUrl} already has users: the demo seeds an empty database; give a new file with --db, or leave --db out`);
    }
    const seed = await seedDemo(server.platform);
    const stopSimulator = simulateSupplier(server.platform, server.url, seed.supplierKey);
    closeOnSignal(async () => {
      stopSimulator();
      await server.close();
      lock?.release();
    });
    const telegram = seed.projects[0]!;
    const base = `${server.url}/pvapublic`;
    return {
      json: { url: server.url, database: databaseUrl, apikey: seed.apiKey, supplierKey: seed.supplierKey, projects: seed.projects },
      text: [
        `fastpva demo running at ${server.url} (database ${databaseUrl})`,
        '',
        `Demo user "demo" (password demo-password) with $100.00. API key: ${seed.apiKey}`,
        `Projects: ${seed.projects.map((p) => `${p.enname}=${p.myPid}`).join(', ')}`,
        '',
        'A simulated SIM bank answers every order with an SMS 2 to 5 seconds later. Try:',
        `  curl -s '${base}/sms/getNumber?myPid=${telegram.myPid}&locale=GB&apikey=${seed.apiKey}'`,
        `  curl -s '${base}/sms/getCode?orderId=<orderId from above>&apikey=${seed.apiKey}'`,
        `  curl -s '${base}/user/info?apikey=${seed.apiKey}'`,
        '',
        'Look inside with the admin commands, from another terminal:',
        `  npx fastpva admin order list --db ${databaseUrl}`,
        `  npx fastpva admin user list --db ${databaseUrl}`,
        '',
        `Press Ctrl+C to stop.${o.db === undefined ? ' The next demo starts from a fresh database.' : ''}`,
      ].join('\n'),
    };
  },
});
