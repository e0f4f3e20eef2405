// Remote supply on every node (DESIGN §6 "Remote supply"): follows upstream activations and ends
// remote activations whose orders ended (each claimed with a lease, so nodes share them), and asks
// SMSHub agents for their counts (GET_SERVICES, every 15 s as the protocol has it).
import type { FastifyBaseLogger } from 'fastify';
import type { RemoteSupply } from '../domain/remote-supply.js';
import { repeatEvery, type Job } from './job.js';

const FOLLOW_MS = 500;
const AGENT_STOCK_MS = 15_000;

export function startRemoteSupply(remote: RemoteSupply, log: FastifyBaseLogger): Job {
  const follow = repeatEvery('remote activations', FOLLOW_MS, () => remote.followDue(), log);
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
      await Promise.all([follow.stop(), stock.stop()]);
    },
  };
}
