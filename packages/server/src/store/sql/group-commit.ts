/**
 * Group commit, for inserts that many requests make at once (the audit trail: one event per token
 * issued). Items arriving in the same turn of the event loop, or while the previous group is being
 * written, go together in one transaction; each caller's promise settles when the transaction
 * holding its item has committed (or failed). Nothing is acknowledged before it is stored — the
 * guarantee of one transaction per item — for one commit, and one fsync, per group.
 */

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Returns the function callers use to add one item; `flush` writes a group in one transaction.
 *
 * @example
 * const addEvent = groupCommit((events) => write((trx) => trx.insertInto('audit_events').values(events).execute()));
 * await addEvent(row); // resolved once committed
 */
export function groupCommit<T>(
  flush: (items: T[]) => Promise<unknown>,
  maxGroup = 500,
): (item: T) => Promise<void> {
  return groupBatch<T, undefined>(async (items) => {
    await flush(items);
    return items.map(() => undefined);
  }, maxGroup);
}

/**
 * Group commit with an answer per item: `flush` runs a group in one transaction and returns one
 * result per item, in order; an item whose result is an Error is rejected with it alone (its own
 * work rolled back), the others resolve with theirs. A thrown error rejects the whole group.
 *
 * @example const rotate = groupBatch((inputs) => queue(async () => rotateAll.immediate(inputs)));
 */
export function groupBatch<T, R>(
  flush: (items: T[]) => Promise<(R | Error)[]>,
  maxGroup = 500,
): (item: T) => Promise<R> {
  const pending: Waiting<T, R>[] = [];
  let scheduled = false;

  async function drain(): Promise<void> {
    while (pending.length > 0) {
      const group = pending.splice(0, maxGroup);
      try {
        const results = await flush(group.map((waiting) => waiting.item));
        for (const [index, waiting] of group.entries()) {
          const result = results[index];
          if (result instanceof Error) waiting.reject(result);
          else waiting.resolve(result as R);
        }
      } catch (error) {
        for (const waiting of group) waiting.reject(error);
      }
    }
    scheduled = false;
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        // After the current turn: the other requests read in this turn join the group.
        setImmediate(() => void drain());
      }
    });
}
