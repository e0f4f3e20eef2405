// The FASTPVA public API (spec/fastpva-api.txt) under /pvapublic. Every reply is HTTP 200 with
// {"code":1,"data":...} or {"code":-1,"data":...}; handlers parse, call one use case, shape the reply.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asDomainError, type DomainErrorCode } from '../../domain/errors.js';
import type { Platform } from '../../domain/platform.js';
import type { AuthUser } from '../../domain/users.js';
import { zodRoutes } from '../contract.js';
import { sendJson } from '../http.js';
import type { Limits } from '../limits.js';
import { asRejection, missingRoute, sendRejection } from '../rejections.js';
import * as params from './params.js';
import { answers } from './replies.js';
import * as replies from './replies.js';
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

/** Who is calling, worked out once per request. */
const callerOf = new WeakMap<FastifyRequest, AuthUser>();

export async function fastpvaApi(fastify: FastifyInstance, { platform, limits }: { platform: Platform; limits: Limits }): Promise<void> {
  const { users, catalog, orders, recharges, waits, webhooks, stock } = platform;
  const app = zodRoutes(fastify, { tag: 'FASTPVA', security: ['fastpvaKey'] });

  // onRequest, the first hook: a stranger or a caller over its limit costs as little as possible.
  app.addHook('onRequest', async (request) => {
    if (request.is404) return; // an unknown route says so, whoever asks
    const query = params.cleanQuery(request.query);
    const apiKey = typeof query.apikey === 'string' ? query.apikey : '';
    const user = await limits.authenticate(request, () => users.authenticate(apiKey));
    await limits.caller(request, 'user', user.id, user.rate_limit);
    callerOf.set(request, user);
    // The routes' schemas read the query as cleaned.
    request.query = query;
  });
  const user = (request: FastifyRequest): AuthUser => callerOf.get(request)!;
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

  app.get('/projects', { schema: { summary: 'Projects for sale', querystring: params.projectsQuery, response: { 200: answers('The page of projects', replies.projects) } } }, async (request, reply) => {
    const { count, projects } = await catalog.listProjects(user(request).id, request.query);
    return send(reply, wire.ok({ count, projects: projects.map(wire.projectItem) }));
  });

  app.get('/collects', { schema: { summary: 'Your favourite projects', querystring: params.collectsQuery, response: { 200: answers('The page of favourites', replies.collects) } } }, async (request, reply) => {
    const { count, projects } = await catalog.listCollects(user(request).id, request.query);
    return send(reply, wire.ok({ count, collects: projects.map(wire.collectItem) }));
  });

  // Legacy route still called by old PHP clients: a bare array, every channel.
  app.get(
    '/project/list',
    { schema: { summary: 'Projects, legacy shape', querystring: params.legacyProjectListQuery, response: { 200: answers('Every channel\'s projects, a bare array', replies.legacyProjects) } } },
    async (request, reply) => {
      const { projects } = await catalog.listProjects(user(request).id, { ...request.query, channel: 'all' });
      return send(reply, wire.ok(projects.map(wire.legacyProjectItem)));
    },
  );

  app.get(
    '/sms/getNumber',
    { schema: { summary: 'Take a number (its price is held)', querystring: params.getNumberQuery, response: { 200: answers('The number and its order', replies.number) } } },
    async (request, reply) => {
      const q = request.query;
      const order = await orders.acquire({ userId: user(request).id, myPid: q.myPid, number: q.number, locale: q.locale });
      return send(reply, wire.ok({ number: order.number, orderId: order.orderId }));
    },
  );

  // `wait=` (an extension): held until an SMS comes or the order ends, then the same answer as without.
  app.get(
    '/sms/getCode',
    {
      schema: {
        summary: 'The code of an order',
        description: 'Code -1 with the number and balance while no SMS has come. `wait` (seconds, up to 60) holds the request until an SMS comes.',
        querystring: params.getCodeQuery,
        response: { 200: answers('The latest SMS of the order, or -1 while waiting', replies.code, replies.codeWaiting) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      await waits.forSms(user(request).id, [q.orderId], q.wait * 1000, () => request.signal);
      return send(reply, wire.codeReply(await orders.getCode(user(request).id, q.orderId)));
    },
  );

  app.get(
    '/sms/codes',
    {
      schema: {
        summary: 'The codes of several orders',
        description: '`ordersId`: order ids joined with `_`. Code -1 when none of them has an SMS yet.',
        querystring: params.codesQuery,
        response: { 200: answers('The orders that have an SMS', replies.codes, replies.codesWaiting) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      await waits.forSms(user(request).id, q.ordersId, q.wait * 1000, () => request.signal);
      return send(reply, wire.codesReply(await orders.getCodes(user(request).id, q.ordersId)));
    },
  );

  app.get(
    '/sms/releaseNumber',
    {
      config: { failurePrefix: 'Number release failed' },
      schema: { summary: 'Release the number (a refund if no SMS came)', querystring: params.orderIdQuery, response: { 200: answers('Released', replies.released) } },
    },
    async (request, reply) => {
      await orders.release(user(request).id, request.query.orderId);
      return send(reply, wire.ok('Number released'));
    },
  );

  app.get(
    '/sms/shieldNumber',
    {
      config: { failurePrefix: 'Number is blacklisted failed' },
      schema: { summary: 'Never give you this number again', querystring: params.orderIdQuery, response: { 200: answers('Shielded', replies.shielded) } },
    },
    async (request, reply) => {
      await orders.shield(user(request).id, request.query.orderId);
      return send(reply, wire.ok('Number is blacklisted'));
    },
  );

  app.get('/sms/orders', { schema: { summary: 'Your orders', querystring: params.smsOrdersQuery, response: { 200: answers('The page of orders', replies.smsOrders) } } }, async (request, reply) => {
    const q = request.query;
    const { count, orders: rows } = await orders.list(user(request).id, {
      page: q.page,
      limit: q.limit,
      orderId: q.orderId,
      number: q.number,
      from: q.startTime,
      to: q.endTime,
      numberStatus: q.numberStatus,
      smsStatus: q.smsStatus,
      after: q.after,
    });
    return send(reply, wire.ok({ count, orders: rows.map(wire.smsOrderItem) }));
  });

  app.get(
    '/recharge/orders',
    { schema: { summary: 'Your recharge orders', querystring: params.rechargeOrdersQuery, response: { 200: answers('The page of recharge orders', replies.recharges) } } },
    async (request, reply) => {
      const q = request.query;
      const rows = await recharges.list(user(request).id, {
        page: q.page,
        limit: q.limit,
        rechargeId: q.orderId,
        status: q.status,
        from: q.startTime,
        to: q.endTime,
      });
      return send(reply, wire.ok(rows.map(wire.rechargeItem)));
    },
  );

  app.get('/user/info', { schema: { summary: 'Your account', response: { 200: answers('Balance and profile', replies.userInfo) } } }, async (request, reply) => {
    return send(reply, wire.ok(wire.userInfo(await users.info(user(request).id))));
  });

  // Extensions (new routes; documented shapes above are untouched).

  /** Opens a recharge order; it is credited once the payment is confirmed. */
  app.get(
    '/recharge/create',
    { schema: { summary: 'Open a recharge order (extension)', querystring: params.rechargeCreateQuery, response: { 200: answers('The new recharge order', replies.recharge) } } },
    async (request, reply) => {
      const q = request.query;
      return send(reply, wire.ok(wire.rechargeItem(await recharges.open(user(request).id, q.amount, q.payment))));
    },
  );

  app.get('/collects/add', { schema: { summary: 'Add a favourite (extension)', querystring: params.myPidQuery, response: { 200: answers('Added', replies.collected) } } }, async (request, reply) => {
    await catalog.collect(user(request).id, request.query.myPid);
    return send(reply, wire.ok('Collected'));
  });

  app.get(
    '/collects/remove',
    { schema: { summary: 'Remove a favourite (extension)', querystring: params.myPidQuery, response: { 200: answers('Removed', replies.uncollected) } } },
    async (request, reply) => {
      await catalog.uncollect(user(request).id, request.query.myPid);
      return send(reply, wire.ok('Uncollected'));
    },
  );

  /** How many numbers are free now for a project, by country: the counts getNumbersStatus and 5SIM's products read. */
  app.get(
    '/sms/stock',
    {
      schema: {
        summary: 'Numbers free now for a project, by country (extension)',
        description: 'Counted every few seconds: an upper bound (a number that already served the project is counted, not handed out again).',
        querystring: params.myPidQuery,
        response: { 200: answers('The project\'s countries, most free first', replies.stock) },
      },
    },
    async (request, reply) => {
      const { myPid } = request.query;
      return send(reply, wire.ok({ myPid, countries: await stock.ofProject(myPid) }));
    },
  );

  /** Points the user's webhook at `url` with a new signing secret, shown in this answer only. */
  app.get(
    '/webhook/set',
    { schema: { summary: 'Set your webhook (extension)', querystring: params.webhookSetQuery, response: { 200: answers('The webhook and its signing secret', replies.webhookSet) } } },
    async (request, reply) => {
      const { url, secret } = await webhooks.set(user(request).id, request.query.url);
      return send(reply, wire.ok({ url, secret }));
    },
  );

  app.get('/webhook/get', { schema: { summary: 'Your webhook (extension)', response: { 200: answers('The webhook', replies.webhook) } } }, async (request, reply) => {
    return send(reply, wire.ok(wire.webhookView(await webhooks.get(user(request).id))));
  });

  app.get('/webhook/clear', { schema: { summary: 'Remove your webhook (extension)', response: { 200: answers('Removed', replies.webhookCleared) } } }, async (request, reply) => {
    await webhooks.clear(user(request).id);
    return send(reply, wire.ok('Webhook cleared'));
  });

  app.get(
    '/webhook/deliveries',
    { schema: { summary: 'Your webhook deliveries (extension)', querystring: params.pagingQuery, response: { 200: answers('The page of delivery attempts', replies.webhookDeliveries) } } },
    async (request, reply) => {
      const { count, deliveries } = await webhooks.deliveries({ userId: user(request).id }, request.query);
      return send(reply, wire.ok({ count, deliveries: deliveries.map(wire.webhookDelivery) }));
    },
  );
}
