import { normalQuantile, studentTCdf } from './distributions.js';
import { seededRandom } from './random.js';

/**
 * Paired significance tests of a candidate against a baseline on the same queries, the multiple-comparison
 * corrections a gate of several rules needs, and the smallest drop a test of a given size can see. Both
 * arrays are aligned by query. Every test works on the per-query differences candidate − baseline: pairing
 * removes the query-to-query variance both systems share, which is most of it.
 */

/** The alternative hypothesis about the candidate's mean relative to the baseline's ('less': a drop). */
export type Alternative = 'less' | 'greater' | 'two-sided';

export interface ResamplingTestOptions {
  /** Resamples; the p-value can be no smaller than 1 / (samples + 1). */
  samples: number;
  seed: number;
  alternative: Alternative;
}

/**
 * Resampled statistics closer to the observed one than this share of Σ|differences| count as equal to it:
 * they are the same sum added up in another order. Distinct sums of measure values differ by far more.
 */
const TIE_TOLERANCE = 1e-9;

const TWO_TO_THE_32 = 4294967296;

function differences(candidate: ArrayLike<number>, baseline: ArrayLike<number>): Float64Array {
  const n = candidate.length;
  if (n !== baseline.length)
    throw new RangeError(`paired values differ in length: ${n} and ${baseline.length}`);
  const result = new Float64Array(n);
  for (let i = 0; i < n; i++) result[i] = (candidate[i] as number) - (baseline[i] as number);
  return result;
}

/** Which resampled statistics are at least as extreme as the observed one, in the alternative's direction. */
function atLeastAsExtreme(
  alternative: Alternative,
  observed: number,
  tolerance: number,
): (value: number) => boolean {
  switch (alternative) {
    case 'less':
      return (value) => value <= observed + tolerance;
    case 'greater':
      return (value) => value >= observed - tolerance;
    case 'two-sided': {
      const size = Math.abs(observed) - tolerance;
      return (value) => Math.abs(value) >= size;
    }
  }
}

export interface DifferenceSummary {
  /** Mean of candidate − baseline. */
  mean: number;
  /** Sample standard deviation (n − 1) of the differences; exactly 0 when they are all equal, or n < 2. */
  sd: number;
  queries: number;
}

/** Mean and standard deviation of the per-query differences: what the t-test and the MDE are made of. */
export function summarizeDifferences(
  candidate: ArrayLike<number>,
  baseline: ArrayLike<number>,
): DifferenceSummary {
  const d = differences(candidate, baseline);
  const n = d.length;
  let sum = 0;
  let allEqual = true;
  for (let i = 0; i < n; i++) {
    sum += d[i] as number;
    if (d[i] !== d[0]) allEqual = false;
  }
  const mean = n === 0 ? 0 : sum / n;
  if (allEqual || n < 2) return { mean, sd: 0, queries: n };
  let squares = 0;
  for (let i = 0; i < n; i++) squares += ((d[i] as number) - mean) ** 2;
  return { mean, sd: Math.sqrt(squares / (n - 1)), queries: n };
}

/**
 * Paired randomization (sign-flip) test: under H0 the two systems are exchangeable on each query, so each
 * difference is as likely to have the other sign. The statistic is the sum of the differences (the mean,
 * scaled); each resample flips every sign with probability 1/2. p = (1 + resamples at least as extreme) /
 * (1 + samples), the estimator that never claims p = 0 from a finite sample. No differences (or all zero): 1.
 */
export function pairedRandomizationTest(
  candidate: ArrayLike<number>,
  baseline: ArrayLike<number>,
  options: ResamplingTestOptions,
): number {
  // A zero difference flips to itself: leaving it out changes no statistic and shortens the hot loop
  // (two similar systems score most queries the same).
  const nonZero = differences(candidate, baseline).filter((d) => d !== 0);
  const n = nonZero.length;
  let observed = 0;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    observed += nonZero[i] as number;
    scale += Math.abs(nonZero[i] as number);
  }
  const extreme = atLeastAsExtreme(options.alternative, observed, scale * TIE_TOLERANCE);
  const random = seededRandom(options.seed);
  let count = 0;
  for (let s = 0; s < options.samples; s++) {
    let sum = 0;
    let bits = 0;
    for (let i = 0; i < n; i++) {
      if ((i & 31) === 0) bits = (random() * TWO_TO_THE_32) >>> 0; // 32 coin flips per draw
      sum += bits & 1 ? -(nonZero[i] as number) : (nonZero[i] as number);
      bits >>>= 1;
    }
    if (extreme(sum)) count++;
  }
  return (1 + count) / (1 + options.samples);
}

