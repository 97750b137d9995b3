import { type Interval, percentileInterval } from './bootstrap.js';
import { seededRandom } from './random.js';

export interface PairedDifference {
  /** Mean of candidate − baseline over the paired queries. */
  mean: number;
  /** Percentile bootstrap interval of that mean (queries resampled in pairs). */
  ci: Interval;
  /** Queries in the pairing. */
  queries: number;
}

/**
 * Mean per-query difference (candidate − baseline) with a paired bootstrap confidence interval: queries are
 * resampled with replacement and each keeps both of its values, so the query-to-query variance that both
 * systems share cancels out. Both arrays are aligned by query.
 */
export function pairedBootstrap(
  candidate: ArrayLike<number>,
  baseline: ArrayLike<number>,
  options: { samples: number; confidence: number; seed: number },
): PairedDifference {
  const n = candidate.length;
  if (n !== baseline.length) throw new Error(`paired values differ in length: ${n} and ${baseline.length}`);
  const differences = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    differences[i] = (candidate[i] as number) - (baseline[i] as number);
    sum += differences[i] as number;
  }
  if (n === 0) return { mean: 0, ci: { low: 0, high: 0 }, queries: 0 };
  const random = seededRandom(options.seed);
  const means = new Float64Array(options.samples);
  for (let b = 0; b < options.samples; b++) {
    let resampled = 0;
    for (let i = 0; i < n; i++) resampled += differences[Math.floor(random() * n)] as number;
    means[b] = resampled / n;
  }
  return { mean: sum / n, ci: percentileInterval(means, options.confidence), queries: n };
}
