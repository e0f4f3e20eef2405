import { EventEmitter } from 'node:events';
import type { EndReason } from '../store/schema.js';

/** What happened, announced after the transaction committed. Metrics, push delivery and long-poll listen. */
export interface DomainEvents {
  'order.created': { orderId: string; activationId: number; userId: number; projectId: number; number: string; price: number };
  'order.ended': { orderId: string; activationId: number; userId: number; reason: EndReason; refunded: boolean };
  /** `order` is the order it was delivered to, null when it went to none. */
  'sms.received': { source: string; matched: boolean; order: { orderId: string; activationId: number; userId: number } | null };
}

export type { EndReason };

export class DomainEventHub {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open long-poll may listen; the default cap of 10 would warn on a healthy server.
    this.emitter.setMaxListeners(0);
  }

  on<K extends keyof DomainEvents>(event: K, listener: (payload: DomainEvents[K]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  emit<K extends keyof DomainEvents>(event: K, payload: DomainEvents[K]): void {
    this.emitter.emit(event, payload);
  }
}
