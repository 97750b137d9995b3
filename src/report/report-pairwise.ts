import { holmAdjust, pairedTTest, summarizeDifferences } from '../metrics/significance.js';
import type { ReportPairwise } from './report-data.types.js';

/** Two systems' values of one measure over the queries both evaluated, aligned; null when they share none. */
export type PairValues = (
  a: number,
  b: number,
  measure: string,
) => { candidate: ArrayLike<number>; baseline: ArrayLike<number> } | null;

/** What a difference must reach, after the correction, to be marked. */
export const PAIRWISE_ALPHA = 0.05;

/**
 * Which systems of one run differ significantly from which: for every measure, every pair of `systems`
 * (indexes into the report's systems) is compared by a two-sided paired t-test over the queries both
 * evaluated, and the p-values of a measure are corrected together by Holm's method, since with n systems
 * n(n − 1)/2 comparisons are made at once. The t-test needs one pass per pair, where a randomization test
 * would resample every pair thousands of times: the table must stay cheap at 10 systems × 10,000 queries.
 * Null with fewer than two systems.
 */
export function pairwiseTests(
  systems: readonly number[],
  measures: readonly string[],
  values: PairValues,
): ReportPairwise | null {
  if (systems.length < 2) return null;
  const byMeasure: ReportPairwise['measures'] = {};
  for (const measure of measures) {
    const pairs: { a: number; b: number; difference: number; p: number }[] = [];
    systems.forEach((a, i) => {
      for (const b of systems.slice(i + 1)) {
        const paired = values(a, b, measure);
        if (!paired || paired.candidate.length === 0) continue;
        const { pValue } = pairedTTest(paired.candidate, paired.baseline, 'two-sided');
        const { mean } = summarizeDifferences(paired.candidate, paired.baseline);
        pairs.push({ a, b, difference: mean, p: pValue });
      }
    });
    const adjusted = holmAdjust(pairs.map((pair) => pair.p));
    byMeasure[measure] = pairs.map((pair, i) => ({ ...pair, adjusted: adjusted[i] as number }));
  }
  return { test: 'paired t-test, two-sided', correction: 'holm', alpha: PAIRWISE_ALPHA, measures: byMeasure };
}
