// A background job that runs on every node: it repeats `sweep` every `intervalMs`, one run at a
// time, and stop() waits for a run in progress. A failed run is logged and retried next tick.
import type { FastifyBaseLogger } from 'fastify';

export interface Job {
  stop(): Promise<void>;
}

/** `sweep` returns whether a full batch came back: then it runs again at once, so a backlog clears without a tick per batch. */
export function repeatEvery(name: string, intervalMs: number, sweep: () => Promise<boolean>, log: FastifyBaseLogger): Job {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const run = async () => {
    try {
      while (!stopped && (await sweep()));
    } catch (error) {
      log.error({ err: error }, `${name} failed; retrying next tick`);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = run().finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
