// The 5SIM API v1 (reference fivesim-v1.md) under /v1, on the one order lifecycle: a 5SIM order is an
// order, its id the order's numeric id. /guest/* needs no key; /user/* wants
// `Authorization: Bearer <API key>` (the customer's API key). Answers are JSON exactly as 5sim.net
// shapes them (`Content-Type: application/json`); refusals are lower-case plain text with 5SIM's
// status codes and words (§6). Handlers parse with the schemas of params.ts, call one use case, and
// shape the reply with wire.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asDomainError, type DomainError, type DomainErrorCode } from '../../domain/errors.js';
import type { CountryName, ServiceName } from '../../domain/names.js';
import type { ActivationView } from '../../domain/orders.js';
import type { Platform } from '../../domain/platform.js';
import type { AuthUser } from '../../domain/users.js';
import { callingCode, russianName } from './countries.js';
import { zodRoutes } from '../contract.js';
import { bearerToken } from '../http.js';
import type { Limits } from '../limits.js';
import { asRejection, missingRoute, sendRejection } from '../rejections.js';
import * as params from './params.js';
import * as replies from './replies.js';
import { answers, USER_REFUSALS } from './replies.js';
import { groupBy, listings, merge, type Listing } from './stock.js';
import * as wire from './wire.js';

export interface FivesimOptions {
  /**
   * The status of `no free phones` on buy and reuse. 400 (the default) makes every client treat it as
   * an error; 5sim.net itself answers 200, with which `fivesim-api` returns the text as if it were an
   * order (reference §2.4).
   */
  noFreePhonesStatus: 200 | 400;
}

export const DEFAULT_FIVESIM: FivesimOptions = { noFreePhonesStatus: 400 };

/** A refusal in 5SIM's words: an HTTP status and a plain-text body. */
export class FivesimError extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
  ) {
    super(text);
    this.name = 'FivesimError';
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 5SIM words some refusals per route: `order not found` is 404 on check, 400 elsewhere. */
    fivesim?: { orderNotFoundStatus?: number; notFoundText?: string };
  }
}

const NO_FREE_PHONES = 'no free phones';

/** Domain refusals in 5SIM's words (reference §6); `no free phones` takes the configured status. */
const REFUSALS: Partial<Record<DomainErrorCode, [number, string]>> = {
  UNAUTHORIZED: [401, ''],
  NO_NUMBERS: [400, NO_FREE_PHONES],
  CHANNEL_UNAVAILABLE: [400, NO_FREE_PHONES],
  // Every offer costs more than maxPrice: nothing to be had at that price.
  PRICE_TOO_LOW: [400, NO_FREE_PHONES],
  INSUFFICIENT_BALANCE: [400, 'not enough user balance'],
  // 5SIM's rating caps how many orders a customer has at once: our active-order cap.
  TOO_MANY_ACTIVE_ORDERS: [400, 'not enough rating'],
  SERVICE_NOT_OFFERED: [400, 'no product'],
  PROJECT_NOT_FOUND: [400, 'no product'],
  COUNTRY_NOT_SUPPORTED: [400, 'bad country'],
  ORDER_NOT_FOUND: [400, 'order not found'],
  ORDER_HAS_SMS: [400, 'order has sms'],
  ORDER_NOT_RECEIVED: [400, 'order no sms'],
  ORDER_ENDED: [400, 'order expired'],
  RELEASE_TOO_EARLY: [400, 'you need to wait time'],
  NOT_FOUND: [400, 'record not found'],
  TRY_AGAIN: [503, 'server offline'],
};

/** Who is calling, worked out once per request. */
const callerOf = new WeakMap<FastifyRequest, AuthUser>();

/** The query as the schemas expect it: an empty parameter (`maxPrice=`) is an absent one. */
function cleanQuery(query: unknown): Record<string, unknown> {
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string' && value.trim() === '') continue;
    clean[key] = value;
  }
  return clean;
}

