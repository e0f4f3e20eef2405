// `fastpva serve` and `fastpva migrate`: the two commands that may create a database.
import { loadConfig, PORT, type ServerConfig } from '../config.js';
import { DEFAULT_DATABASE_URL } from '../store/dialect.js';
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

export const serve = command({
  name: 'serve',
  summary: 'run the server; creates the database and applies migrations on start',
  flags: SERVER_FLAGS,
  async run(o, io) {
    const config = loadConfig(io.env, serverOverrides(o));
    // Loaded here: the other commands need not pay for Fastify.
    const { startServer } = await import('../server.js');
    const server = await startServer(config);
    closeOnSignal(server.close);
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
