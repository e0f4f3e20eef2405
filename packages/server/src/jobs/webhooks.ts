// Delivers the webhook outbox. Runs on every node: each event is claimed with a lease (FOR UPDATE SKIP
// LOCKED on Postgres; SQLite serialises the claims), POSTed signed, and its attempt recorded. A node
// killed mid-delivery leaves the lease to run out, and the event is delivered again: at least once.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { isDomainError } from '../domain/errors.js';
import type { Platform } from '../domain/platform.js';
import { resolveWebhookTarget, type WebhookTarget } from '../domain/webhook-targets.js';
import { signature, type AttemptOutcome, type ClaimedEvent } from '../domain/webhooks.js';
import type { Job } from './expiry.js';

/** How often a node looks for due events (retries, and events other nodes queued). Its own, at once. */
const POLL_MS = 1000;
/** Deliveries in flight per node: a slow receiver holds one slot, not the queue. */
const CONCURRENCY = 16;

export function startWebhookDelivery(platform: Pick<Platform, 'webhooks' | 'events' | 'config' | 'clock'>, log: FastifyBaseLogger): Job {
  const { webhooks, events, config, clock } = platform;
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let claiming: Promise<void> | undefined;
  /** Something may be due that the running claim did not see. */
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  const deliver = async (event: ClaimedEvent): Promise<void> => {
    const started = performance.now();
    const signal = AbortSignal.any([stopping.signal, AbortSignal.timeout(config.webhookTimeoutMs)]);
    let outcome: AttemptOutcome;
    try {
      // Resolved and checked again now, and the connection goes to the address checked (DNS rebinding).
      const target = await abortable(resolveWebhookTarget(event.url, config.webhookAllowPrivate), signal);
      const statusCode = await post(target, event.body, signature(event.secret, Math.floor(clock.now() / 1000), event.body), signal);
      outcome = { url: event.url, statusCode, error: null, durationMs: Math.round(performance.now() - started) };
    } catch (error) {
      if (stopping.signal.aborted) return; // shutting down: the lease runs out and a node tries again
      const timedOut = signal.aborted;
      outcome = { url: event.url, statusCode: null, error: timedOut ? `no answer within ${config.webhookTimeoutMs} ms` : describe(error), durationMs: Math.round(performance.now() - started) };
    }
    await webhooks.recordAttempt(event, outcome).catch((error: unknown) => log.error({ err: error }, 'recording a webhook attempt failed; the event will be sent again'));
  };

  const pump = (): void => {
    if (stopping.signal.aborted) return;
    if (claiming) {
      again = true;
      return;
    }
    claiming = (async () => {
      try {
        do {
          again = false;
          const room = CONCURRENCY - inFlight.size;
          if (room <= 0) break; // a finishing delivery pumps again
          const claimed = await webhooks.claimDue(room);
          for (const event of claimed) {
            const delivery = deliver(event).finally(() => {
              inFlight.delete(delivery);
              pump();
            });
            inFlight.add(delivery);
          }
          if (claimed.length === room) again = true;
        } while (again && !stopping.signal.aborted);
      } catch (error) {
        log.error({ err: error }, 'claiming webhook events failed; retrying next tick');
      } finally {
        claiming = undefined;
      }
    })();
  };

  const tick = () => {
    pump();
    timer = setTimeout(tick, POLL_MS);
    timer.unref();
  };
  // This node's own events go out at once; other nodes' and retries within POLL_MS.
  const unsubscribe = [events.on('sms.received', pump), events.on('order.ended', pump)];
  tick();

  return {
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      unsubscribe.forEach((off) => off());
      await claiming;
      await Promise.all(inFlight);
    },
  };
}

/** POSTs the body to the checked address; resolves with the HTTP status. */
function post(target: WebhookTarget, body: string, signed: string, signal: AbortSignal): Promise<number> {
  const { url, address, family } = target;
  // The host name still goes in Host and TLS (SNI, certificate check); only the address is fixed.
  const pinned = ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) =>
    options.all ? callback(null, [{ address, family }]) : callback(null, address, family)) as unknown as LookupFunction;
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'fastpva-webhooks',
          'x-fastpva-signature': signed,
        },
        // A fresh connection each time: a pooled one could lead to an address checked earlier.
        agent: false,
        lookup: pinned,
        signal,
      },
      (response) => {
        response.resume(); // the answer's body is not read
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Rejects when `signal` aborts (DNS lookups cannot be cancelled; their answer is then ignored). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** One line for the delivery log: our refusal, or the network's error code and message. */
function describe(error: unknown): string {
  if (isDomainError(error)) return error.message;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
