// Operators' endpoints: /healthz for load balancers, /metrics for Prometheus. Registered with
// fastify-plugin so that its request-timing hook sees every surface's requests.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import { sameSecret } from '../domain/ids.js';
import type { Platform } from '../domain/platform.js';
import type { LiveStats } from '../domain/stats.js';
import { jsonReply } from './contract.js';
import { bearerToken, sendJson } from './http.js';
import type { Limits } from './limits.js';
import { Rejection } from './rejections.js';

export interface MetricsConfig {
  /** The bearer token a scraper must send; without one, only loopback clients may scrape. */
  token: string | undefined;
  /** How often the database-backed gauges are read again, off the request path. */
  refreshMs: number;
}

export const DEFAULT_METRICS: MetricsConfig = { token: undefined, refreshMs: 5000 };

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * A scrape needs the token when one is set. Without one, the client must be on this host; behind a
 * reverse proxy that TRUST_PROXY names, request.ip is the proxy's client, so the proxy's own
 * loopback address lets nobody in.
 */
function authorizeScrape(request: FastifyRequest, token: string | undefined): void {
  if (token === undefined) {
    if (!LOOPBACK.test(request.ip)) {
      throw new Rejection(403, 'forbidden', 'Metrics are served to this host only; set METRICS_TOKEN to scrape from elsewhere');
    }
    return;
  }
  const given = bearerToken(request);
  if (!given || !sameSecret(given, token)) {
    throw new Rejection(401, 'unauthorized', 'A valid bearer token is required', {}, { 'www-authenticate': 'Bearer' });
  }
}

const health = z.object({ status: z.enum(['ok', 'unavailable']), database: z.string() });

async function ops(app: FastifyInstance, { platform, limits, metrics }: { platform: Platform; limits: Limits; metrics: MetricsConfig }): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  app.addHook('onResponse', async (request, reply) => {
    latency.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: reply.statusCode },
      reply.elapsedTime / 1000,
    );
  });

  const smsReceived = new Counter({
    name: 'fastpva_sms_received_total',
    help: 'Inbound SMS accepted, by ingest source and whether a live order took it',
    labelNames: ['source', 'matched'],
    registers,
  });
  const ordersCreated = new Counter({ name: 'fastpva_orders_created_total', help: 'Numbers handed out', registers });
  const ordersEnded = new Counter({
    name: 'fastpva_orders_ended_total',
    help: 'Orders ended, by reason and whether the hold was refunded',
    labelNames: ['reason', 'refunded'],
    registers,
  });
  const unsubscribe = [
    platform.events.on('sms.received', (e) => smsReceived.inc({ source: e.source, matched: String(e.matched) })),
    platform.events.on('order.created', () => ordersCreated.inc()),
    platform.events.on('order.ended', (e) => ordersEnded.inc({ reason: e.reason, refunded: String(e.refunded) })),
  ];

  new Gauge({
    name: 'fastpva_sms_waits',
    help: 'Long-poll requests (wait=) held in this process for an SMS',
    registers,
    collect() {
      this.set(platform.waits.size);
    },
  });

  // Database-backed gauges serve the last refresh: a scrape costs no query, however often it comes.
  let live: LiveStats | undefined;
  let refreshedAt = 0;
  new Gauge({
    name: 'fastpva_orders_live',
    help: 'Live orders (the number still receiving), by SMS status',
    labelNames: ['sms_status'],
    registers,
    collect() {
      if (!live) return;
      this.set({ sms_status: 'waiting' }, live.liveOrders.waiting);
      this.set({ sms_status: 'received' }, live.liveOrders.received);
    },
  });
  new Gauge({
    name: 'fastpva_holds_outstanding',
    help: 'Holds on customer balances not yet charged, refunded or expired',
    registers,
    collect() {
      if (live) this.set(live.holds.count);
    },
  });
  new Gauge({
    name: 'fastpva_holds_outstanding_cents',
    help: 'Money held on customer balances, in US cents',
    registers,
    collect() {
      if (live) this.set(live.holds.amount);
    },
  });
  new Gauge({
    name: 'fastpva_numbers_online',
    help: 'Numbers their suppliers report online',
    registers,
    collect() {
      if (live) this.set(live.numbersOnline);
    },
  });
  new Gauge({
    name: 'fastpva_stats_refreshed_timestamp_seconds',
    help: 'When the database-backed gauges were last read (they are refreshed in the background)',
    registers,
    collect() {
      if (live) this.set(refreshedAt / 1000);
    },
  });

  // Each refresh is scheduled after the previous one ends, so a slow database never stacks them up.
  let timer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> = Promise.resolve();
  let closed = false;
  const refresh = async () => {
    try {
      live = await platform.stats.live();
      refreshedAt = Date.now();
    } catch (error) {
      app.log.warn({ err: error }, 'metrics refresh failed; /metrics serves the previous values');
    }
    if (!closed) timer = setTimeout(() => (refreshing = refresh()), metrics.refreshMs).unref();
  };
  app.addHook('onReady', async () => {
    refreshing = refresh();
    await refreshing;
  });
  app.addHook('onClose', async () => {
    closed = true;
    clearTimeout(timer);
    await refreshing;
    unsubscribe.forEach((off) => off());
  });

  app.get('/metrics', { schema: { tags: ['Operations'], summary: 'Prometheus metrics', security: [{ metricsToken: [] }] } }, async (request, reply) => {
    await limits.authenticate(request, async () => authorizeScrape(request, metrics.token));
    return reply.type(registry.contentType).send(await registry.metrics());
  });

  // HEAD too: load balancers probe with it. It runs the same read-only check.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/healthz',
    schema: {
      tags: ['Operations'],
      summary: 'Is the server up, and its database',
      response: { 200: jsonReply('Up', health), 503: jsonReply('The database does not answer', health) },
    },
    handler: async (request, reply) => {
      try {
        await platform.stats.ping();
        return sendJson(reply, JSON.stringify({ status: 'ok', database: platform.store.dialect.name }));
      } catch (error) {
        request.log.error({ err: error }, 'health check failed');
        return sendJson(reply, JSON.stringify({ status: 'unavailable', database: platform.store.dialect.name }), 503);
      }
    },
  });
}

export const opsApi = fp(ops, { name: 'fastpva-ops' });
