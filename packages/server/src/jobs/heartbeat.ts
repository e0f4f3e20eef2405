// The supplier heartbeat: online numbers that nobody reported within SUPPLIER_HEARTBEAT_SECONDS go
// offline. Runs on every node: each slice is one conditional UPDATE, so two sweepers at once only
// repeat each other's work.
import type { FastifyBaseLogger } from 'fastify';
import { BATCH_ROWS } from '../domain/batches.js';
import type { NumberService } from '../domain/numbers.js';
import { repeatEvery, type Job } from './job.js';

/** A tenth of the heartbeat, between 1 and 30 seconds: a stale number leaves the pool soon after its time. */
export const heartbeatSweepMs = (heartbeatMs: number): number => Math.min(30_000, Math.max(1000, heartbeatMs / 10));

export function startHeartbeatSweeper(numbers: NumberService, intervalMs: number, log: FastifyBaseLogger): Job {
  return repeatEvery('heartbeat sweep', intervalMs, async () => (await numbers.takeStaleOffline()) === BATCH_ROWS, log);
}
