// Ends orders whose time is up, refunding those that got no SMS. Runs on every node: each order
// is ended inside its own transaction with a status check, so two sweepers never end one twice.
import type { FastifyBaseLogger } from 'fastify';
import type { OrderService } from '../domain/orders.js';
import { repeatEvery, type Job } from './job.js';

export type { Job } from './job.js';

export function startExpirySweeper(orders: OrderService, intervalMs: number, log: FastifyBaseLogger): Job {
  return repeatEvery('order expiry sweep', intervalMs, async () => (await orders.expireDue()) > 0, log);
}
