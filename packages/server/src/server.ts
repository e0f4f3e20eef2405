// A running fastpva node: store, domain, HTTP surfaces and background jobs.
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.js';
import { startSmppServer, type SmppServer } from './api/smpp/server.js';
import { connectWaits } from './bus.js';
import type { ServerConfig } from './config.js';
import type { Clock } from './domain/clock.js';
import { createPlatform, type Platform } from './domain/platform.js';
import { startExpirySweeper } from './jobs/expiry.js';
import { startWebhookDelivery } from './jobs/webhooks.js';
import { Store } from './store/store.js';

export interface RunningServer {
  app: FastifyInstance;
  platform: Platform;
  /** http://host:port as bound (the real port when 0 was asked for). */
  url: string;
  /** The SMPP server's port as bound, when SMPP_PORT is set. */
  smppPort: number | undefined;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, options: { clock?: Clock } = {}): Promise<RunningServer> {
  const store = await Store.open(config.databaseUrl, { poolSize: config.dbPoolSize });
  try {
    const platform = await createPlatform(store, { clock: options.clock, config: config.domain });
    const app = await buildApp(platform, { logger: { level: config.logLevel }, logRequests: config.logRequests, ...config.http });
    let smpp: SmppServer | undefined;
    // An app that could not start (listen, SMPP) still has Redis connections and timers to stop.
    try {
      const { kind, bus } = await connectWaits(platform.waits, { redisUrl: config.redisUrl, store, log: app.log });
      // After the held long-polls have answered (preClose).
      if (bus) app.addHook('onClose', async () => bus.close());
      app.log.info(`long-poll wake-ups between processes: ${kind}`);
      await app.listen({ port: config.port, host: config.host });
      if (config.smpp) smpp = await startSmppServer(platform, { ...config.smpp, host: config.smpp.host ?? config.host }, app.log);
    } catch (error) {
      await app.close();
      throw error;
    }
    const sweeper = startExpirySweeper(platform.orders, config.sweepIntervalMs, app.log);
    const webhooks = startWebhookDelivery(platform, app.log);
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    return {
      app,
      platform,
      url: `http://${host}:${port}`,
      smppPort: smpp?.port,
      async close() {
        await Promise.all([sweeper.stop(), webhooks.stop(), smpp?.close()]);
        await app.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
