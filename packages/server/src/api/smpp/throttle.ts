// Message rate per supplier: a token bucket holding one second's worth, shared by the supplier's
// sessions in this process (like the HTTP limits without Redis, each process counts its own).

interface Bucket {
  tokens: number;
  at: number;
}

export class Throttle {
  /** One bucket per supplier that has sent here: as many as there are suppliers. */
  private readonly buckets = new Map<number, Bucket>();

  /** Whether the supplier may send one more message now, at `perSecond`; counts it when so. */
  take(supplierId: number, perSecond: number, now: number): boolean {
    const bucket = this.buckets.get(supplierId) ?? { tokens: perSecond, at: now };
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(supplierId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
