import { describe, expect, it } from 'vitest';
import {
  bonferroniAdjust,
  holmAdjust,
  minimumDetectableEffect,
  pairedBootstrapTest,
  pairedRandomizationTest,
  pairedTTest,
  summarizeDifferences,
} from '../../src/metrics/significance.js';

const SAMPLES = 20_000;

/** Candidate and baseline arrays whose per-query differences (candidate − baseline) are `differences`. */
function pairsWith(differences: number[]): { candidate: number[]; baseline: number[] } {
  const baseline = differences.map((_, i) => 0.3 + (i % 5) * 0.1);
  return { candidate: differences.map((d, i) => (baseline[i] as number) + d), baseline };
}

describe('pairedRandomizationTest', () => {
  const worse = pairsWith([-1, -1, -1, -1]);

  it('estimates the exact sign-flip p-value: 4 drops of 1 → 1/16 one-sided, 2/16 two-sided', () => {
    // Of the 16 equally likely sign patterns only "all negative" is as extreme as the observed sum −4.
    const test = (alternative: 'less' | 'greater' | 'two-sided') =>
      pairedRandomizationTest(worse.candidate, worse.baseline, { samples: SAMPLES, seed: 1, alternative });
    expect(test('less')).toBeGreaterThan(1 / 16 - 0.01);
    expect(test('less')).toBeLessThan(1 / 16 + 0.01);
    expect(Math.abs(test('two-sided') - 2 / 16)).toBeLessThan(0.01);
    expect(test('greater')).toBe(1); // every flipped sum is ≥ −4
  });

  it('ignores queries on which both systems score the same', () => {
    const withTies = pairsWith([-1, 0, -1, 0, 0, -1, -1, 0]);
    const p = pairedRandomizationTest(withTies.candidate, withTies.baseline, {
      samples: SAMPLES,
      seed: 1,
      alternative: 'less',
    });
    expect(Math.abs(p - 1 / 16)).toBeLessThan(0.01);
  });

  it('flips every sign fairly beyond the first 32 queries', () => {
    // 26 drops and 14 gains of 1: observed sum −12; a flipped sum is 40 − 2K with K ~ Binomial(40, 1/2)
    // negatives, so p = P(K ≥ 26) = 0.040345.
    const mixed = pairsWith(Array.from({ length: 40 }, (_, i) => (i % 20 < 13 ? -0.1 : 0.1)));
    const p = pairedRandomizationTest(mixed.candidate, mixed.baseline, {
      samples: SAMPLES,
      seed: 3,
      alternative: 'less',
    });
    expect(Math.abs(p - 0.040345)).toBeLessThan(0.006);
  });

  it('never returns 0, gives 1 with no differences, and repeats itself for a seed', () => {
    const allWorse = pairsWith(Array.from({ length: 40 }, () => -0.2));
    const options = { samples: 999, seed: 5, alternative: 'less' } as const;
    expect(pairedRandomizationTest(allWorse.candidate, allWorse.baseline, options)).toBe(1 / 1000);
    const same = [0.2, 0.5, 0.7];
    expect(pairedRandomizationTest(same, same, { ...options, alternative: 'two-sided' })).toBe(1);
    const mixed = pairsWith([-0.3, 0.1, -0.2, -0.1, 0.2, -0.4]);
    const p = pairedRandomizationTest(mixed.candidate, mixed.baseline, options);
    expect(pairedRandomizationTest(mixed.candidate, mixed.baseline, options)).toBe(p);
  });
});

describe('pairedTTest', () => {
  // d = [−0.2, −0.1, 0, −0.3, 0.1]: mean −0.1, sd √(0.1 / 4) = 0.158114, t = −0.1 / (0.158114 / √5) = −√2,
  // df 4. With 4 df, P(T ≤ t) = 1/2 + (3/8)·u·(1 − u²/12)... in closed form u = t/√(1 + t²/4):
  // 1/2 + (3/8)(−√2/√1.5)(1 − 2/18) = 0.1150998.
  const { candidate, baseline } = pairsWith([-0.2, -0.1, 0, -0.3, 0.1]);

  it('computes t, df and the p-value of each alternative', () => {
    const less = pairedTTest(candidate, baseline, 'less');
    expect(less.t).toBeCloseTo(-Math.SQRT2, 10);
    expect(less.df).toBe(4);
    expect(less.pValue).toBeCloseTo(0.1150998205, 9);
    expect(pairedTTest(candidate, baseline, 'greater').pValue).toBeCloseTo(1 - 0.1150998205, 9);
    expect(pairedTTest(candidate, baseline, 'two-sided').pValue).toBeCloseTo(2 * 0.1150998205, 9);
  });

  it('decides by direction when every difference is the same', () => {
    const drop = pairsWith([-0.25, -0.25, -0.25]);
    expect(pairedTTest(drop.candidate, drop.baseline, 'less')).toEqual({
      t: Number.NEGATIVE_INFINITY,
      df: 2,
      pValue: 0,
    });
    expect(pairedTTest(drop.candidate, drop.baseline, 'greater').pValue).toBe(1);
    expect(pairedTTest(drop.candidate, drop.baseline, 'two-sided').pValue).toBe(0);
    const same = [0.1, 0.4, 0.4];
    for (const alternative of ['less', 'greater', 'two-sided'] as const) {
      expect(pairedTTest(same, same, alternative)).toEqual({ t: 0, df: 2, pValue: 1 });
    }
  });

  it('has no evidence from one query and refuses unpaired arrays', () => {
    expect(pairedTTest([0.1], [0.9], 'less').pValue).toBe(1);
    expect(() => pairedTTest([0.1, 0.2], [0.1], 'less')).toThrow(/differ in length/);
  });
});

