// Ends orders whose time is up, refunding those that got no SMS. Runs on every node: each order
// is ended inside its own transaction with a status check, so two sweepers never end one twice.
import type { FastifyBaseLogger } from 'fastify';
import type { OrderService } from '../domain/orders.js';

export interface Job {
  stop(): Promise<void>;
}

export function startExpirySweeper(orders: OrderService, intervalMs: number, log: FastifyBaseLogger): Job {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const sweep = async () => {
    try {
      // Keep going while full batches come back, so a backlog clears without waiting a tick per batch.
      while (!stopped && (await orders.expireDue()) > 0);
    } catch (error) {
      log.error({ err: error }, 'order expiry sweep failed; retrying next tick');
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep().finally(schedule);
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
