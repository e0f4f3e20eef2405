// Remote supply on every node (DESIGN §6 "Remote supply"): follows upstream activations and ends
// remote activations whose orders ended, each claimed with a lease so that nodes share them, and asks
// SMSHub agents for their counts (GET_SERVICES, every 15 s as the protocol has it). An upstream's
// held getStatus takes a slot for up to its wait, so activations are worked side by side, not in turns.
import type { FastifyBaseLogger } from 'fastify';
import type { RemoteSupply } from '../domain/remote-supply.js';
import { repeatEvery, type Job } from './job.js';

/** How often a node looks for due activations (an ended order's is due at once). */
const POLL_MS = 500;
/** Activations worked at once per node: each is at most one held request. */
const CONCURRENCY = 200;
const AGENT_STOCK_MS = 15_000;

export function startRemoteSupply(remote: RemoteSupply, log: FastifyBaseLogger): Job {
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const follow = repeatEvery(
    'remote activations',
    POLL_MS,
    async () => {
      const room = CONCURRENCY - inFlight.size;
      if (room <= 0 || stopping.signal.aborted) return false;
      const claimed = await remote.claimDue(room);
      for (const row of claimed) {
        const work = remote
          .work(row, stopping.signal)
          .catch((error: unknown) => log.error({ err: error, orderId: row.order_id }, 'working on a remote activation failed; its lease runs out and it is retried'))
          .finally(() => inFlight.delete(work));
        inFlight.add(work);
      }
      return false;
    },
    log,
  );
  const stock = repeatEvery(
    'SMSHub agents GET_SERVICES',
    AGENT_STOCK_MS,
    async () => {
      await remote.refreshAgentStock();
      return false;
    },
    log,
  );
  return {
    async stop() {
      stopping.abort();
      await Promise.all([follow.stop(), stock.stop()]);
      await Promise.all(inFlight);
    },
  };
}
