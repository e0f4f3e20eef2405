// A running fastpva node: store, domain, HTTP surfaces and background jobs.
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.js';
import { startGoipListener, type GoipListener } from './api/goip/listener.js';
import { startSmppServer, type SmppServer } from './api/smpp/server.js';
import { connectBus } from './bus.js';
import { ConfigError, type ServerConfig } from './config.js';
import type { Clock } from './domain/clock.js';
import { createPlatform, type Platform } from './domain/platform.js';
import { startExpirySweeper } from './jobs/expiry.js';
import { heartbeatSweepMs, startHeartbeatSweeper } from './jobs/heartbeat.js';
import { startWebhookDelivery } from './jobs/webhooks.js';
import { startOnlineSampler } from './jobs/samples.js';
import { startRemoteSupply } from './jobs/remote-supply.js';
import { Store } from './store/store.js';

export interface RunningServer {
  app: FastifyInstance;
  platform: Platform;
  /** http://host:port as bound (the real port when 0 was asked for). */
  url: string;
  /** The SMPP server's port as bound, when SMPP_PORT is set. */
  smppPort: number | undefined;
  /** The GoIP SMS server's UDP port as bound, when GOIP_UDP_PORT is set. */
  goipPort: number | undefined;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, options: { clock?: Clock; logStream?: { write(line: string): void } } = {}): Promise<RunningServer> {
  const store = await Store.open(config.databaseUrl, { poolSize: config.dbPoolSize });
  try {
    const platform = await createPlatform(store, { clock: options.clock, config: config.domain });
    const app = await buildApp(platform, { logger: { level: config.logLevel, stream: options.logStream }, logRequests: config.logRequests, ...config.http });
    let smpp: SmppServer | undefined;
    let goip: GoipListener | undefined;
    // An app that could not start (listen, SMPP, GoIP) still has Redis connections, timers and servers to stop.
    try {
      const { kind, bus } = await connectBus([platform.feed, platform.caches], { redisUrl: config.redisUrl, store, log: app.log });
      // After the held long-polls have answered (preClose).
      if (bus) app.addHook('onClose', async () => bus.close());
      app.log.info(`order changes (long-poll, live pages) and cache invalidation between processes: ${kind}`);
      await app.listen({ port: config.port, host: config.host });
      if (config.smpp) smpp = await startSmppServer(platform, { ...config.smpp, host: config.smpp.host ?? config.host }, app.log);
      if (config.goipUdpPort !== undefined) {
        goip = await startGoipListener(platform.goip, { port: config.goipUdpPort, host: config.host }, app.log).catch((error: NodeJS.ErrnoException) => {
          throw new ConfigError(`GOIP_UDP_PORT=${config.goipUdpPort}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message} (choose another port)`);
        });
      }
    } catch (error) {
      await smpp?.close();
      await app.close();
      throw error;
    }
    const sweeper = startExpirySweeper(platform.orders, config.sweepIntervalMs, app.log);
    const webhooks = startWebhookDelivery(platform, app.log);
    const heartbeat = startHeartbeatSweeper(platform.numbers, heartbeatSweepMs(platform.config.supplierHeartbeatMs), app.log);
    const sampler = startOnlineSampler(platform.reports, app.log);
    const remote = startRemoteSupply(platform.remoteSupply, app.log);
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    return {
      app,
      platform,
      url: `http://${host}:${port}`,
      smppPort: smpp?.port,
      goipPort: goip?.port,
      async close() {
        await Promise.all([sweeper.stop(), sampler.stop(), remote.stop(), webhooks.stop(), heartbeat.stop(), smpp?.close(), goip?.close()]);
        await app.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
