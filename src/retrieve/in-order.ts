/** Bounded concurrency with ordered results: what the runner needs to search ahead without reordering. */

/**
 * Yields `work(item)` for every item in order, with at most `limit` calls running. A failure surfaces when
 * its turn comes (and stops further calls); calls still running are awaited so none outlives the run.
 */
export async function* inOrder<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const running: Promise<R>[] = [];
  let next = 0;
  let stopped = false;
  const fill = () => {
    while (!stopped && running.length < limit && next < items.length) {
      const call = work(items[next++] as T);
      call.catch(() => {}); // observed when its turn comes; this only keeps Node from calling it unhandled
      running.push(call);
    }
  };
  try {
    fill();
    while (running.length > 0) {
      const result = await (running.shift() as Promise<R>);
      fill();
      yield result;
    }
  } finally {
    stopped = true;
    await Promise.allSettled(running);
  }
}
