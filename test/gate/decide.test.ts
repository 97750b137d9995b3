import { describe, expect, it } from 'vitest';
import type { Decide, DropThreshold, PairedTest } from '../../src/config/gate-policy.js';
import { compareDrop, type DropComparison, dropFails } from '../../src/gate/decide.js';

const ALPHA = 0.05;
const MODES: Decide[] = ['point', 'significant', 'confident'];

/** Candidate and baseline values whose per-query differences (candidate − baseline) are `differences`. */
function pairsWith(differences: number[], baselineValue = 0.6): { candidate: number[]; baseline: number[] } {
  return {
    candidate: differences.map((d) => baselineValue + d),
    baseline: differences.map(() => baselineValue),
  };
}

function compare(
  differences: number[],
  threshold: DropThreshold = { abs: 0.03 },
  test: PairedTest = 'randomization',
): DropComparison {
  const { candidate, baseline } = pairsWith(differences);
  return compareDrop(candidate, baseline, {
    threshold,
    test,
    samples: 4000,
    seed: 42,
    confidence: 1 - 2 * ALPHA,
  });
}

/** Which decision modes fail the rule, with the comparison's own p-value (one rule, nothing to correct). */
function failing(comparison: DropComparison): Decide[] {
  return MODES.filter((mode) => dropFails(comparison, mode, comparison.pValue, ALPHA));
}

describe('compareDrop', () => {
  it('reports means, difference, drop, spread and the absolute threshold', () => {
    const comparison = compare([-0.2, -0.1, 0, -0.3, 0.1]);
    expect(comparison.baselineMean).toBeCloseTo(0.6, 12);
    expect(comparison.candidateMean).toBeCloseTo(0.5, 12);
    expect(comparison.difference).toBeCloseTo(-0.1, 12);
    expect(comparison.drop).toBeCloseTo(0.1, 12);
    expect(comparison.sdDifference).toBeCloseTo(Math.sqrt(0.025), 12);
    expect(comparison.queries).toBe(5);
    expect(comparison.threshold).toBe(0.03);
    expect(comparison.ci.low).toBeLessThan(comparison.difference);
    expect(comparison.ci.high).toBeGreaterThan(comparison.difference);
  });

  it('turns a relative threshold into points of the baseline mean', () => {
    expect(compare([-0.04, -0.04], { rel: 0.05 }).threshold).toBeCloseTo(0.03, 12); // 5 % of 0.6
  });

  it('computes the one-sided p-value with the chosen test', () => {
    // 50 queries lose 0.2 and 50 gain 0.1: mean −0.05, sd 0.15, t = −3.3; every test calls it significant.
    const differences = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? -0.2 : 0.1));
    for (const test of ['randomization', 't', 'bootstrap'] as const) {
      expect(compare(differences, { abs: 0.03 }, test).pValue).toBeLessThan(0.005);
    }
    // The mirror image (a gain) is nowhere near significant as a drop.
    expect(compare(differences.map((d) => -d)).pValue).toBeGreaterThan(0.99);
  });

  it('refuses an empty comparison', () => {
    expect(() =>
      compareDrop([], [], { threshold: { abs: 0 }, test: 't', samples: 10, seed: 1, confidence: 0.9 }),
    ).toThrow(RangeError);
  });
});

describe('dropFails: where the three decision modes disagree', () => {
  it('a noisy drop above the threshold: point fails, significant and confident pass', () => {
    // Mean drop 0.05 > 0.03, but the queries disagree in sign: the sign-flip p is far above 0.05.
    const comparison = compare([-0.5, 0.4, -0.3, 0.2, -0.2, 0.1, -0.1, 0]);
    expect(comparison.drop).toBeCloseTo(0.05, 12);
    expect(comparison.pValue).toBeGreaterThan(0.2);
    expect(comparison.ci.high).toBeGreaterThan(0);
    expect(failing(comparison)).toEqual(['point']);
  });

  it('a real drop whose interval still reaches the threshold: point and significant fail, confident passes', () => {
    // Mean drop 0.05 with sd 0.15 on 100 queries: se 0.015, p ≈ 0.001 against no drop, but the 90 % CI
    // ≈ [−0.075, −0.025] reaches above −0.03, so a drop within the allowance is still plausible.
    const comparison = compare(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? -0.2 : 0.1)));
    expect(comparison.pValue).toBeLessThan(0.005);
    expect(comparison.ci.high).toBeGreaterThan(-0.03);
    expect(comparison.ci.high).toBeLessThan(-0.015);
    expect(failing(comparison)).toEqual(['point', 'significant']);
  });

  it('a large consistent drop fails every mode; an improvement fails none', () => {
    const drop = compare(Array.from({ length: 60 }, (_, i) => -0.1 + (i % 3) * 0.01));
    expect(failing(drop)).toEqual(MODES);
    const gain = compare(Array.from({ length: 60 }, (_, i) => 0.1 - (i % 3) * 0.01));
    expect(failing(gain)).toEqual([]);
  });

  it('a drop of exactly the threshold passes, however 0.6 − 0.57 rounds', () => {
    const comparison = compare(Array.from({ length: 10 }, () => -0.03));
    expect(failing(comparison)).toEqual([]);
  });

  it('significant uses the corrected p-value it is given, not the raw one', () => {
    const comparison = compare(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? -0.2 : 0.1)));
    expect(dropFails(comparison, 'significant', comparison.pValue, ALPHA)).toBe(true);
    expect(dropFails(comparison, 'significant', 0.06, ALPHA)).toBe(false);
  });

  it('a relative threshold: a 0.04 drop from 0.6 exceeds 5 % (0.03) but not 10 % (0.06)', () => {
    const differences = Array.from({ length: 40 }, (_, i) => -0.04 + (i % 2 === 0 ? 0.005 : -0.005));
    expect(failing(compare(differences, { rel: 0.05 }))).toEqual(MODES);
    expect(failing(compare(differences, { rel: 0.1 }))).toEqual([]);
  });
});
