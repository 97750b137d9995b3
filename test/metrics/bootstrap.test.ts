import { describe, expect, it } from 'vitest';
import {
  bootstrapMeanIntervals,
  bootstrapPlan,
  type Interval,
  percentileInterval,
  planIntervals,
  resampleMeans,
} from '../../src/metrics/bootstrap.js';
import { SeededRandom, seededRandom } from '../../src/metrics/random.js';

/** The bootstrap spelt out plainly: a resample's draw counts, then one sum per measure in query order. */
function referenceIntervals(
  columns: Float64Array[],
  options: { samples: number; confidence: number; seed: number },
): Interval[] {
  const n = columns[0]?.length ?? 0;
  const random = seededRandom(options.seed);
  const means = columns.map(() => new Float64Array(options.samples));
  for (let b = 0; b < options.samples; b++) {
    const counts = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const q = Math.floor(random() * n);
      counts[q] = (counts[q] as number) + 1;
    }
    columns.forEach((column, m) => {
      let sum = 0;
      for (let q = 0; q < n; q++) sum += (counts[q] as number) * (column[q] as number);
      (means[m] as Float64Array)[b] = sum / n;
    });
  }
  return means.map((replicates) => percentileInterval(replicates, options.confidence));
}

describe('seededRandom', () => {
  it('is mulberry32: the numbers every shipped interval was drawn with', () => {
    const random = seededRandom(1);
    expect([random(), random(), random()]).toEqual([
      0.6270739405881613, 0.002735721180215478, 0.5274470399599522,
    ]);
  });

  it('counts draws exactly as that many calls of next() would, and continues from there', () => {
    const bulk = new SeededRandom(99);
    const oneByOne = new SeededRandom(99);
    const counts = new Int32Array(37);
    bulk.countDraws(counts, 1000);
    const expected = new Int32Array(37);
    for (let i = 0; i < 1000; i++) {
      const index = Math.floor(oneByOne.next() * 37);
      expected[index] = (expected[index] as number) + 1;
    }
    expect(counts).toEqual(expected);
    expect(bulk.next()).toBe(oneByOne.next());
  });

  it('starts where that many draws would have left it, however many (mod 2³²)', () => {
    const drawn = new SeededRandom(-7);
    drawn.countDraws(new Int32Array(10), 12_345);
    expect(SeededRandom.after(-7, 12_345).next()).toBe(drawn.next());
    // The state cycles every 2³² draws, so a resample far along a long bootstrap is still found exactly.
    expect(SeededRandom.after(-7, 2 ** 32 + 12_346).next()).toBe(drawn.next());
  });
});

describe('bootstrapMeanIntervals', () => {
  const random = seededRandom(5);
  const column = (n: number, m: number) =>
    Float64Array.from({ length: n }, () => (random() < 0.3 ? 0 : random() - (m % 3 === 1 ? 0.5 : 0)));

  it('keeps its shipped values for a fixed seed', () => {
    const columns = [Float64Array.of(0, 1, 0.5, 0.25, 1), Float64Array.of(3, 1, 4, 1, 5)];
    expect(bootstrapMeanIntervals(columns, { samples: 200, confidence: 0.9, seed: 11 })).toEqual([
      { low: 0.25, high: 0.8 },
      { low: 1.6, high: 3.8 },
    ]);
  });

  // Measures are summed eight at a time: one, a full group, and groups with lanes left over.
  it.each([1, 8, 9, 17])('gives bit for bit the plain per-measure sums with %i measures', (width) => {
    const columns = Array.from({ length: width }, (_, m) => column(113, m));
    const options = { samples: 300, confidence: 0.95, seed: 21 };
    const intervals = bootstrapMeanIntervals(columns, options);
    const expected = referenceIntervals(columns, options);
    intervals.forEach((interval, m) => {
      expect(Object.is(interval?.low, expected[m]?.low)).toBe(true);
      expect(Object.is(interval?.high, expected[m]?.high)).toBe(true);
    });
  });

  it('gives the same resamples made in parts and out of order', () => {
    const columns = Array.from({ length: 3 }, (_, m) => column(57, m));
    const options = { samples: 120, confidence: 0.95, seed: 8 };
    const plan = bootstrapPlan(columns, options);
    if (!plan) throw new Error('no plan');
    resampleMeans(plan, 90, 120);
    resampleMeans(plan, 0, 37);
    resampleMeans(plan, 37, 90);
    expect(planIntervals(plan, 3, options.confidence)).toEqual(bootstrapMeanIntervals(columns, options));
  });

  it('gives no interval without queries', () => {
    expect(bootstrapMeanIntervals([new Float64Array(0)], { samples: 10, confidence: 0.95, seed: 1 })).toEqual(
      [undefined],
    );
  });
});
