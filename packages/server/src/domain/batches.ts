/**
 * Big supplier calls (50,000 numbers) are worked through in slices, each its own short transaction,
 * with a turn of the event loop between them. On SQLite every statement runs on the server's one
 * thread: one transaction over 50,000 rows stopped every other request for over a second.
 */
export const BATCH_ROWS = 1000;

/** The items in slices of `size`, letting other work run before each slice after the first. */
export async function* inBatches<T>(items: readonly T[], size = BATCH_ROWS): AsyncGenerator<T[]> {
  for (let i = 0; i < items.length; i += size) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    yield items.slice(i, i + size);
  }
}
