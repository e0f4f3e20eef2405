// `fastpva serve` and `fastpva migrate`.
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { startServer, type RunningServer } from '../server.js';
import { Store } from '../store/store.js';
import { common, databaseUrl, integer, parse } from './args.js';
import { report } from './output.js';
import { DEFAULT_DATABASE_URL } from '../store/dialect.js';

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

export async function serve(argv: string[]): Promise<RunningServer> {
  const o = parse(
    argv,
    { port: { type: 'string' }, host: { type: 'string' } },
    z.object({ ...common, port: integer.optional(), host: z.string().optional() }),
  );
  const overrides = {
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.host !== undefined ? { host: o.host } : {}),
    ...(o.db !== undefined ? { databaseUrl: o.db } : {}),
  };
  const config = loadConfig(process.env, overrides);
  const server = await startServer(config);
  closeOnSignal(server.close);
  const users = await server.platform.users.count();
  const hint =
    users > 0
      ? ''
      : [
          '',
          'The database is empty. Next steps:',
          '  npx fastpva admin user create --username alice --password "a long password" --balance 1000',
          '  npx fastpva admin project create --name Telegram --price 30',
          '  npx fastpva admin supplier create --name "My SIM bank"',
          'then register numbers with the supplier push API (README, "Suppliers"), or try `npx fastpva demo`.',
        ].join('\n');
  report(o.json, { url: server.url, database: server.platform.store.dialect.name }, `fastpva listening on ${server.url} (${server.platform.store.dialect.name})${hint}`);
  return server;
}

export async function migrate(argv: string[]): Promise<void> {
  const o = parse(argv, {}, z.object(common));
  const store = await Store.open(databaseUrl(o.db, DEFAULT_DATABASE_URL), { migrate: false });
  try {
    const applied = await store.migrate();
    report(o.json, { applied }, applied.length ? `Applied ${applied.join(', ')}` : 'The database is up to date');
  } finally {
    await store.close();
  }
}
