// Records how many numbers are online every ONLINE_SAMPLE_MS, for the admin overview's chart. Runs on
// every node; the sample's time is the interval's start, so whichever node comes first records it.
import type { FastifyBaseLogger } from 'fastify';
import { ONLINE_SAMPLE_MS, type ReportService } from '../domain/reports.js';
import type { Job } from './expiry.js';

export function startOnlineSampler(reports: ReportService, log: FastifyBaseLogger, intervalMs = ONLINE_SAMPLE_MS): Job {
  let running: Promise<void> = Promise.resolve();
  const sample = () => {
    running = reports.sampleOnline().catch((error: unknown) => log.error({ err: error }, 'sampling the online numbers failed; retrying next interval'));
  };
  sample();
  // A tenth of the interval: a node started mid-interval, or one that missed a tick, still samples it.
  const timer = setInterval(sample, intervalMs / 10);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
