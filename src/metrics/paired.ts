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

export interface PairedBootstrapOptions {
  samples: number;
  confidence: number;
  seed: number;
}

/**
 * Mean per-query difference (candidate − baseline) with a paired bootstrap confidence interval: queries are
 * resampled with replacement and each keeps both of its values, so the query-to-query variance that both
 * systems share cancels out. Both arrays are aligned by query.
 */
export function pairedBootstrap(
  candidate: ArrayLike<number>,
  baseline: ArrayLike<number>,
  options: PairedBootstrapOptions,
): PairedDifference {
  return pairedBootstraps([{ candidate, baseline }], options)[0] as PairedDifference;
}

/**
 * pairedBootstrap of several measures paired over the same queries, in one pass: each resample of the
 * queries serves every measure. The draws are those each measure's own call would make with the same seed,
 * so the results are identical to separate calls, for a fraction of the random numbers.
 */
export function pairedBootstraps(
  pairs: { candidate: ArrayLike<number>; baseline: ArrayLike<number> }[],
  options: PairedBootstrapOptions,
): PairedDifference[] {
  const n = pairs[0]?.candidate.length ?? 0;
  const differences = pairs.map(({ candidate, baseline }) => {
    if (candidate.length !== baseline.length) {
      throw new Error(`paired values differ in length: ${candidate.length} and ${baseline.length}`);
    }
    if (candidate.length !== n) throw new Error('measures bootstrapped together must pair the same queries');
    return Float64Array.from(candidate, (value, i) => value - (baseline[i] as number));
  });
  const sums = differences.map((d) => d.reduce((sum, value) => sum + value, 0));
  if (n === 0) return pairs.map(() => ({ mean: 0, ci: { low: 0, high: 0 }, queries: 0 }));
  const random = seededRandom(options.seed);
  const means = differences.map(() => new Float64Array(options.samples));
  const resampled = new Float64Array(differences.length);
  for (let b = 0; b < options.samples; b++) {
    resampled.fill(0);
    for (let i = 0; i < n; i++) {
      const q = Math.floor(random() * n);
      for (let m = 0; m < differences.length; m++) {
        resampled[m] = (resampled[m] as number) + ((differences[m] as Float64Array)[q] as number);
      }
    }
    for (let m = 0; m < differences.length; m++) (means[m] as Float64Array)[b] = (resampled[m] as number) / n;
  }
  return differences.map((_, m) => ({
    mean: (sums[m] as number) / n,
    ci: percentileInterval(means[m] as Float64Array, options.confidence),
    queries: n,
  }));
}
