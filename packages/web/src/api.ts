// The server's web API (/api/web): JSON in and out, the session cookie sent by the browser, the CSRF
// token on every state-changing call. A refusal becomes an ApiError the page words for the reader.

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** The server's error code (snake_case), e.g. insufficient_balance. */
    readonly code: string,
    message: string,
    /** The server's specifics, e.g. retryAfterMs. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken = '';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

async function call<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api/web${path}`, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached');
  }
  const text = await response.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined; // a proxy's HTML error page: worded from the status below
  }
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? `http_${response.status}`, error?.message ?? response.statusText, error ?? {});
  }
  // Every answer that carries a CSRF token (the session's state) carries the one to use from now on.
  const token = (data as { csrfToken?: unknown } | undefined)?.csrfToken;
  if (typeof token === 'string') csrfToken = token;
  return data as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) => call<T>('POST', path, body),
  put: <T>(path: string, body?: unknown) => call<T>('PUT', path, body),
  patch: <T>(path: string, body?: unknown) => call<T>('PATCH', path, body),
  delete: <T>(path: string) => call<T>('DELETE', path),
};

/** `?a=1&b=x` from the values that are set. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

// What the server answers (the parts the page reads).

export type Role = 'user' | 'admin' | 'supplier';

export interface SessionState {
  user: { username: string; role: Role } | null;
  csrfToken: string;
  signUpOpen: boolean;
  paymentMethods: string[];
  releaseAfterSeconds: number;
}

export interface Me {
  username: string;
  role: Role;
  email: string;
  balance: number;
  held: number;
  activeOrders: number;
  activeOrderCap: number;
  apiKeyPrefix: string;
  secondFactor: boolean;
}

export interface Offer {
  myPid: number;
  name: string;
  channel: number;
  favourite: boolean;
  price: number;
  countries: { country: string; price: number; count: number }[];
}

export type NumberStatus = 'receiving' | 'released';
export type SmsStatus = 'waiting' | 'received' | 'failed';

export interface LiveOrder {
  orderId: string;
  activationId: number;
  number: string;
  country: string;
  myPid: number;
  enname: string;
  price: number;
  smsStatus: SmsStatus;
  code: string | null;
  content: string | null;
  createdAt: number;
  expiresAt: number;
  releasableAt: number;
}

export interface OrderSummary {
  orderId: string;
  number: string;
  numberStatus: NumberStatus;
  smsStatus: SmsStatus;
  code: string | null;
  content: string | null;
  project: { myPid: number; enname: string; price: number };
  createdAt: number;
}

export type RechargeStatus = 'unpaid' | 'paid' | 'expired';

export interface Recharge {
  rechargeId: string;
  username: string;
  status: RechargeStatus;
  amount: number;
  payment: string;
  createdAt: number;
}

/** A page of a list the server counts: `{ count, users: [...] }`. */
export interface WebhookDelivery {
  eventId: string;
  type: 'sms.received' | 'order.ended';
  attempt: number;
  url: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  createdAt: number;
}

export type Page<K extends string, T> = Record<K, T[]> & { count: number };
