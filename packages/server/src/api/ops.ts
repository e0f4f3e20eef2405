// Operators' endpoints: /healthz for load balancers, /metrics for Prometheus. Registered with
// fastify-plugin so that its request-timing hook sees every surface's requests.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Platform } from '../domain/platform.js';
import { sendJson } from './http.js';

async function ops(app: FastifyInstance, { platform }: { platform: Platform }): Promise<void> {
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
  app.addHook('onClose', async () => unsubscribe.forEach((off) => off()));

  // Read from the database at scrape time, so every node of a cluster reports the same truth.
  new Gauge({
    name: 'fastpva_orders',
    help: 'Orders by number status and SMS status',
    labelNames: ['number_status', 'sms_status'],
    registers,
    async collect() {
      this.reset();
      for (const row of await platform.stats.ordersByStatus()) this.set({ number_status: row.number_status, sms_status: row.sms_status }, row.n);
    },
  });
  new Gauge({
    name: 'fastpva_holds_outstanding',
    help: 'Holds on customer balances not yet charged, refunded or expired',
    registers,
    async collect() {
      this.set((await platform.stats.openHolds()).count);
    },
  });
  new Gauge({
    name: 'fastpva_holds_outstanding_cents',
    help: 'Money held on customer balances, in US cents',
    registers,
    async collect() {
      this.set((await platform.stats.openHolds()).amount);
    },
  });
  new Gauge({
    name: 'fastpva_numbers_online',
    help: 'Numbers their suppliers report online',
    registers,
    async collect() {
      this.set(await platform.stats.numbersOnline());
    },
  });

  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));

  app.get('/healthz', async (request, reply) => {
    try {
      await platform.stats.ping();
      return sendJson(reply, JSON.stringify({ status: 'ok', database: platform.store.dialect.name }));
    } catch (error) {
      request.log.error({ err: error }, 'health check failed');
      return sendJson(reply, JSON.stringify({ status: 'unavailable', database: platform.store.dialect.name }), 503);
    }
  });
}

export const opsApi = fp(ops, { name: 'fastpva-ops' });
