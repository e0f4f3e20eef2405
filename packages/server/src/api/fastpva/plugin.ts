// The FASTPVA public API (spec/fastpva-api.txt) under /pvapublic. Every reply is HTTP 200 with
// {"code":1,"data":...} or {"code":-1,"data":...}; handlers parse, call one use case, shape the reply.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asDomainError, type DomainErrorCode } from '../../domain/errors.js';
import type { Platform } from '../../domain/platform.js';
import type { AuthUser } from '../../domain/users.js';
import { parseWith, sendJson } from '../http.js';
import type { Limits } from '../limits.js';
import { asRejection, missingRoute, sendRejection } from '../rejections.js';
import * as params from './params.js';
import * as wire from './wire.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Prepended to this route's error messages, as FASTPVA does ("Number release failed"). */
    failurePrefix?: string;
  }
}

/** Messages real FASTPVA clients know, word for word (DESIGN §4). Other errors say what went wrong. */
const MESSAGES: Partial<Record<DomainErrorCode, string>> = {
  UNAUTHORIZED: 'No user found.',
  PROJECT_NOT_FOUND: 'Invalid Service ID',
  COUNTRY_NOT_SUPPORTED: 'Invalid country ID',
  CHANNEL_NOT_FOUND: 'Invalid channel ID',
  CHANNEL_UNAVAILABLE: 'Not available for this channel.',
  NO_NUMBERS: 'The phone number is not available. Please try again later. Suggestion: Try another country or another channel',
  TRY_AGAIN: 'Please try again later',
};

/** Who is calling, and the query as the schemas expect it, worked out once per request. */
const callerOf = new WeakMap<FastifyRequest, { user: AuthUser; query: Record<string, string | string[]> }>();