export async function fivesimApi(
  fastify: FastifyInstance,
  { platform, limits, fivesim = DEFAULT_FIVESIM }: { platform: Platform; limits: Limits; fivesim?: FivesimOptions },
): Promise<void> {
  const { users, orders, names, stock, waits } = platform;
  const app = zodRoutes(fastify, { tag: '5SIM API' });

  // Every route's query as its schema expects it.
  app.addHook('onRequest', async (request) => {
    request.query = cleanQuery(request.query);
  });

  // A Buffer, because Fastify appends `; charset=utf-8` to a JSON type sent as a string.
  const send = (reply: FastifyReply, value: unknown, status = 200) =>
    reply.code(status).header('content-type', wire.JSON_TYPE).send(Buffer.from(JSON.stringify(value)));
  const sendText = (reply: FastifyReply, status: number, text: string) => reply.code(status).type(wire.TEXT_TYPE).send(text);

  function refusal(error: DomainError, request: FastifyRequest): [number, string] {
    const route = request.routeOptions.config.fivesim ?? {};
    // A malformed id names no order either.
    if (error.code === 'ORDER_NOT_FOUND' || (error.code === 'INVALID_INPUT' && error.message === 'order not found')) return [route.orderNotFoundStatus ?? 400, 'order not found'];
    if (error.code === 'NOT_FOUND' && route.notFoundText) return [400, route.notFoundText];
    if (error.code === 'INVALID_INPUT') return [400, error.message];
    const [status, text] = REFUSALS[error.code] ?? [400, error.message.toLowerCase()];
    return text === NO_FREE_PHONES ? [fivesim.noFreePhonesStatus, text] : [status, text];
  }

  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof FivesimError) return sendText(reply, error.status, error.text);
    const domainError = asDomainError(error);
    if (domainError) return sendText(reply, ...refusal(domainError, request));
    return sendRejection(reply, wire.rejectionShape, asRejection(error, request));
  });

  app.setNotFoundHandler(async (request) => {
    throw missingRoute(app, request);
  });

  // Names

  const vocabulary = async () => {
    const [services, countries] = await Promise.all([names.services(), names.countries()]);
    return { services, countries };
  };

  /** A country slug, or `any` (undefined); `bad country` for a name we do not know. */
  async function countryNamed(slug: string): Promise<CountryName | undefined> {
    if (slug === 'any') return undefined;
    const found = await names.countryByFivesim(slug);
    if (!found) throw new FivesimError(400, 'bad country');
    return found;
  }

  async function productNamed(product: string): Promise<ServiceName> {
    const found = await names.serviceByFivesim(product);
    if (!found) throw new FivesimError(400, 'no product');
    return found;
  }

  /** How an order's product and country are named here (a name the vocabulary lost reads as stored). */
  async function namesOf(a: { service: string; country: string }): Promise<wire.OrderNames> {
    const [service, country] = await Promise.all([names.serviceById(a.service), names.countryByIso(a.country)]);
    return { product: service?.fivesim ?? a.service, country: country?.fivesim ?? a.country.toLowerCase() };
  }

  const orderOf = async (view: { activation: ActivationView; sms: Parameters<typeof wire.activationOrder>[2] }) =>
    wire.activationOrder(view.activation, await namesOf(view.activation), view.sms);

  /** What is for sale, as (country, product, operator) listings. */
  const forSale = async () => {
    const [rows, vocab] = await Promise.all([stock.rows(), vocabulary()]);
    return listings(rows, vocab);
  };

  // Guest: no key needed, and a key sent anyway is not looked at.

  app.get('/guest/countries', { schema: { summary: 'Countries, with the operators that have numbers', response: answers('Countries by slug', replies.countries) } }, async (_request, reply) => {
    const [vocab, sale] = await Promise.all([vocabulary(), forSale()]);
    const operatorsOf = groupBy(sale, (l) => l.iso);
    const countries = vocab.countries.filter((c) => c.fivesim !== null);
    return send(
      reply,
      wire.sorted(
        countries.map((c) => {
          const operators = [...new Set((operatorsOf.get(c.iso) ?? []).map((l) => l.operator))].sort();
          const entry: Record<string, unknown> = { iso: { [c.iso.toLowerCase()]: 1 } };
          const code = callingCode(c.iso);
          entry.prefix = code ? { [`+${code}`]: 1 } : {};
          entry.text_en = c.name;
          entry.text_ru = russianName(c.iso) ?? c.name;
          for (const operator of operators) entry[operator] = { activation: 1 };
          return [c.fivesim!, entry];
        }),
      ),
    );
  });

  app.get(
    '/guest/products/:country/:operator',
    { schema: { summary: 'Products for sale in a country, with counts and prices', params: params.productsParams, response: answers('Products by name', replies.products) } },
    async (request, reply) => {
      const p = request.params;
      const country = await countryNamed(p.country);
      const sale = (await forSale()).filter((l) => (!country || l.iso === country.iso) && (p.operator === 'any' || l.operator === p.operator));
      return send(
        reply,
        wire.sorted(
          [...groupBy(sale, (l) => l.product)].map(([product, list]) => {
            const offer = merge(list);
            return [product, { Category: 'activation', Qty: offer.count, Price: wire.dollars(offer.price) }];
          }),
        ),
      );
    },
  );

  /**
   * Unfiltered or `?country=`: country -> product -> operator. `?product=` alone: product -> country ->
   * operator. Both: country -> product -> operator (fivesim-api's `best` reads it so). Operators with no
   * free number stay listed with count 0 as on 5sim.net; such a listing is only ever operator `any`
   * (a priced country with nothing free), and buying with `any` takes any operator.
   */
  app.get(
    '/guest/prices',
    { schema: { summary: 'Prices and counts by country, product and operator', querystring: params.pricesQuery, response: answers('Nested by country (or by product with `product` alone)', replies.prices) } },
    async (request, reply) => {
      const q = request.query;
      const country = q.country === undefined ? undefined : await countryNamed(q.country);
      const product = q.product === undefined ? undefined : await productNamed(q.product);
      const sale = (await forSale()).filter((l) => (!country || l.iso === country.iso) && (!product || l.product === product.fivesim));
      const price = (l: Listing) => ({ cost: wire.dollars(l.price), count: l.count });
      const nest = (list: Listing[], outer: (l: Listing) => string, inner: (l: Listing) => string) =>
        wire.sorted(
          [...groupBy(list, outer)].map(([key, group]) => [
            key,
            wire.sorted([...groupBy(group, inner)].map(([k, g]) => [k, wire.sorted(g.map((l) => [l.operator, price(l)]))])),
          ]),
        );
      const byProduct = product !== undefined && country === undefined;
      return send(reply, byProduct ? nest(sale, (l) => l.product, (l) => l.country) : nest(sale, (l) => l.country, (l) => l.product));
    },
  );

  /** 5sim.net's notice for its users; we publish none. */
  app.get('/guest/flash/:lang', { schema: { summary: 'The operator\'s notice (none)', params: params.flashParams, response: answers('An empty notice', replies.flash) } }, async (_request, reply) => {
    return send(reply, { text: '' });
  });

  // User: Authorization: Bearer <the customer's API key>.

  await app.register(async (scope) => {
    const user = zodRoutes(scope, { tag: '5SIM API', security: ['customerBearer'] });
    // onRequest, the first hook: a stranger or a caller over its limit costs as little as possible.
    user.addHook('onRequest', async (request) => {
      if (request.is404) return; // an unknown route says so, whoever asks
      const found = await limits.authenticate(request, () => users.authenticate(bearerToken(request)));
      await limits.caller(request, 'user', found.id, found.rate_limit);
      callerOf.set(request, found);
    });
    const caller = (request: FastifyRequest): AuthUser => callerOf.get(request)!;

    user.get('/user/profile', { schema: { summary: 'Your balance and profile', response: answers('The profile', replies.profile, USER_REFUSALS) } }, async (request, reply) => {
      const profile = await users.profile(caller(request).id);
      let last = null;
      if (profile.lastOrder) {
        const named = await namesOf(profile.lastOrder);
        const code = callingCode(profile.lastOrder.country);
        last = { ...named, iso: profile.lastOrder.country.toLowerCase(), prefix: code ? `+${code}` : '' };
      }
      return send(reply, wire.profile(profile, last));
    });

    user.get(
      '/user/buy/activation/:country/:operator/:product',
      {
        schema: {
          summary: 'Buy an activation number',
          description: '`any` country or operator takes the cheapest with a free number.',
          params: params.buyParams,
          querystring: params.buyQuery,
          response: answers('The new order', replies.order, USER_REFUSALS),
        },
      },
      async (request, reply) => {
        const p = request.params;
        const q = request.query;
        const [country, service] = await Promise.all([countryNamed(p.country), productNamed(p.product)]);
        const order = await orders.acquireForService({
          userId: caller(request).id,
          service: service.id,
          country: country?.iso,
          maxPrice: q.maxPrice,
          // Without a maxPrice of its own, the purchase keeps within the customer's stored max price.
          storedMaxPrice: true,
          operators: p.operator === 'any' ? undefined : [p.operator],
        });
        const names = await namesOf({ service: service.id, country: order.country });
        return send(reply, wire.order({ id: order.activationId, number: order.number, operator: order.operator, price: order.price, status: 'PENDING', expiresAt: order.expiresAt, createdAt: order.createdAt }, names, null));
      },
    );

    /** Hosting (rented numbers) is not sold here: no hosting product exists. */
    user.get('/user/buy/hosting/:country/:operator/:product', { schema: { summary: 'Rent a number (not sold here)', params: params.buyParams, response: { 400: replies.refused('Always `no product`') } } }, async () => {
      throw new FivesimError(400, 'no product');
    });

    user.get(
      '/user/reuse/:product/:number',
      {
        config: { fivesim: { notFoundText: 'reuse not possible' } },
        schema: { summary: 'Take a number you had again, for the same product', params: params.reuseParams, response: answers('The new order', replies.order, USER_REFUSALS) },
      },
      async (request, reply) => {
        const p = request.params;
        const service = await productNamed(p.product);
        const order = await orders.reuse(caller(request).id, service.id, p.number);
        const names = await namesOf({ service: service.id, country: order.country });
        return send(reply, wire.order({ id: order.activationId, number: order.number, operator: order.operator, price: order.price, status: 'PENDING', expiresAt: order.expiresAt, createdAt: order.createdAt }, names, null));
      },
    );

    user.get(
      '/user/check/:id',
      {
        config: { fivesim: { orderNotFoundStatus: 404 } },
        schema: {
          summary: 'An order and its SMS',
          description: '`wait` (seconds, up to 60; an extension) holds the request until an SMS comes.',
          params: params.orderParams,
          querystring: params.checkQuery,
          response: answers('The order', replies.order, { ...USER_REFUSALS, 404: '`order not found`' }),
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const { wait } = request.query;
        // `wait=` seconds (an extension): held until an SMS comes or the order ends, then answered as without it.
        await waits.forSms(caller(request).id, [id], wait * 1000, () => request.signal);
        return send(reply, await orderOf(await orders.activationWithSms(caller(request).id, id)));
      },
    );

    /**
     * finish, cancel and ban. An order that ended by running out of time without an SMS is
     * `order expired`; one that had already ended otherwise is answered as it stands (a retry is safe).
     */
    const end = (how: 'finish' | 'release' | 'shield') => async (request: FastifyRequest<{ Params: { id: number } }>, reply: FastifyReply) => {
      const { id } = request.params;
      const result = await orders.endActivation(caller(request).id, id, how, { refuseWithSms: how !== 'finish' });
      if (!result.ended && wire.status(result.activation) === 'TIMEOUT') throw new FivesimError(400, 'order expired');
      return send(reply, await orderOf(result));
    };
    const ending = (summary: string) => ({ schema: { summary, params: params.orderParams, response: answers('The order as it ended', replies.order, USER_REFUSALS) } });
    user.get('/user/finish/:id', ending('Finish an order that has its SMS'), end('finish'));
    user.get('/user/cancel/:id', ending('Cancel an order without SMS (a refund)'), end('release'));
    user.get('/user/ban/:id', ending('Cancel, and never get this number again'), end('shield'));

    /** The order's SMS in 5SIM's inbox shape (5SIM has it for hosting orders; here every order has one). */
    user.get('/user/sms/inbox/:id', { schema: { summary: 'The SMS of an order', params: params.orderParams, response: answers('Its SMS', replies.inbox, USER_REFUSALS) } }, async (request, reply) => {
      const { id } = request.params;
      return send(reply, wire.inbox(await orders.deliveredSms(caller(request).id, id)));
    });

    user.get('/user/orders', { schema: { summary: 'Your orders', querystring: params.ordersQuery, response: answers('A page of orders', replies.orders, USER_REFUSALS) } }, async (request, reply) => {
      const q = request.query;
      if (q.category === 'hosting') return send(reply, { Data: [], ProductNames: [], Statuses: [], Total: 0 });
      const page = await orders.activationPage(caller(request).id, { offset: q.offset, limit: q.limit, newestFirst: q.reverse });
      const data = await Promise.all(page.items.map(orderOf));
      return send(reply, { Data: data, ProductNames: [], Statuses: [], Total: page.total });
    });

    /** The customer's max prices: what a purchase of the product without a maxPrice of its own may cost. */
    user.get('/user/max-prices', { schema: { summary: 'Your max prices by product', response: answers('Your max prices', replies.maxPrices, USER_REFUSALS) } }, async (request, reply) => {
      const limits = await platform.catalog.maxPrices(caller(request).id);
      const vocab = await vocabulary();
      const product = new Map(vocab.services.map((s) => [s.id, s.fivesim]));
      return send(reply, limits.map((l) => ({ id: l.id, product: product.get(l.service) ?? l.service, price: wire.dollars(l.price), CreatedAt: wire.time(l.createdAt) })));
    });

    user.post('/user/max-prices', { schema: { summary: 'Set a max price for a product', body: params.maxPriceBody, response: answers('Set', replies.success, USER_REFUSALS) } }, async (request, reply) => {
      const body = request.body;
      const service = await productNamed(body.product_name);
      await platform.catalog.setMaxPrice(caller(request).id, service.id, body.price);
      return send(reply, { success: true });
    });

    user.delete(
      '/user/max-prices',
      { config: { fivesim: { notFoundText: 'record not found' } }, schema: { summary: 'Remove a max price', body: params.maxPriceDeleteBody, response: answers('Removed', replies.success, USER_REFUSALS) } },
      async (request, reply) => {
        const body = request.body;
        const service = await productNamed(body.product_name);
        await platform.catalog.removeMaxPrice(caller(request).id, service.id);
        return send(reply, { success: true });
      },
    );

    user.get('/user/payments', { schema: { summary: 'Your payments (money in and out)', querystring: params.paymentsQuery, response: answers('A page of payments', replies.payments, USER_REFUSALS) } }, async (request, reply) => {
      const q = request.query;
      const result = await users.payments(caller(request).id, { offset: q.offset, limit: q.limit, newestFirst: q.reverse });
      const vocab = await vocabulary();
      const product = new Map(vocab.services.map((s) => [s.id, s.fivesim]));
      return send(reply, wire.payments(result, (service) => product.get(service) ?? service));
    });
  });
}
