// The SMS-Activate actions as the OpenAPI document describes them: each action's parameters, its
// reply words and, for the JSON actions, the reply's shape. The plugin's dispatch table is typed by
// this one (ActionName), so an action cannot be served without being described here, nor described
// without being served. Parameters are read by params.ts, token by token, as the protocol words its
// refusals; these schemas describe them and check nothing.
import { z, type ZodType } from 'zod';

const dollars = z.number().describe('US dollars');
const saTime = z.string().describe('`YYYY-MM-DD hh:mm:ss`, UTC');

/** Every parameter an action may take, described once. */
const PARAMETERS = {
  service: z.string().describe('SMS-Activate service code (`tg`, `wa`, `go`...); `getServicesList` lists them'),
  country: z.string().describe('SMS-Activate country id (`16` United Kingdom, `187` USA...); absent or `any`: any country'),
  maxPrice: z.string().describe('The most to pay, in dollars (`0.5`)'),
  operator: z.string().describe('Operators to take the number from, comma-separated'),
  phoneException: z.string().describe('Number prefixes to avoid, comma-separated (country code and a few digits)'),
  id: z.string().describe('The activation id `getNumber` gave'),
  status: z.enum(['1', '3', '6', '8', '-1']).describe('1 ready for the SMS, 3 request another SMS, 6 complete, 8 cancel (-1: the legacy cancel)'),
  wait: z.string().describe('Long-poll (extension): hold the request up to this many seconds (at most 60) until an SMS comes'),
  freePrice: z.string().describe('`true` or `1`: add `freePriceMap` (free numbers by price)'),
  start: z.string().describe('From this time, Unix seconds'),
  end: z.string().describe('Until this time, Unix seconds (at most 30 days after `start`)'),
  offset: z.string().describe('Skip this many'),
  limit: z.string().describe('At most this many (1 to 100, default 50); `size` is read the same'),
} as const;

type Parameter = keyof typeof PARAMETERS;

interface ActionDoc {
  summary: string;
  /** Its parameters; those listed in `required` must be given. */
  params: Parameter[];
  required?: Parameter[];
  /** The plain-text words it answers, success first, then its own refusals. */
  words: string[];
  /** The shape of its JSON reply, for the actions that answer JSON. */
  json?: ZodType;
}

const numberV2 = z.object({
  activationId: z.number().int(),
  phoneNumber: z.string(),
  activationCost: dollars,
  currency: z.literal(840),
  countryCode: z.string().nullable(),
  canGetAnotherSms: z.literal('1'),
  activationTime: saTime,
  activationEndTime: saTime,
  activationOperator: z.string(),
});

const statusV2 = z.object({ verificationType: z.literal(0), sms: z.object({ dateTime: saTime, code: z.string(), text: z.string() }).nullable(), call: z.null() });

const activeActivations = z.object({
  status: z.literal('success'),
  activeActivations: z.array(
    z.object({
      activationId: z.string(),
      serviceCode: z.string(),
      phoneNumber: z.string(),
      activationCost: dollars,
      activationStatus: z.string(),
      smsCode: z.array(z.string()).nullable(),
      smsText: z.string().nullable(),
      activationTime: saTime,
      discount: z.string(),
      repeated: z.enum(['0', '1']),
      countryCode: z.string().nullable(),
      countryName: z.string(),
      canGetAnotherSms: z.literal('1'),
      currency: z.literal(840),
    }),
  ),
});

const history = z.array(
  z.object({ id: z.number().int(), date: saTime, phone: z.string(), sms: z.string().nullable(), cost: dollars, status: z.string(), currency: z.literal(840) }),
);

const BUY: Pick<ActionDoc, 'params' | 'required'> = { params: ['service', 'country', 'maxPrice', 'operator', 'phoneException'], required: ['service'] };
const BUY_REFUSALS = ['BAD_SERVICE', 'BAD_COUNTRY', 'NO_NUMBERS', 'NO_BALANCE', 'WRONG_MAX_PRICE:<cheapest price>', 'CHANNELS_LIMIT', 'WRONG_EXCEPTION_PHONE'];

