import type { BootstrapOptions, Interval } from './bootstrap.js';
import { percentileInterval } from './bootstrap.js';
import { SeededRandom } from './random.js';

/**
 * Percentile bootstrap intervals of statistics that are not means (ratios such as macro-F1 or a cost per
 * correct outcome): each resample is given as how often every item was drawn (`weights`), and `statistics`
 * computes every statistic on it at once. A statistic that is undefined on a resample (NaN: no item in its
 * denominator) skips that resample. Draws are bootstrapMeanIntervals'
 * (SeededRandom.countDraws).
 */
export function bootstrapStatistics(
  n: number,
  statistics: (weights: Float64Array) => number[],
  options: BootstrapOptions,
): (Interval | undefined)[] {
  if (n === 0) return statistics(new Float64Array(0)).map(() => undefined);
  const replicates: number[][] = statistics(new Float64Array(n).fill(1)).map(() => []);
  forEachResample(n, options, (weights) => {
    statistics(weights).forEach((value, m) => {
      if (!Number.isNaN(value)) (replicates[m] as number[]).push(value);
    });
  });
  return replicates.map((values) =>
    values.length === 0 ? undefined : percentileInterval(Float64Array.from(values), options.confidence),
  );
}

/** Each resample's draw counts, drawn by the same generator and loop as bootstrapMeanIntervals' resamples. */
function forEachResample(n: number, options: BootstrapOptions, visit: (weights: Float64Array) => void): void {
  const random = new SeededRandom(options.seed);
  const counts = new Int32Array(n);
  const weights = new Float64Array(n);
  for (let b = 0; b < options.samples; b++) {
    counts.fill(0);
    random.countDraws(counts, n);
    weights.set(counts);
    visit(weights);
  }
}

export interface PairedStatisticComparison {
  candidate: number;
  baseline: number;
  /** candidate − baseline on the sample itself. */
  difference: number;
  /** Percentile interval of the difference over resamples of the pairs. */
  ci: Interval;
  /**
   * One-sided p-value of H1 "candidate < baseline": the share of resamples on which the candidate is not
   * worse, (1 + count) / (1 + used), the percentile interval inverted. Not the shift method: statistics such
   * as macro-F1 jump when one utterance adds a label, and centring such jumps makes one utterance look significant.
   */
  pValue: number;
}

/**
 * A paired bootstrap of a statistic that is not a mean (macro-F1, a cost per correct outcome): each resample
 * draws item indices once and both sides are computed on that same draw, so the difference keeps the pairing.
 * A resample on which either side is undefined (NaN) is skipped; undefined when the observed values are, or
 * no resample is left.
 */
export function pairedStatisticBootstrap(
  n: number,
  candidate: (weights: Float64Array) => number,
  baseline: (weights: Float64Array) => number,
  options: BootstrapOptions,
): PairedStatisticComparison | undefined {
  if (n === 0) return undefined;
  const ones = new Float64Array(n).fill(1);
  const observed = { candidate: candidate(ones), baseline: baseline(ones) };
  if (Number.isNaN(observed.candidate) || Number.isNaN(observed.baseline)) return undefined;
  const difference = observed.candidate - observed.baseline;
  const replicates: number[] = [];
  forEachResample(n, options, (weights) => {
    const value = candidate(weights) - baseline(weights);
    if (!Number.isNaN(value)) replicates.push(value);
  });
  if (replicates.length === 0) return undefined;
  // A difference within rounding of zero is the same sums added in another order: not worse.
  let notWorse = 0;
  for (const value of replicates) if (value >= -1e-12) notWorse++;
  return {
    ...observed,
    difference,
    ci: percentileInterval(Float64Array.from(replicates), options.confidence),
    pValue: Math.min(1, (1 + notWorse) / (1 + replicates.length)),
  };
}
