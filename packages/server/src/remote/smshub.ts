// SMSHub's agent protocol from the hub's side (reference supply-and-otp.md §3): JSON POSTs with the
// action and the agent's key, gzip accepted, a User-Agent; numeric fields as numbers; currency 840.
import type { AgentClient, RemoteEndpoint } from '../domain/remote-supply.js';

/** ISO 4217 numeric code of the US dollar. */
const USD = 840;

async function call(at: RemoteEndpoint, body: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
  const response = await fetch(at.url, {
    method: 'POST',
    signal,
    headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip', 'user-agent': 'fastpva-hub' },
    body: JSON.stringify({ ...body, key: at.key }),
  });
  const reply = (await response.json()) as unknown;
  if (typeof reply !== 'object' || reply === null) throw new Error('the agent answered no JSON object');
  return reply as Record<string, unknown>;
}

export const smshubAgents: AgentClient = {
  async services(at, signal) {
    const reply = await call(at, { action: 'GET_SERVICES' }, signal);
    if (reply.status !== 'SUCCESS' || !Array.isArray(reply.countryList)) throw new Error(`GET_SERVICES answered ${JSON.stringify(reply).slice(0, 100)}`);
    const counts: { country: string; service: string; count: number }[] = [];
    for (const entry of reply.countryList as { country?: unknown; operatorMap?: unknown }[]) {
      if (typeof entry?.country !== 'string' || typeof entry.operatorMap !== 'object' || entry.operatorMap === null) continue;
      for (const services of Object.values(entry.operatorMap as Record<string, unknown>)) {
        if (typeof services !== 'object' || services === null) continue;
        for (const [service, count] of Object.entries(services as Record<string, unknown>)) {
          if (Number.isSafeInteger(count) && (count as number) > 0) counts.push({ country: entry.country, service, count: count as number });
        }
      }
    }
    return counts;
  },

  async buy(at, order, signal) {
    const reply = await call(
      at,
      { action: 'GET_NUMBER', country: order.country, operator: 'any', service: order.service, sum: order.sum / 100, currency: USD, exceptionPhoneSet: order.exceptions },
      signal,
    );
    const { status, number, activationId } = reply;
    if (status !== 'SUCCESS' || !Number.isSafeInteger(number) || !Number.isSafeInteger(activationId)) return { ok: false, reason: String(status) };
    return { ok: true, remoteId: String(activationId), number: String(number), cost: order.sum };
  },

  async finish(at, remoteId, sold, signal) {
    // 3: sold; 4: cancelled (the agent may offer the number again).
    const reply = await call(at, { action: 'FINISH_ACTIVATION', activationId: Number(remoteId), status: sold ? 3 : 4 }, signal);
    return reply.status === 'SUCCESS';
  },
};