export const ACTIONS = {
  getBalance: { summary: 'Your available balance', params: [], words: ['ACCESS_BALANCE:<dollars>'] },
  getBalanceAndCashBack: { summary: 'The same balance (no cashback here)', params: [], words: ['ACCESS_BALANCE:<dollars>'] },
  getNumber: { summary: 'Take a number: the cheapest offer of the service in the country', ...BUY, words: ['ACCESS_NUMBER:<id>:<number>', ...BUY_REFUSALS] },
  getNumberV2: { summary: 'Take a number, answered as JSON', ...BUY, words: BUY_REFUSALS, json: numberV2 },
  getStatus: {
    summary: 'How an activation stands',
    params: ['id', 'wait'],
    required: ['id'],
    words: ['STATUS_WAIT_CODE', 'STATUS_WAIT_RETRY:<last code>', 'STATUS_OK:<code>', 'STATUS_CANCEL', 'NO_ACTIVATION'],
  },
  getStatusV2: { summary: 'How an activation stands, with its last SMS, as JSON', params: ['id', 'wait'], required: ['id'], words: ['STATUS_CANCEL', 'NO_ACTIVATION'], json: statusV2 },
  getFullSms: { summary: 'The whole text of the SMS', params: ['id'], required: ['id'], words: ['FULL_SMS:<text>', 'STATUS_WAIT_CODE', 'STATUS_CANCEL', 'NO_ACTIVATION'] },
  setStatus: {
    summary: 'Move an activation on: ready, another SMS, complete, cancel',
    params: ['id', 'status'],
    required: ['id', 'status'],
    words: ['ACCESS_READY', 'ACCESS_RETRY_GET', 'ACCESS_ACTIVATION', 'ACCESS_CANCEL', 'WRONG_ACTIVATION_ID', 'NO_ACTIVATION', 'BAD_STATUS', 'EARLY_CANCEL_DENIED'],
  },
  getActiveActivations: { summary: 'Your live activations', params: [], words: [], json: activeActivations },
  getHistory: { summary: 'Your past activations', params: ['start', 'end', 'offset', 'limit'], words: ['WRONG_DATE'], json: history },
  getNumbersStatus: {
    summary: 'Free numbers by service (`<code>_0`), in a country or in all',
    params: ['country', 'operator'],
    words: ['BAD_COUNTRY'],
    json: z.record(z.string(), z.number().int()),
  },
  getPrices: {
    summary: 'Prices and free numbers by country id and service code',
    params: ['service', 'country'],
    words: ['BAD_SERVICE', 'BAD_COUNTRY'],
    json: z.record(z.string(), z.record(z.string(), z.object({ cost: dollars, count: z.number().int(), physicalCount: z.number().int() }))),
  },
  getTopCountriesByService: {
    summary: 'The countries with the most free numbers of a service',
    params: ['service', 'freePrice'],
    required: ['service'],
    words: ['BAD_SERVICE'],
    json: z.record(z.string(), z.object({ country: z.number().int(), count: z.number().int(), price: dollars, retail_price: dollars, freePriceMap: z.record(z.string(), z.number().int()).optional() })),
  },
  getCountries: {
    summary: 'Every country by its SMS-Activate id',
    params: [],
    words: [],
    json: z.record(
      z.string(),
      z.object({ id: z.number().int(), rus: z.string(), eng: z.string(), chn: z.string(), visible: z.union([z.literal(0), z.literal(1)]), retry: z.number().int(), rent: z.number().int(), multiService: z.number().int() }),
    ),
  },
  getServicesList: {
    summary: 'Service codes and names, of a country or of all',
    params: ['country'],
    words: ['BAD_COUNTRY'],
    json: z.object({ status: z.literal('success'), services: z.array(z.object({ code: z.string(), name: z.string() })) }),
  },
  getOperators: {
    summary: 'Operators with numbers, by country id',
    params: ['country'],
    words: ['OPERATORS_NOT_FOUND'],
    json: z.object({ status: z.literal('success'), countryOperators: z.record(z.string(), z.array(z.string())) }),
  },
} as const satisfies Record<string, ActionDoc>;

export type ActionName = keyof typeof ACTIONS;

/** Words any action may answer. */
const COMMON_WORDS = ['NO_KEY', 'BAD_KEY', 'BAD_ACTION', 'ERROR_SQL'];

const entries = Object.entries(ACTIONS) as [ActionName, ActionDoc][];

/** One action's call as a form: `action`, `api_key` and its own parameters. */
const call = (name: ActionName, doc: ActionDoc) => {
  const shape: Record<string, ZodType> = { action: z.literal(name), api_key: z.string().describe('Your API key') };
  for (const p of doc.params) shape[p] = doc.required?.includes(p as never) ? PARAMETERS[p] : PARAMETERS[p].optional();
  const words = doc.words.length > 0 ? ` Answers ${doc.words.map((w) => `\`${w}\``).join(', ')}` : '';
  return z.object(shape).describe(`**${name}**: ${doc.summary}.${words}${doc.json ? `${words ? ',' : ' Answers'} or JSON` : ''}.`);
};

/** The form body of a POST: one of the actions' calls. */
export const form = z.discriminatedUnion('action', entries.map(([name, doc]) => call(name, doc)) as unknown as [ReturnType<typeof call>, ...ReturnType<typeof call>[]]);

/** The query of a GET: `action` and any parameter an action takes (each action's own are in the description). */
export const query = z.object({
  action: z.enum(entries.map(([name]) => name) as [ActionName, ...ActionName[]]).describe('What to do'),
  ...Object.fromEntries(Object.entries(PARAMETERS).map(([name, schema]) => [name, schema.optional()])),
});

/** A markdown table: each action, its parameters (required in bold) and its words. */
export const description = [
  'The SMS-Activate protocol: `GET` with the parameters in the query, or `POST` with them in a form body (the query wins). `api_key` is your API key. ' +
    'Replies are HTTP 200 with a plain-text word (below) or, for the JSON actions, compact JSON; every refusal is a word, on the JSON actions too. ' +
    `Any action may answer ${COMMON_WORDS.map((w) => `\`${w}\``).join(', ')}.`,
  '',
  '| action | parameters | answers |',
  '|---|---|---|',
  ...entries.map(([name, doc]) => {
    const params = doc.params.map((p) => (doc.required?.includes(p as never) ? `**${p}**` : p)).join(', ') || '—';
    const words = [...(doc.json ? ['JSON'] : []), ...doc.words.map((w) => `\`${w}\``)].join(', ');
    return `| \`${name}\` | ${params} | ${words} |`;
  }),
].join('\n');

/** The JSON replies, each titled with its action. */
export const jsonReplies = z.union(entries.filter(([, doc]) => doc.json).map(([name, doc]) => doc.json!.meta({ title: name })) as unknown as [ZodType, ZodType, ...ZodType[]]);

export const textReplies = z.string().describe(`One word: ${[...new Set(entries.flatMap(([, doc]) => doc.words)), ...COMMON_WORDS].map((w) => `\`${w}\``).join(', ')}`);
