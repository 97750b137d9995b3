import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  parallelMeanIntervals,
  sharedMeanIntervals,
  startBootstrapWorker,
} from '../../src/app/parallel-bootstrap.js';
import { bootstrapMeanIntervals } from '../../src/metrics/bootstrap.js';
import { seededRandom } from '../../src/metrics/random.js';

const random = seededRandom(3);
const columns = Array.from({ length: 9 }, () =>
  Float64Array.from({ length: 2_001 }, () => (random() < 0.4 ? 0 : random())),
);
const options = { samples: 333, confidence: 0.95, seed: 17 };
const serial = bootstrapMeanIntervals(columns, options);

/** Bit for bit: a shared bootstrap must not move an interval's last digit (the evaluation JSON would change). */
function expectSameBits(actual: unknown[], expected: unknown[]): void {
  expect(actual.map((i) => JSON.stringify(i))).toEqual(expected.map((i) => JSON.stringify(i)));
}

describe('a bootstrap shared among threads', () => {
  // The worker runs the built code: `npm test` builds first.
  it('made wholly by a worker thread gives the intervals of one thread, bit for bit', async () => {
    const worker = startBootstrapWorker();
    expect(worker, 'the built worker script (npm run build)').toBeDefined();
    if (!worker) return;
    try {
      await once(worker, 'online');
      const { intervals, madeHere } = sharedMeanIntervals(columns, options, [worker], false);
      expect(madeHere).toBe(0);
      expectSameBits(intervals, serial);
    } finally {
      await worker.terminate();
    }
  });

  it('made by this thread and two workers, in whatever share each takes, gives the same', async () => {
    const workers = [startBootstrapWorker(), startBootstrapWorker()].filter((w) => w !== undefined);
    expect(workers).toHaveLength(2);
    try {
      const first = sharedMeanIntervals(columns, options, workers);
      const again = sharedMeanIntervals(columns, { ...options, seed: 18 }, workers);
      expectSameBits(first.intervals, serial);
      expectSameBits(again.intervals, bootstrapMeanIntervals(columns, { ...options, seed: 18 }));
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  });

  it('is made here when no worker takes a chunk, without waiting for one', () => {
    const { intervals, madeHere } = sharedMeanIntervals(columns, options, []);
    expect(madeHere).toBe(options.samples);
    expectSameBits(intervals, serial);
  });

  it('gives what the evaluation always gave at the size where it is shared (100,000 queries)', () => {
    const large = [Float64Array.from({ length: 100_000 }, () => random())];
    const settings = { samples: 250, confidence: 0.9, seed: 5 };
    expectSameBits(parallelMeanIntervals(large, settings), bootstrapMeanIntervals(large, settings));
  });
});