export async function fastpvaApi(app: FastifyInstance, { platform, limits }: { platform: Platform; limits: Limits }): Promise<void> {
  const { users, catalog, orders, recharges, waits, webhooks } = platform;

  // onRequest, the first hook: a stranger or a caller over its limit costs as little as possible.
  app.addHook('onRequest', async (request) => {
    if (request.is404) return; // an unknown route says so, whoever asks
    const query = params.cleanQuery(request.query);
    const apiKey = typeof query.apikey === 'string' ? query.apikey : '';
    const user = await limits.authenticate(request, () => users.authenticate(apiKey));
    await limits.caller(request, 'user', user.id, user.rate_limit);
    callerOf.set(request, { user, query });
  });
  const user = (request: FastifyRequest): AuthUser => callerOf.get(request)!.user;
  const query = (request: FastifyRequest) => callerOf.get(request)!.query;
  const send = (reply: FastifyReply, body: string) => sendJson(reply, body);

  app.setErrorHandler(async (error, request, reply) => {
    const domainError = asDomainError(error);
    if (domainError) {
      const message = MESSAGES[domainError.code] ?? domainError.message;
      // A wrong key is "No user found." word for word on every route: clients compare it.
      const prefix = domainError.code === 'UNAUTHORIZED' ? undefined : request.routeOptions.config.failurePrefix;
      return send(reply, wire.fail(prefix ? `${prefix}: ${message}` : message));
    }
    return sendRejection(reply, wire.rejectionShape, asRejection(error, request));
  });

  app.setNotFoundHandler(async (request) => {
    throw missingRoute(app, request);
  });

  app.get('/projects', async (request, reply) => {
    const q = parseWith(params.projectsQuery, query(request));
    const { count, projects } = await catalog.listProjects(user(request).id, q);
    return send(reply, wire.ok({ count, projects: projects.map(wire.projectItem) }));
  });

  app.get('/collects', async (request, reply) => {
    const q = parseWith(params.collectsQuery, query(request));
    const { count, projects } = await catalog.listCollects(user(request).id, q);
    return send(reply, wire.ok({ count, collects: projects.map(wire.collectItem) }));
  });

  // Legacy route still called by old PHP clients: a bare array, every channel.
  app.get('/project/list', async (request, reply) => {
    const q = parseWith(params.legacyProjectListQuery, query(request));
    const { projects } = await catalog.listProjects(user(request).id, { ...q, channel: 'all' });
    return send(reply, wire.ok(projects.map(wire.legacyProjectItem)));
  });

  app.get('/sms/getNumber', async (request, reply) => {
    const q = parseWith(params.getNumberQuery, query(request));
    const order = await orders.acquire({ userId: user(request).id, myPid: q.myPid, number: q.number, locale: q.locale });
    return send(reply, wire.ok({ number: order.number, orderId: order.orderId }));
  });

  // `wait=` (an extension): held until an SMS comes or the order ends, then the same answer as without.
  app.get('/sms/getCode', async (request, reply) => {
    const q = parseWith(params.getCodeQuery, query(request));
    await waits.forSms(user(request).id, [q.orderId], q.wait * 1000, () => request.signal);
    return send(reply, wire.codeReply(await orders.getCode(user(request).id, q.orderId)));
  });

  app.get('/sms/codes', async (request, reply) => {
    const q = parseWith(params.codesQuery, query(request));
    await waits.forSms(user(request).id, q.ordersId, q.wait * 1000, () => request.signal);
    return send(reply, wire.codesReply(await orders.getCodes(user(request).id, q.ordersId)));
  });

  app.get('/sms/releaseNumber', { config: { failurePrefix: 'Number release failed' } }, async (request, reply) => {
    const q = parseWith(params.orderIdQuery, query(request));
    await orders.release(user(request).id, q.orderId);
    return send(reply, wire.ok('Number released'));
  });

  app.get('/sms/shieldNumber', { config: { failurePrefix: 'Number is blacklisted failed' } }, async (request, reply) => {
    const q = parseWith(params.orderIdQuery, query(request));
    await orders.shield(user(request).id, q.orderId);
    return send(reply, wire.ok('Number is blacklisted'));
  });

  app.get('/sms/orders', async (request, reply) => {
    const q = parseWith(params.smsOrdersQuery, query(request));
    const { count, orders: rows } = await orders.list(user(request).id, {
      page: q.page,
      limit: q.limit,
      orderId: q.orderId,
      number: q.number,
      from: q.startTime,
      to: q.endTime,
      numberStatus: q.numberStatus,
      smsStatus: q.smsStatus,
    });
    return send(reply, wire.ok({ count, orders: rows.map(wire.smsOrderItem) }));
  });

  app.get('/recharge/orders', async (request, reply) => {
    const q = parseWith(params.rechargeOrdersQuery, query(request));
    const rows = await recharges.list(user(request).id, {
      page: q.page,
      limit: q.limit,
      rechargeId: q.orderId,
      status: q.status,
      from: q.startTime,
      to: q.endTime,
    });
    return send(reply, wire.ok(rows.map(wire.rechargeItem)));
  });

  app.get('/user/info', async (request, reply) => {
    return send(reply, wire.ok(wire.userInfo(await users.info(user(request).id))));
  });

  // Extensions (new routes; documented shapes above are untouched).

  /** Opens a recharge order; it is credited once the payment is confirmed. */
  app.get('/recharge/create', async (request, reply) => {
    const q = parseWith(params.rechargeCreateQuery, query(request));
    return send(reply, wire.ok(wire.rechargeItem(await recharges.open(user(request).id, q.amount, q.payment))));
  });

  app.get('/collects/add', async (request, reply) => {
    const { myPid } = parseWith(params.myPidQuery, query(request));
    await catalog.collect(user(request).id, myPid);
    return send(reply, wire.ok('Collected'));
  });

  app.get('/collects/remove', async (request, reply) => {
    const { myPid } = parseWith(params.myPidQuery, query(request));
    await catalog.uncollect(user(request).id, myPid);
    return send(reply, wire.ok('Uncollected'));
  });

  /** Points the user's webhook at `url` with a new signing secret, shown in this answer only. */
  app.get('/webhook/set', async (request, reply) => {
    const q = parseWith(params.webhookSetQuery, query(request));
    const { url, secret } = await webhooks.set(user(request).id, q.url);
    return send(reply, wire.ok({ url, secret }));
  });

  app.get('/webhook/get', async (request, reply) => {
    return send(reply, wire.ok(wire.webhookView(await webhooks.get(user(request).id))));
  });

  app.get('/webhook/clear', async (request, reply) => {
    await webhooks.clear(user(request).id);
    return send(reply, wire.ok('Webhook cleared'));
  });

  app.get('/webhook/deliveries', async (request, reply) => {
    const q = parseWith(params.pagingQuery, query(request));
    const { count, deliveries } = await webhooks.deliveries({ userId: user(request).id }, q);
    return send(reply, wire.ok({ count, deliveries: deliveries.map(wire.webhookDelivery) }));
  });
}
