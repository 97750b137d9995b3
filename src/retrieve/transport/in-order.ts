import { InFlightLimit } from './in-flight.js';

/** Bounded concurrency with ordered results: what the runner needs to search ahead without reordering. */

/**
 * Yields `work(item)` for every item in order, with at most `limit` calls running. Calls are started up to
 * `limit` items ahead of the one awaited, and a freed slot goes to the next item at once, whichever call
 * finished: with results consumed in order alone, one slow call would idle every other slot behind it. A
 * failure stops further calls at once and surfaces when its turn comes; calls still running are awaited so
 * none outlives the run.
 */
export async function* inOrder<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const slots = new InFlightLimit(limit);
  const pending: Promise<R>[] = [];
  let next = 0;
  let stopped = false;
  const call = async (item: T): Promise<R> => {
    if (stopped) throw new Error('not started: an earlier call failed');
    try {
      return await work(item);
    } catch (error) {
      stopped = true;
      throw error;
    }
  };
  const fill = () => {
    while (!stopped && pending.length < 2 * limit && next < items.length) {
      const item = items[next++] as T;
      const result = slots.run(() => call(item));
      result.catch(() => {}); // observed when its turn comes; this only keeps Node from calling it unhandled
      pending.push(result);
    }
  };
  try {
    fill();
    while (pending.length > 0) {
      const result = await (pending.shift() as Promise<R>);
      fill();
      yield result;
    }
  } finally {
    stopped = true;
    await Promise.allSettled(pending);
  }
}
