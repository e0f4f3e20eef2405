// The FASTPVA wire shapes, byte for byte as spec/fastpva-api.txt shows them: compact JSON with the
// keys in the spec's order (clients split the raw text), numbers without '+', ISO-8601 UTC times.
// Object literals keep insertion order under JSON.stringify, so each builder lists keys in spec order.
import type { ProjectView } from '../../domain/catalog.js';
import type { CodeStatus, OrderSummary } from '../../domain/orders.js';
import type { RechargeView } from '../../domain/recharges.js';
import type { UserInfo } from '../../domain/users.js';
import type { WebhookDelivery, WebhookView } from '../../domain/webhooks.js';
import type { Shape } from '../rejections.js';

export const ok = (data: unknown): string => JSON.stringify({ code: 1, data });
export const fail = (data: unknown): string => JSON.stringify({ code: -1, data });

/**
 * A refusal from the HTTP layer in FASTPVA's format. A rate limit is HTTP 200 like every refusal the
 * spec shows, so clients read it as they read any error; a refusal of the HTTP request itself (no such
 * route or method, malformed, too large, too slow) keeps its status.
 */
export const rejectionShape: Shape = (r) => ({ status: r.status === 429 ? 200 : r.status, body: fail(r.message) });

const iso = (ms: number) => new Date(ms).toISOString();

function countryPrices(prices: Record<string, number>): Record<string, { sellingPrice: number }> {
  const out: Record<string, { sellingPrice: number }> = {};
  for (const [country, sellingPrice] of Object.entries(prices)) out[country] = { sellingPrice };
  return out;
}

/** An item of /projects: supportCountry, _id, enname, sellingPrice, myPid, collect, myPrice. */
export function projectItem(p: ProjectView): Record<string, unknown> {
  const item: Record<string, unknown> = { supportCountry: p.supportCountry, _id: p.publicId, enname: p.enname };
  if (p.countryPrices) item.countriesSellingPricePrices = countryPrices(p.countryPrices);
  else item.sellingPrice = p.sellingPrice;
  item.myPid = p.myPid;
  item.collect = p.collect;
  if (p.myPrice !== undefined) item.myPrice = p.myPrice;
  return item;
}

/** An item of /collects: supportCountry, _id, myPid, enname, countriesSellingPricePrices | sellingPrice, collect. */
export function collectItem(p: ProjectView): Record<string, unknown> {
  const item: Record<string, unknown> = { supportCountry: p.supportCountry, _id: p.publicId, myPid: p.myPid, enname: p.enname };
  if (p.countryPrices) item.countriesSellingPricePrices = countryPrices(p.countryPrices);
  else item.sellingPrice = p.sellingPrice;
  item.collect = true;
  if (p.myPrice !== undefined) item.myPrice = p.myPrice;
  return item;
}

/** The legacy /project/list item; it has no myPrice, so a user's own price shows as the price. */
export const legacyProjectItem = (p: ProjectView) => ({ myPid: p.myPid, sellingPrice: p.myPrice ?? p.sellingPrice, enname: p.enname });

/** getCode: code 1 with the SMS, or code -1 with the number and balance while waiting. */
export function codeReply(status: CodeStatus): string {
  return status.sms
    ? ok({ code: status.sms.code, content: status.sms.content, number: status.number, balance: status.balance })
    : fail({ number: status.number, balance: status.balance });
}

export function codesReply(result: { balance: number; orders: Map<string, { code: string; content: string; number: string }> }): string {
  const orders: Record<string, { code: string; content: string; number: string }> = {};
  for (const [id, sms] of result.orders) orders[id] = { code: sms.code, content: sms.content, number: sms.number };
  const data = { orders, balance: result.balance };
  return result.orders.size > 0 ? ok(data) : fail(data);
}

export function smsOrderItem(o: OrderSummary): Record<string, unknown> {
  const item: Record<string, unknown> = {
    _id: o.orderId,
    userInfo: { balance: o.balanceAfter },
    number: o.number,
    numberStatus: o.numberStatus,
    smsStatus: o.smsStatus,
  };
  if (o.content !== null) {
    item.code = o.code;
    item.content = o.content;
  }
  item.projectInfo = { enname: o.project.enname, myPid: o.project.myPid, sellingPrice: o.project.price };
  item.createdAt = iso(o.createdAt);
  item.updatedAt = iso(o.updatedAt);
  return item;
}

export const rechargeItem = (r: RechargeView) => ({
  status: r.status,
  _id: r.rechargeId,
  amount: r.amount,
  payment: r.payment,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
  orderAmt: r.orderAmt,
});

const ACCESS = { user: 'normal', admin: 'admin', supplier: 'supplier' } as const;

export const userInfo = (u: UserInfo) => ({
  balance: u.balance,
  _id: u.publicId,
  username: u.username,
  mobile: u.mobile,
  email: u.email,
  role: { access: ACCESS[u.role] },
  tg: u.tg,
});

export const webhookView = (w: WebhookView) => ({ url: w.url, createdAt: iso(w.createdAt) });

/** One delivery attempt: statusCode null when no HTTP answer came, and `error` says why. */
export const webhookDelivery = (d: WebhookDelivery) => ({
  eventId: d.eventId,
  type: d.type,
  attempt: d.attempt,
  url: d.url,
  statusCode: d.statusCode,
  durationMs: d.durationMs,
  error: d.error,
  createdAt: iso(d.createdAt),
});
