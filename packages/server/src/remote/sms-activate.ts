// The SMS-Activate protocol from the buyer's side (reference sms-activate.md), for reselling an
// upstream: GET with every parameter in the query, plain-text tokens or JSON back, money in dollars.
import type { RemoteBuy, RemoteEndpoint, UpstreamClient, UpstreamStatus } from '../domain/remote-supply.js';

async function call(at: RemoteEndpoint, params: Record<string, string>, signal: AbortSignal): Promise<string> {
  const url = new URL(at.url);
  url.searchParams.set('api_key', at.key);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const response = await fetch(url, { signal, headers: { 'user-agent': 'fastpva-reseller' } });
  return (await response.text()).trim();
}

/** Dollars ("12.5", 12.5) as whole cents, or undefined. */
function cents(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 100) : undefined;
}

const dollars = (c: number) => (c / 100).toFixed(2);

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

export const smsActivateUpstream: UpstreamClient = {
  async buy(at, order, signal): Promise<RemoteBuy> {
    const text = await call(at, { action: 'getNumberV2', service: order.service, country: String(order.country), maxPrice: dollars(order.maxPrice) }, signal);
    const reply = parseJson(text) as { activationId?: unknown; phoneNumber?: unknown; activationCost?: unknown } | undefined;
    const id = reply?.activationId;
    const cost = cents(reply?.activationCost);
    if ((typeof id !== 'number' && typeof id !== 'string') || typeof reply?.phoneNumber !== 'string' || cost === undefined) {
      return { ok: false, reason: text.slice(0, 100) }; // NO_NUMBERS, NO_BALANCE, WRONG_MAX_PRICE:...
    }
    return { ok: true, remoteId: String(id), number: reply.phoneNumber, cost };
  },

  async status(at, remoteId, waitSeconds, signal): Promise<UpstreamStatus> {
    const text = await call(at, { action: 'getStatus', id: remoteId, ...(waitSeconds > 0 ? { wait: String(waitSeconds) } : {}) }, signal);
    if (text.startsWith('STATUS_OK:')) return { state: 'code', code: text.slice('STATUS_OK:'.length) };
    // STATUS_WAIT_RETRY:<code>: that code was seen; the next SMS is awaited.
    if (text === 'STATUS_WAIT_CODE' || text.startsWith('STATUS_WAIT_RETRY:') || text === 'STATUS_WAIT_RESEND') return { state: 'waiting' };
    if (text === 'STATUS_CANCEL' || text === 'NO_ACTIVATION' || text === 'WRONG_ACTIVATION_ID') return { state: 'ended' };
    throw new Error(`upstream getStatus answered ${text.slice(0, 100)}`);
  },

  async lastSms(at, remoteId, signal) {
    const reply = parseJson(await call(at, { action: 'getStatusV2', id: remoteId }, signal)) as { sms?: { code?: unknown; text?: unknown } | null } | undefined;
    const sms = reply?.sms;
    if (!sms || typeof sms.text !== 'string') return undefined;
    return { code: typeof sms.code === 'string' ? sms.code : '', text: sms.text };
  },

  async requestAnother(at, remoteId, signal) {
    const text = await call(at, { action: 'setStatus', id: remoteId, status: '3' }, signal);
    // BAD_STATUS: the upstream has no code to retry from yet, or is over; either way nothing to pass on.
    if (text !== 'ACCESS_RETRY_GET' && text !== 'BAD_STATUS') throw new Error(`upstream setStatus 3 answered ${text.slice(0, 100)}`);
  },

  async end(at, remoteId, sold, signal) {
    let text = await call(at, { action: 'setStatus', id: remoteId, status: sold ? '6' : '8' }, signal);
    // A cancel refused because an SMS came upstream meanwhile: finish it instead (it is charged there either way).
    if (!sold && text === 'BAD_STATUS') text = await call(at, { action: 'setStatus', id: remoteId, status: '6' }, signal);
    // ACCESS_*: done; BAD_STATUS, NO_ACTIVATION...: already over upstream. EARLY_CANCEL_DENIED and the rest: later.
    return text.startsWith('ACCESS_') || ['BAD_STATUS', 'NO_ACTIVATION', 'WRONG_ACTIVATION_ID', 'STATUS_CANCEL'].includes(text);
  },
};
