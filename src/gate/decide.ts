import type { Decide, DropThreshold, PairedTest } from '../config/gate-policy.js';
import type { Interval } from '../metrics/bootstrap.js';
import { pairedBootstrap } from '../metrics/paired.js';
import {
  pairedBootstrapTest,
  pairedRandomizationTest,
  pairedTTest,
  summarizeDifferences,
} from '../metrics/significance.js';

/**
 * The statistics of one maxDrop rule on one system: candidate and baseline values of one measure, aligned
 * by query. Pure: the same values, options and seed give the same comparison.
 */
export interface DropComparison {
  candidateMean: number;
  baselineMean: number;
  /** candidate − baseline (negative: the candidate is worse). */
  difference: number;
  /** baseline − candidate: what the threshold limits. */
  drop: number;
  /** The largest allowed drop in points of the measure (a relative threshold times the baseline mean). */
  threshold: number;
  /** Paired bootstrap confidence interval of `difference`. */
  ci: Interval;
  /** One-sided p-value of H1 "the candidate is worse than the baseline", before any correction. */
  pValue: number;
  queries: number;
  /** Standard deviation of the per-query differences (for the minimum detectable effect). */
  sdDifference: number;
}

export interface CompareDropOptions {
  threshold: DropThreshold;
  test: PairedTest;
  /** Resamples of the bootstrap interval and of a randomization or bootstrap test. */
  samples: number;
  seed: number;
  /** Confidence level of `ci`, e.g. 1 − 2·alpha so that its upper end is a one-sided bound at alpha. */
  confidence: number;
}

/**
 * Means of a measure over the same queries agree to ~1e-16 however they were summed; a drop exactly at the
 * threshold (0.50 → 0.47 under "maxDrop 0.03") must not fail on the rounding of 0.5 − 0.47.
 */
const ROUNDING = 1e-12;

/**
 * Everything a maxDrop decision needs, computed once: the caller corrects the p-values of all its rules
 * together before deciding each with `dropFails`. The interval and the test share the seed.
 */
export function compareDrop(
  candidate: ArrayLike<number>,
  baseline: ArrayLike<number>,
  options: CompareDropOptions,
): DropComparison {
  const n = candidate.length;
  if (n === 0) throw new RangeError('compareDrop: no queries to compare');
  const paired = pairedBootstrap(candidate, baseline, {
    samples: options.samples,
    confidence: options.confidence,
    seed: options.seed,
  });
  const summary = summarizeDifferences(candidate, baseline);
  const candidateMean = mean(candidate);
  const baselineMean = mean(baseline);
  return {
    candidateMean,
    baselineMean,
    difference: paired.mean,
    drop: -paired.mean,
    threshold: 'abs' in options.threshold ? options.threshold.abs : options.threshold.rel * baselineMean,
    ci: paired.ci,
    pValue: dropPValue(candidate, baseline, options),
    queries: n,
    sdDifference: summary.sd,
  };
}

function dropPValue(
  candidate: ArrayLike<number>,
  baseline: ArrayLike<number>,
  options: CompareDropOptions,
): number {
  const resampling = { samples: options.samples, seed: options.seed, alternative: 'less' } as const;
  switch (options.test) {
    case 'randomization':
      return pairedRandomizationTest(candidate, baseline, resampling);
    case 't':
      return pairedTTest(candidate, baseline, 'less').pValue;
    case 'bootstrap':
      return pairedBootstrapTest(candidate, baseline, resampling);
  }
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

/**
 * Whether the rule fails under its decision mode:
 * - point: the observed drop exceeds the threshold;
 * - significant: it exceeds the threshold and the (corrected) one-sided p-value is below alpha;
 * - confident: the upper end of the CI of the difference lies below −threshold, so the whole interval says
 *   the drop is larger than allowed (the CI's confidence was chosen when it was computed).
 */
export function dropFails(
  comparison: DropComparison,
  decide: Decide,
  adjustedPValue: number,
  alpha: number,
): boolean {
  const beyond = comparison.drop > comparison.threshold + ROUNDING;
  switch (decide) {
    case 'point':
      return beyond;
    case 'significant':
      return beyond && adjustedPValue < alpha;
    case 'confident':
      return comparison.ci.high < -comparison.threshold - ROUNDING;
  }
}
