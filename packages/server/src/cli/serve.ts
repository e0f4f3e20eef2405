// `fastpva serve` and `fastpva migrate`: the two commands that may create a database.
import cluster from 'node:cluster';
import { ConfigError, loadConfig, PORT, wholeNumber, type ServerConfig } from '../config.js';
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from '../store/dialect.js';
import { Store } from '../store/store.js';
import { option, text } from './args.js';
import { command } from './command.js';
import { DATABASE_FLAG, databaseUrl } from './database.js';

/** Stops the server cleanly on Ctrl+C or a service manager's TERM, letting requests in flight finish. */
export function closeOnSignal(close: () => Promise<void>): void {
  const stop = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export const SERVER_FLAGS = {
  port: option('N', 'the HTTP port (default: $PORT, else 8080; 0 picks a free one)', PORT),
  host: option('H', 'the interface to listen on (default: $HOST, else 0.0.0.0)', text),
  db: DATABASE_FLAG,
};

/** The flags given, over the environment. */
export function serverOverrides(o: { port: number | undefined; host: string | undefined; db: string | undefined }): Partial<ServerConfig> {
  return {
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.host !== undefined ? { host: o.host } : {}),
    ...(o.db !== undefined ? { databaseUrl: o.db } : {}),
  };
}

/** The most worker processes --workers starts: far above any core count it makes sense for. */
const MAX_WORKERS = 256;

/**
 * `--workers N`: N server processes on one port (node:cluster hands each connection to one of them),
 * for a Postgres database; SQLite serves one process, whose group commit is what makes it fast.
 */
async function startWorkers(config: ServerConfig, workers: number): Promise<{ json: Record<string, unknown>; text: string }> {
  if (parseDatabaseUrl(config.databaseUrl).dialect !== 'postgres') {
    throw new ConfigError('--workers needs a Postgres database (DATABASE_URL=postgres://...): SQLite is served by one process, which already uses the cores SQLite can');
  }
  // Migrations once, before the workers race to apply them.
  await (await Store.open(config.databaseUrl)).close();
  // Workers print nothing on stdout (the primary announces them); their logs go to stderr as usual.
  cluster.setupPrimary({ stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const started = [...Array(workers)].map(
    () =>
      new Promise<string>((resolve, reject) => {
        const worker = cluster.fork();
        worker.once('message', (message: { url?: string }) => (message.url ? resolve(message.url) : reject(new Error('a worker failed to start'))));
        worker.once('exit', (code) => reject(new Error(`a worker exited with ${code} while starting`)));
      }),
  );
  const urls = await Promise.all(started).catch((error: unknown) => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    throw error;
  });
  // A worker that dies later is replaced; the others keep serving meanwhile.
  let closing = false;
  cluster.on('exit', (_worker, code, signal) => {
    if (closing) return;
    console.error(`fastpva: a worker exited (${signal ?? code}); starting another`);
    cluster.fork();
  });
  closeOnSignal(async () => {
    closing = true;
    const workersLeft = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    await Promise.all(workersLeft.map((w) => new Promise<void>((resolve) => (w.once('exit', () => resolve()), w.kill('SIGTERM')))));
  });
  const url = urls[0]!;
  return { json: { url, database: 'postgres', workers }, text: `fastpva listening on ${url} (postgres, ${workers} worker processes)` };
}

export const serve = command({
  name: 'serve',
  summary: 'run the server; creates the database and applies migrations on start',
  flags: {
    ...SERVER_FLAGS,
    workers: option('N', `server processes sharing the port (Postgres only; default 1, at most ${MAX_WORKERS})`, wholeNumber(1, MAX_WORKERS)),
  },
  async run(o, io) {
    const config = loadConfig(io.env, serverOverrides(o));
    if (o.workers !== undefined && o.workers > 1 && cluster.isPrimary) return startWorkers(config, o.workers);
    // Loaded here: the other commands need not pay for Fastify.
    const { startServer } = await import('../server.js');
    const server = await startServer(config);
    closeOnSignal(server.close);
    if (cluster.isWorker) process.send!({ url: server.url });
    const database = server.platform.store.dialect.name;
    const users = await server.platform.users.count();
    const db = config.databaseUrl === DEFAULT_DATABASE_URL ? '' : ` --db ${config.databaseUrl}`;
    const hint =
      users > 0
        ? ''
        : [
            '',
            'The database is empty. Next steps:',
            `  npx fastpva admin user create --username alice --password "a long password" --balance 1000${db}`,
            `  npx fastpva admin project create --name Telegram --price 30${db}`,
            `  npx fastpva admin supplier create --name "My SIM bank"${db}`,
            'then register numbers with the supplier push API (README, "Supplier push API"), or try `npm run demo`.',
          ].join('\n');
    const smpp = server.smppPort === undefined ? {} : { smppPort: server.smppPort };
    const smppText = server.smppPort === undefined ? '' : `, SMPP on port ${server.smppPort}`;
    return { json: { url: server.url, database, ...smpp }, text: `fastpva listening on ${server.url} (${database})${smppText}${hint}` };
  },
});

export const migrate = command({
  name: 'migrate',
  summary: 'create the database if needed, apply pending migrations, and exit',
  flags: { db: DATABASE_FLAG },
  async run(o, io) {
    const store = await Store.open(databaseUrl(o.db, io.env), { migrate: false });
    try {
      const applied = await store.migrate();
      return { json: { applied }, text: applied.length ? `Applied ${applied.join(', ')}` : 'The database is up to date' };
    } finally {
      await store.close();
    }
  },
});
