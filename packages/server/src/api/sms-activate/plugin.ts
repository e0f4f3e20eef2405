// The SMS-Activate protocol (reference sms-activate.md) at /stubs/handler_api.php, on the one order
// lifecycle: an activation is an order, its id the order's numeric id. GET or POST, parameters in the
// query or a form body (the query wins), `api_key` and `action` on every call. Every reply is HTTP 200
// with a plain-text token or compact JSON; every refusal is a token, on the JSON actions too.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asDomainError, type DomainError, type DomainErrorCode } from '../../domain/errors.js';
import type { CountryName, ServiceName } from '../../domain/names.js';
import type { Platform } from '../../domain/platform.js';
import type { AuthUser } from '../../domain/users.js';
import { JSON_TYPE } from '../http.js';
import type { Limits } from '../limits.js';
import { asRejection, missingRoute, sendRejection } from '../rejections.js';
import * as actions from './actions.js';
import type { ActionName } from './actions.js';
import * as params from './params.js';
import type { Params } from './params.js';
import { offers, type Offer } from './stock.js';
import * as wire from './wire.js';
import { SmsActivateToken, TEXT_TYPE } from './wire.js';

/** Domain refusals in the protocol's words (reference §3); PRICE_TOO_LOW carries the cheapest price. */
const TOKENS: Partial<Record<DomainErrorCode, string>> = {
  UNAUTHORIZED: 'BAD_KEY',
  INSUFFICIENT_BALANCE: 'NO_BALANCE',
  // The active-order cap: [SA-AE]'s token for an account at its concurrent-activation limit.
  TOO_MANY_ACTIVE_ORDERS: 'CHANNELS_LIMIT',
  NO_NUMBERS: 'NO_NUMBERS',
  CHANNEL_UNAVAILABLE: 'NO_NUMBERS',
  // A service we know that no open project sells (in that country): nothing to sell, like an empty pool.
  SERVICE_NOT_OFFERED: 'NO_NUMBERS',
  COUNTRY_NOT_SUPPORTED: 'NO_NUMBERS',
  PROJECT_NOT_FOUND: 'NO_NUMBERS',
  ORDER_NOT_FOUND: 'NO_ACTIVATION',
  RELEASE_TOO_EARLY: 'EARLY_CANCEL_DENIED',
  ORDER_ENDED: 'BAD_STATUS',
  ORDER_NOT_RECEIVED: 'BAD_STATUS',
  TRY_AGAIN: 'ERROR_SQL',
};

function tokenOf(error: DomainError): string {
  if (error.code === 'PRICE_TOO_LOW') return `WRONG_MAX_PRICE:${wire.dollars(Number(error.details.minPrice ?? 0))}`;
  return TOKENS[error.code] ?? 'ERROR_SQL';
}

/**
 * Keys [TEZ] reads from getNumbersStatus and fails without (reference §4.2): always present, 0 when
 * not offered. `_0` is without forwarding, `_1` with it (we never forward).
 */
const LEGACY_STATUS_KEYS = [
  'vk_0', 'ok_0', 'wa_0', 'vi_0', 'tg_0', 'wb_0', 'go_0', 'av_0', 'av_1', 'fb_0', 'tw_0', 'ot_0', 'ot_1', 'ub_0', 'qw_0', 'gt_0', 'sn_0', 'ig_0', 'ss_0', 'ym_0',
  'ym_1', 'ma_0', 'mm_0', 'uk_0', 'me_0', 'mb_0', 'we_0', 'bd_0', 'kp_0', 'dt_0', 'ya_0', 'ya_1', 'mt_0', 'oi_0', 'fd_0', 'zz_0', 'kt_0', 'pm_0', 'tn_0',
];

/** A form body holds a handful of short parameters; anything near this size is not a client of ours. */
const BODY_LIMIT = 64 * 1024;

const MAX_HISTORY_SPAN_MS = 30 * 24 * 3600_000;

type Answer = { text: string } | { json: string };
const text = (body: string): Answer => ({ text: body });
const json = (value: unknown): Answer => ({ json: wire.json(value) });
const token = (word: string) => new SmsActivateToken(word);

const sendText = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type(TEXT_TYPE).send(body);


