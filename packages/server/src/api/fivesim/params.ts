// Path parameters, query strings and bodies of the 5SIM surface, one named zod schema per route part
// (the OpenAPI document is generated from them). Every message is the plain-text body a client sees
// with HTTP 400, in 5SIM's words where it has them (`bad country`, `order not found`...).
import { z } from 'zod';

/** One value of a query parameter: a repeated one (`?a=1&a=2`) is refused rather than guessed at. */
const single = (message: string) => z.string({ error: message }).regex(/^[^\0]*$/, message);

/** A 5SIM name: a country slug, an operator, a product (`england`, `virtual53`, `telegram`), any case. */
const name = (message: string) =>
  single(message)
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9_.-]{1,64}$/, message);

/** 0/1/true/false, as clients send 5SIM's flags (axios writes `false` for a boolean). */
const flag = (message: string) =>
  single(message)
    .trim()
    .toLowerCase()
    .refine((v) => ['0', '1', 'true', 'false', ''].includes(v), message)
    .transform((v) => v === '1' || v === 'true');

/** A whole number of at most 9 digits. */
const count = (message: string) =>
  single(message)
    .trim()
    .regex(/^\d{1,9}$/, message)
    .transform(Number);

/** An order id as 5SIM clients write it: a whole number (a numeric string in the path). */
export const orderParams = z.object({
  id: single('order not found')
    .regex(/^\d{1,15}$/, 'order not found')
    .transform(Number),
});

/**
 * `wait` seconds (long-poll, our extension). fivesim-api sends `wait=true` for a client-side loop of its
 * own; anything but whole seconds waits not at all.
 */
export const checkQuery = z.object({
  wait: z
    .unknown()
    .optional()
    .transform((v) => (typeof v === 'string' && /^\d{1,6}$/.test(v.trim()) ? Number(v) : 0))
    .describe('Long-poll (extension): hold the request up to this many seconds (at most 60) until an SMS comes'),
});

/** `/guest/products/{country}/{operator}`: names or `any`. */
const country = name('bad country').describe('5SIM country slug (`england`, `usa`), or `any`');
const operator = name('bad operator').describe('An operator (`vodafone`), or `any`');
const product = name('no product').describe('5SIM product (`telegram`)');

export const productsParams = z.object({ country, operator });

/** `/guest/prices?country=&product=`: either, both, or neither. */
export const pricesQuery = z.object({ country: country.optional(), product: product.optional() });

/** `/guest/flash/{lang}`: `en` or `ru` on 5sim.net; any language answers the same (we publish no notice). */
export const flashParams = z.object({ lang: name('bad language') });

/** `/user/buy/activation/{country}/{operator}/{product}` (and hosting, which we do not sell). */
export const buyParams = z.object({ country, operator, product });

/**
 * The buy query. `maxPrice` (dollars) caps what the purchase may cost. `forwarding`, `number` (a
 * forwarding target), `reuse`, `voice` and `ref` are accepted and have no effect: we never forward
 * calls, every number can be reused by the customer who had it, no robot calls, no referrals.
 */
export const buyQuery = z.object({
  maxPrice: single('bad maxPrice')
    .trim()
    .regex(/^\d{1,9}(\.\d{1,6})?$/, 'bad maxPrice')
    // The most the customer pays, in whole cents: 0.129 allows 12 cents, never 13.
    .transform((v) => Math.floor(Number(v) * 100 + 1e-6))
    .describe('The most the number may cost, in dollars')
    .optional(),
  forwarding: flag('bad forwarding').optional(),
  number: single('bad number').optional(),
  reuse: flag('bad reuse').optional(),
  voice: flag('bad voice').optional(),
  ref: single('bad ref').optional(),
});

/** `/user/reuse/{product}/{number}`: the number in digits, without `+` (4 to 15 digits). */
export const reuseParams = z.object({
  product,
  number: single('reuse not possible')
    .trim()
    .regex(/^\+?\d{4,15}$/, 'reuse not possible'),
});

/**
 * Paging of the order and payment history: `limit` (default 15, at most 100), `offset`, `order` (a
 * field name; every one orders by id, which is creation order) and `reverse` (newest first).
 */
const paging = {
  limit: count('bad limit')
    .refine((n) => n >= 1, 'bad limit')
    .default(15),
  offset: count('bad offset').default(0),
  order: name('bad order').optional(),
  reverse: flag('bad reverse').default(false),
};

/** `/user/orders`: `category` is `activation` (the default) or `hosting` (we have none). */
export const ordersQuery = z.object({
  category: single('bad category')
    .trim()
    .toLowerCase()
    .pipe(z.enum(['activation', 'hosting'], { error: 'bad category' }))
    .default('activation'),
  ...paging,
});

export const paymentsQuery = z.object(paging);

/** The product of a max price, as `POST` and `DELETE /user/max-prices` send it in a JSON body. */
const productName = z.string({ error: 'product_name is empty' }).trim().toLowerCase().min(1, 'product_name is empty');

/** `POST /user/max-prices` `{"product_name":"telegram","price":0.3}`: the price in dollars, as a number or a numeric string. */
export const maxPriceBody = z.object(
  {
    product_name: productName,
    price: z
      .union([z.number(), z.string().trim().regex(/^\d{1,9}(\.\d{1,6})?$/, 'bad price')], { error: 'bad price' })
      .transform((v) => Number(v))
      .refine((v) => Number.isFinite(v) && v >= 0 && v <= 1_000_000, 'bad price')
      // Whole cents, never above what the customer wrote.
      .transform((v) => Math.floor(v * 100 + 1e-6)),
  },
  { error: 'product_name is empty' },
);

/** `DELETE /user/max-prices` `{"product_name":"telegram"}`. */
export const maxPriceDeleteBody = z.object({ product_name: productName }, { error: 'product_name is empty' });
