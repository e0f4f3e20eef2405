// The shapes of the FASTPVA API's answers (spec/fastpva-api.txt and docs/api.md). Money is in US
// cents, times are ISO-8601 UTC strings, as on the wire.

export interface Project {
  _id: string;
  myPid: number;
  enname: string;
  /** True when the project is priced per country (`countriesSellingPricePrices`). */
  supportCountry: boolean;
  sellingPrice?: number;
  countriesSellingPricePrices?: Record<string, { sellingPrice: number }>;
  collect?: boolean;
  /** The user's own price, where an admin set one. */
  myPrice?: number;
}

export interface TakenNumber {
  number: string;
  orderId: string;
}

/** An SMS delivered to an order: its code (`""` when none was found) and full text. */
export interface Code {
  code: string;
  content: string;
  number: string;
}

export type NumberStatus = 'receiving' | 'released';
export type SmsStatus = 'waiting' | 'received' | 'failed';

export interface SmsOrder {
  _id: string;
  userInfo: { balance: number };
  number: string;
  numberStatus: NumberStatus;
  smsStatus: SmsStatus;
  code?: string;
  content?: string;
  projectInfo: { enname: string; myPid: number; sellingPrice: number };
  createdAt: string;
  updatedAt: string;
}

export type RechargeStatus = 'unpaid' | 'paid' | 'expired';

export interface RechargeOrder {
  _id: string;
  status: RechargeStatus;
  amount: number;
  orderAmt: number;
  payment: string;
  createdAt: string;
  updatedAt: string;
}

export interface UserInfo {
  _id: string;
  username: string;
  balance: number;
  mobile: string;
  email: string;
  role: { access: string };
  tg: string;
}

export interface Webhook {
  url: string;
  createdAt: string;
}

/** One delivery attempt of a webhook event. */
export interface WebhookDelivery {
  eventId: string;
  type: WebhookEventType;
  /** 1 for the first attempt. */
  attempt: number;
  url: string;
  /** The receiver's HTTP status; null when no answer came (`error` says why). */
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  createdAt: string;
}

export type WebhookEventType = 'sms.received' | 'order.ended';

/** The body of a webhook delivery (docs/api.md §10). */
export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  createdAt: string;
  data: {
    orderId: string;
    activationId: number;
    number: string;
    myPid: number;
    service: string;
    code: string | null;
    content: string | null;
    /** `order.ended` only. */
    reason?: 'release' | 'shield' | 'finish' | 'expire';
  };
}