/** The actions a `wait` holds (long-poll). */
const LONG_POLL_ACTIONS: ReadonlySet<string> = new Set(['getStatus', 'getStatusV2']);
export async function smsActivateApi(app: FastifyInstance, { platform, limits }: { platform: Platform; limits: Limits }): Promise<void> {
  const { users, orders, names, stock, waits } = platform;

  // Parameters may come in a form body ([NPM-SA] POSTs with them in the query and an empty form body).
  // JSON bodies are read too; any other body is ignored, its parameters taken from the query alone.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, params.formFields(body as string)));
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(null, {});
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, {}));

  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof SmsActivateToken) return sendText(reply, error.token);
    const domainError = asDomainError(error);
    if (domainError) return sendText(reply, tokenOf(domainError));
    return sendRejection(reply, wire.rejectionShape, asRejection(error, request));
  });

  app.setNotFoundHandler(async (request) => {
    throw missingRoute(app, request);
  });

  /** `service`: an SMS-Activate code the vocabulary knows (BAD_SERVICE otherwise). */
  async function serviceParam(p: Params): Promise<ServiceName> {
    const found = p.service === undefined ? undefined : await names.serviceBySmsActivate(p.service.trim());
    if (!found) throw token('BAD_SERVICE');
    return found;
  }

  /** `country`: an SMS-Activate id the vocabulary knows; absent (or `any`) means any country. */
  async function countryParam(p: Params): Promise<CountryName | undefined> {
    const value = p.country?.trim().toLowerCase();
    if (value === undefined || value === 'any') return undefined;
    const found = /^\d{1,5}$/.test(value) ? await names.countryBySmsActivate(Number(value)) : undefined;
    if (!found) throw token('BAD_COUNTRY');
    return found;
  }

  const vocabulary = async () => {
    const [services, countries] = await Promise.all([names.services(), names.countries()]);
    return { services, countries };
  };

  /** What is for sale, grouped by service code and country id. */
  const forSale = async (operators: string[] = []) => {
    const [rows, vocab] = await Promise.all([stock.rows(), vocabulary()]);
    return { offers: offers(rows, vocab, operators), vocab };
  };

  /** getNumber and getNumberV2: the cheapest offer of the service in the country, within maxPrice. */
  async function buy(user: AuthUser, p: Params) {
    const service = await serviceParam(p);
    const country = await countryParam(p);
    return orders.acquireForService({
      userId: user.id,
      service: service.id,
      country: country?.iso,
      maxPrice: params.maxPrice(p.maxPrice),
      operators: params.operators(p.operator),
      excludePrefixes: params.phoneExceptions(p.phoneException),
    });
  }

  const balance = async (user: AuthUser) => text(`ACCESS_BALANCE:${wire.dollars((await users.info(user.id)).balance)}`);

  const ACTIONS: Record<ActionName, (user: AuthUser, p: Params) => Promise<Answer>> = {
    getBalance: balance,
    // No cashback here: the same balance.
    getBalanceAndCashBack: balance,

    async getNumber(user, p) {
      const order = await buy(user, p);
      return text(`ACCESS_NUMBER:${order.activationId}:${order.number}`);
    },

    async getNumberV2(user, p) {
      const order = await buy(user, p);
      const country = await names.countryByIso(order.country);
      return { json: wire.numberV2(order, country?.smsActivate ?? null) };
    },

    async getStatus(user, p) {
      return text(wire.statusToken(await orders.activation(user.id, params.activationId(p, 'NO_ACTIVATION'))));
    },

    async getStatusV2(user, p) {
      const { activation, sms } = await orders.activationWithSms(user.id, params.activationId(p, 'NO_ACTIVATION'));
      if (activation.code === null && activation.numberStatus !== 'receiving') return text('STATUS_CANCEL');
      return { json: wire.statusV2(sms.at(-1)) };
    },

    async getFullSms(user, p) {
      const a = await orders.activation(user.id, params.activationId(p, 'NO_ACTIVATION'));
      if (a.content !== null) return text(`FULL_SMS:${wire.fullSmsText(a.content)}`);
      return text(a.numberStatus === 'receiving' ? 'STATUS_WAIT_CODE' : 'STATUS_CANCEL');
    },

    /**
     * The transitions of reference §5: 1 while live; 3 once a code came; 6 finishes after a code (and
     * cancels, with the refund, before one); 8 (and the legacy -1) cancels before a code. Anything on
     * an order that has ended, and any other transition, is BAD_STATUS.
     */
    async setStatus(user, p) {
      const id = params.activationId(p, 'WRONG_ACTIVATION_ID');
      const status = p.status?.trim();
      if (status === undefined || !['1', '3', '6', '8', '-1'].includes(status)) throw token('BAD_STATUS');
      const a = await orders.activation(user.id, id);
      if (a.numberStatus !== 'receiving') throw token('BAD_STATUS');
      switch (status) {
        case '1':
          return text('ACCESS_READY');
        case '3':
          await orders.requestAnotherSms(user.id, id);
          return text('ACCESS_RETRY_GET');
        case '6':
          if (a.code !== null) {
            await orders.finish(user.id, id);
            return text('ACCESS_ACTIVATION');
          }
          await orders.release(user.id, id);
          return text('ACCESS_CANCEL');
        default:
          if (a.code !== null) throw token('BAD_STATUS');
          await orders.release(user.id, id);
          return text('ACCESS_CANCEL');
      }
    },

    async getActiveActivations(user) {
      const [live, vocab] = await Promise.all([orders.liveActivations(user.id), vocabulary()]);
      const codes = new Map(vocab.services.map((s) => [s.id, s.smsActivate ?? s.id]));
      const countries = new Map(vocab.countries.map((c) => [c.iso, { id: c.smsActivate, name: c.name }]));
      return json({
        status: 'success',
        activeActivations: live.map((a) => wire.activeActivation(a, codes.get(a.service) ?? a.service, countries.get(a.country) ?? { id: null, name: a.country })),
      });
    },

    async getHistory(user, p) {
      const from = params.unixSeconds(p.start);
      const to = params.unixSeconds(p.end);
      if (from !== undefined && to !== undefined && (to < from || to - from > MAX_HISTORY_SPAN_MS)) throw token('WRONG_DATE');
      const history = await orders.activationHistory(user.id, {
        from,
        // `end` is a whole second: everything created during it is in.
        to: to === undefined ? undefined : to + 999,
        offset: params.whole(p.offset, 0, 0, Number.MAX_SAFE_INTEGER),
        limit: params.whole(p.limit ?? p.size, 50, 1, 100),
      });
      return json(history.map(wire.historyItem));
    },

    async getNumbersStatus(_user, p) {
      const country = await countryParam(p);
      const { offers: all } = await forSale(params.operators(p.operator));
      const counts: Record<string, number> = {};
      for (const key of LEGACY_STATUS_KEYS) counts[key] = 0;
      for (const [code, byCountry] of all) {
        const sold = [...byCountry.values()].filter((offer) => country === undefined || offer.iso === country.iso);
        if (sold.length > 0) counts[`${code}_0`] = sold.reduce((sum, offer) => sum + offer.count, 0);
      }
      const sorted: Record<string, number> = {};
      for (const key of Object.keys(counts).sort()) sorted[key] = counts[key]!;
      return json(sorted);
    },

    async getPrices(_user, p) {
      const service = p.service === undefined ? undefined : await serviceParam(p);
      const country = await countryParam(p);
      const { offers: all } = await forSale();
      const prices: Record<string, Record<string, { cost: number; count: number; physicalCount: number }>> = {};
      for (const code of [...all.keys()].sort()) {
        if (service !== undefined && code !== service.smsActivate) continue;
        for (const offer of all.get(code)!.values()) {
          if ((country !== undefined && offer.iso !== country.iso) || offer.count === 0) continue;
          (prices[String(offer.country)] ??= {})[code] = { cost: wire.dollarNumber(offer.price), count: offer.count, physicalCount: offer.count };
        }
      }
      return json(prices);
    },

    async getTopCountriesByService(_user, p) {
      const service = await serviceParam(p);
      const withFreePrices = params.flag(p.freePrice);
      const { offers: all } = await forSale();
      const ranked = [...(all.get(service.smsActivate!)?.values() ?? [])].filter((o) => o.count > 0).sort((a, b) => b.count - a.count || a.country - b.country);
      const top: Record<string, unknown> = {};
      ranked.forEach((offer: Offer, i) => {
        const price = wire.dollarNumber(offer.price);
        const entry: Record<string, unknown> = { country: offer.country, count: offer.count, price, retail_price: price };
        if (withFreePrices) {
          const map: Record<string, number> = {};
          for (const [cents, n] of [...offer.byPrice].sort((a, b) => a[0] - b[0])) map[wire.dollars(cents)] = n;
          entry.freePriceMap = map;
        }
        top[String(i)] = entry;
      });
      return json(top);
    },

    async getCountries() {
      const { offers: all, vocab } = await forSale();
      const selling = new Set<number>();
      for (const byCountry of all.values()) for (const id of byCountry.keys()) selling.add(id);
      const countries: Record<string, unknown> = {};
      for (const c of vocab.countries.filter((x) => x.smsActivate !== null).sort((a, b) => a.smsActivate! - b.smsActivate!)) {
        // Our vocabulary has English names only; rus and chn repeat them.
        countries[String(c.smsActivate)] = { id: c.smsActivate, rus: c.name, eng: c.name, chn: c.name, visible: selling.has(c.smsActivate!) ? 1 : 0, retry: 1, rent: 0, multiService: 0 };
      }
      return json(countries);
    },

    async getServicesList(_user, p) {
      const country = await countryParam(p);
      const { offers: all, vocab } = await forSale();
      const services = vocab.services
        .filter((s) => s.smsActivate !== null)
        .filter((s) => country === undefined || [...(all.get(s.smsActivate!)?.values() ?? [])].some((o) => o.iso === country.iso))
        .sort((a, b) => a.smsActivate!.localeCompare(b.smsActivate!))
        .map((s) => ({ code: s.smsActivate!, name: s.name }));
      return json({ status: 'success', services });
    },

    async getOperators(_user, p) {
      const country = await countryParam(p).catch((error: unknown) => {
        if (error instanceof SmsActivateToken) throw token('OPERATORS_NOT_FOUND');
        throw error;
      });
      const { offers: all } = await forSale();
      const byCountry = new Map<number, Set<string>>();
      for (const perCountry of all.values()) {
        for (const offer of perCountry.values()) {
          if (country !== undefined && offer.iso !== country.iso) continue;
          const set = byCountry.get(offer.country) ?? new Set<string>();
          for (const o of offer.operators) set.add(o);
          byCountry.set(offer.country, set);
        }
      }
      if (byCountry.size === 0) throw token('OPERATORS_NOT_FOUND');
      const countryOperators: Record<string, string[]> = {};
      for (const [id, set] of [...byCountry].sort((a, b) => a[0] - b[0])) countryOperators[String(id)] = ['any', ...[...set].sort()];
      return json({ status: 'success', countryOperators });
    },
  };

  async function handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const p = params.collect(request.query, request.body);
    const apiKey = p.api_key;
    if (apiKey === undefined) throw token('NO_KEY');
    const user = await limits.authenticate(request, () => users.authenticate(apiKey));
    await limits.caller(request, 'user', user.id, user.rate_limit);
    const run = p.action !== undefined && Object.hasOwn(ACTIONS, p.action) ? ACTIONS[p.action as ActionName] : undefined;
    if (!run) throw token('BAD_ACTION');
    // `wait=` seconds (an extension): getStatus and getStatusV2 are held until an SMS comes or the
    // activation ends, then answer as without it.
    if (LONG_POLL_ACTIONS.has(p.action!)) {
      await waits.forSms(user.id, [params.activationId(p, 'NO_ACTIVATION')], params.waitSeconds(p.wait) * 1000, () => request.signal);
    }
    const answer = await run(user, p);
    return 'json' in answer ? reply.code(200).type(JSON_TYPE).send(answer.json) : sendText(reply, answer.text);
  }

  // The schemas describe the parameters for the document; params.ts reads them, each refusal a word.
  app.setValidatorCompiler(() => () => true);
  const described = {
    tags: ['SMS-Activate protocol'],
    security: [{ smsActivateKey: [] }],
    description: actions.description,
    response: {
      200: {
        description: 'A word, or JSON for the JSON actions; HTTP 200 for refusals too',
        content: { 'text/plain': { schema: actions.textReplies }, 'application/json': { schema: actions.jsonReplies } },
      },
    },
  };
  for (const url of ['/handler_api.php', '/handler_api']) {
    app.route({ method: 'GET', url, schema: { ...described, summary: 'Any action, parameters in the query', querystring: actions.query }, handler: handle });
    app.route({
      method: 'POST',
      url,
      bodyLimit: BODY_LIMIT,
      schema: { ...described, summary: 'Any action, parameters in a form body', body: { content: { 'application/x-www-form-urlencoded': { schema: actions.form } } } },
      handler: handle,
    });
  }
}
