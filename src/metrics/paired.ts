import { bootstrapMeanIntervals, type Interval } from './bootstrap.js';

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
  if (n === 0) return pairs.map(() => ({ mean: 0, ci: { low: 0, high: 0 }, queries: 0 }));
  // The paired bootstrap is the plain bootstrap of the per-query differences, all measures on shared resamples.
  const intervals = bootstrapMeanIntervals(differences, options);
  return differences.map((d, m) => ({
    mean: d.reduce((sum, value) => sum + value, 0) / n,
    ci: intervals[m] as Interval,
    queries: n,
  }));
}
