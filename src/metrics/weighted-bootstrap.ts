import type { BootstrapOptions, Interval } from './bootstrap.js';
import { percentileInterval } from './bootstrap.js';
import { seededRandom } from './random.js';

/**
 * Percentile bootstrap intervals of statistics that are not means (ratios such as macro-F1 or a cost per
 * correct outcome): each resample is given as how often every item was drawn (`weights`), and `statistics`
 * computes every statistic on it at once. A statistic that is undefined on a resample (NaN: no item in its
 * denominator) skips that resample. Draws are made as bootstrapMeanIntervals makes them.
 */
export function bootstrapStatistics(
  n: number,
  statistics: (weights: Float64Array) => number[],
  options: BootstrapOptions,
): (Interval | undefined)[] {
  if (n === 0) return statistics(new Float64Array(0)).map(() => undefined);
  const random = seededRandom(options.seed);
  const weights = new Float64Array(n);
  const replicates: number[][] = statistics(weights.fill(1)).map(() => []);
  for (let b = 0; b < options.samples; b++) {
    weights.fill(0);
    for (let i = 0; i < n; i++) {
      const q = Math.floor(random() * n);
      weights[q] = (weights[q] as number) + 1;
    }
    statistics(weights).forEach((value, m) => {
      if (!Number.isNaN(value)) (replicates[m] as number[]).push(value);
    });
  }
  return replicates.map((values) =>
    values.length === 0 ? undefined : percentileInterval(Float64Array.from(values), options.confidence),
  );
}