export interface TTestResult {
  t: number;
  /** Degrees of freedom: queries − 1. */
  df: number;
  pValue: number;
}

/**
 * Paired t-test: t = mean / (sd / √n) with n − 1 degrees of freedom. When every difference is the same the
 * variance is zero and t is ±∞: p is 0 in the direction of the difference and 1 against it; all zero is no
 * evidence at all (t = 0, p = 1). Fewer than two queries give no variance to test with: p = 1, t = NaN.
 */
export function pairedTTest(
  candidate: ArrayLike<number>,
  baseline: ArrayLike<number>,
  alternative: Alternative,
): TTestResult {
  const { mean, sd, queries } = summarizeDifferences(candidate, baseline);
  const df = queries - 1;
  if (queries < 2) return { t: Number.NaN, df: Math.max(df, 0), pValue: 1 };
  if (sd === 0 && mean === 0) return { t: 0, df, pValue: 1 };
  const t = sd === 0 ? Math.sign(mean) * Number.POSITIVE_INFINITY : mean / (sd / Math.sqrt(queries));
  const pValue =
    alternative === 'less'
      ? studentTCdf(t, df)
      : alternative === 'greater'
        ? studentTCdf(-t, df)
        : Math.min(1, 2 * studentTCdf(-Math.abs(t), df));
  return { t, df, pValue };
}

/**
 * Paired bootstrap test by the shift method: the differences are centred on zero (so H0, no mean
 * difference, holds in the resampling world), resampled with replacement, and the observed mean is compared
 * with the resampled means. p = (1 + at least as extreme) / (1 + samples). No queries: 1.
 */
export function pairedBootstrapTest(
  candidate: ArrayLike<number>,
  baseline: ArrayLike<number>,
  options: ResamplingTestOptions,
): number {
  const centred = differences(candidate, baseline);
  const n = centred.length;
  if (n === 0) return 1;
  let observed = 0;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    observed += centred[i] as number;
    scale += Math.abs(centred[i] as number);
  }
  observed /= n;
  for (let i = 0; i < n; i++) centred[i] = (centred[i] as number) - observed;
  const extreme = atLeastAsExtreme(options.alternative, observed, (scale / n) * TIE_TOLERANCE);
  const random = seededRandom(options.seed);
  let count = 0;
  for (let s = 0; s < options.samples; s++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += centred[Math.floor(random() * n)] as number;
    if (extreme(sum / n)) count++;
  }
  return (1 + count) / (1 + options.samples);
}

/**
 * Holm's step-down adjustment: controls the family-wise error rate like Bonferroni but rejects more. The
 * i-th smallest of m p-values is multiplied by m − i + 1, then made monotone. Returned in input order.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => (pValues[a] as number) - (pValues[b] as number));
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * (pValues[index] as number)));
    adjusted[index] = running;
  });
  return adjusted;
}

/** Bonferroni's adjustment: every p-value times the number of tests, capped at 1. */
export function bonferroniAdjust(pValues: readonly number[]): number[] {
  return pValues.map((p) => Math.min(1, p * pValues.length));
}

/**
 * The smallest true mean difference a one-sided paired test at `alpha` detects with probability `power`
 * on `queries` queries whose differences have standard deviation `sdDifference` (normal approximation):
 * (z_{1−alpha} + z_{power}) · sd / √n. A gate that cannot see the drops it is meant to stop says so.
 */
export function minimumDetectableEffect(options: {
  sdDifference: number;
  queries: number;
  alpha: number;
  power: number;
}): number {
  const z = normalQuantile(1 - options.alpha) + normalQuantile(options.power);
  return (z * options.sdDifference) / Math.sqrt(options.queries);
}