describe('summarizeDifferences', () => {
  it('gives the mean and sample standard deviation of candidate − baseline', () => {
    const { candidate, baseline } = pairsWith([-0.2, -0.1, 0, -0.3, 0.1]);
    const summary = summarizeDifferences(candidate, baseline);
    expect(summary.mean).toBeCloseTo(-0.1, 12);
    expect(summary.sd).toBeCloseTo(Math.sqrt(0.025), 12);
    expect(summary.queries).toBe(5);
  });
});

describe('pairedBootstrapTest (shift method)', () => {
  // d = [−1, 0, 0, 0] centred: [−0.75, 0.25, 0.25, 0.25], observed mean −0.25. A resample with K draws of
  // −0.75 sums to 1 − K, so P(mean* ≤ −0.25) = P(K ≥ 2), K ~ Binomial(4, 1/4): 1 − 81/256 − 108/256.
  const { candidate, baseline } = pairsWith([-1, 0, 0, 0]);
  const test = (alternative: 'less' | 'greater' | 'two-sided') =>
    pairedBootstrapTest(candidate, baseline, { samples: SAMPLES, seed: 11, alternative });

  it('estimates the exact resampling probabilities of each alternative', () => {
    expect(Math.abs(test('less') - 67 / 256)).toBeLessThan(0.01);
    expect(Math.abs(test('greater') - 243 / 256)).toBeLessThan(0.01); // K ≤ 2
    expect(Math.abs(test('two-sided') - 148 / 256)).toBeLessThan(0.01); // |1 − K| ≥ 1: K ≠ 1
  });

  it('is as small as it can be when every query drops by the same amount', () => {
    const drop = pairsWith([-0.1, -0.1, -0.1, -0.1, -0.1]);
    const options = { samples: 499, seed: 2, alternative: 'less' } as const;
    expect(pairedBootstrapTest(drop.candidate, drop.baseline, options)).toBe(1 / 500);
    expect(pairedBootstrapTest(drop.candidate, drop.baseline, { ...options, alternative: 'greater' })).toBe(
      1,
    );
  });
});

describe('multiple-comparison adjustments', () => {
  it('Holm: sorted p-values times m, m − 1, …, made monotone, in input order', () => {
    // Sorted: 0.01 × 3 = 0.03, 0.03 × 2 = 0.06, 0.04 × 1 = 0.04 → raised to 0.06.
    expect(holmAdjust([0.01, 0.04, 0.03])).toEqual([0.03, 0.06, 0.06]);
    expect(holmAdjust([0.5, 0.6])).toEqual([1, 1]);
    expect(holmAdjust([0.04, 0.001, 0.2, 0.01]).map((p) => Number(p.toFixed(10)))).toEqual([
      0.08, 0.004, 0.2, 0.03,
    ]);
    expect(holmAdjust([])).toEqual([]);
  });

  it('Bonferroni: every p-value times m, capped at 1', () => {
    expect(bonferroniAdjust([0.01, 0.04, 0.03]).map((p) => Number(p.toFixed(10)))).toEqual([
      0.03, 0.12, 0.09,
    ]);
    expect(bonferroniAdjust([0.5, 0.2])).toEqual([1, 0.4]);
  });
});

describe('minimumDetectableEffect', () => {
  it('is (z_0.95 + z_0.8) · sd / √n: 0.0431 for sd 0.3 on 300 queries, half that on 4× the queries', () => {
    const mde = (queries: number) =>
      minimumDetectableEffect({ sdDifference: 0.3, queries, alpha: 0.05, power: 0.8 });
    expect(mde(300)).toBeCloseTo(0.043067, 6);
    expect(mde(1200)).toBeCloseTo(0.043067 / 2, 6);
  });
});
