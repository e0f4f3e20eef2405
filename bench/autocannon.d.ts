// autocannon ships no types: just the part of its API the bench uses (v8 README, "API").
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    /** Seconds; ignored when `amount` is set. */
    duration?: number;
    amount?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
    /** Every response body whose check fails is counted in `mismatches`. */
    expectBody?: string;
    verifyBody?: (body: string) => boolean;
    /** Each connection loops over these; setupRequest may change a request before it is sent. */
    requests?: { setupRequest?: (request: { path: string }) => { path: string } }[];
  }
  interface Histogram {
    average: number;
    p50: number;
    p99: number;
    max: number;
    total: number;
  }
  interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
    latency: Histogram;
    requests: Histogram;
  }
  /** A running load: an EventEmitter that is also a promise of the result. */
  interface Instance extends PromiseLike<Result> {
    /** Every completed response. */
    on(event: 'response', listener: () => void): this;
    /** A connection error or timeout. */
    on(event: 'reqError', listener: (error: unknown) => void): this;
  }
  function autocannon(options: Options): Instance;
  export default autocannon;
}
