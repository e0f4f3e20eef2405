// Batches of like work, one at a time per key. Postgres getNumber needs it: every order updates its
// customer's account row, and a row lock lasts until its COMMIT's WAL flush, so one statement per order
// queued a busy customer's orders on that row one flush at a time, and many customers paid a flush each.
// Here the requests that arrive while a batch of their key runs wait and go together into the next
// batch: one statement and one flush for all of them. An idle key runs at once, so a quiet server adds
// no wait.

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class Batches<I, O> {
  private readonly waiting = new Map<string, Waiting<I, O>[]>();

  /** `run` answers each item of a batch, in order; if it throws, every item of that batch fails with it. */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxBatch: number,
  ) {}

  submit(key: string, item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const queue = this.waiting.get(key);
      if (queue) queue.push({ item, resolve, reject });
      else {
        // The queue exists exactly while the key has a batch running.
        this.waiting.set(key, []);
        void this.drain(key, [{ item, resolve, reject }]);
      }
    });
  }

  private async drain(key: string, first: Waiting<I, O>[]): Promise<void> {
    for (let batch = first; batch.length > 0; batch = this.waiting.get(key)!.splice(0, this.maxBatch)) {
      try {
        const answers = await this.run(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(answers[i]!));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.waiting.delete(key);
  }
}
