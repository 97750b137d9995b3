import { describe, expect, it } from 'vitest';
import { holmAdjust, pairedTTest } from '../../src/metrics/significance.js';
import { pairwiseTests } from '../../src/report/report-pairwise.js';

/** Per system, one measure's values over five queries: c is far above a, b a little above a. */
const VALUES: Record<number, number[]> = {
  0: [0.1, 0.2, 0.3, 0.2, 0.1],
  1: [0.15, 0.2, 0.35, 0.2, 0.1],
  3: [0.9, 0.8, 0.95, 0.85, 0.9],
};
const pair = (a: number, b: number) => ({
  candidate: VALUES[a] as number[],
  baseline: VALUES[b] as number[],
});

describe('pairwiseTests', () => {
  it('tests every pair of the systems that ran, two-sided, and Holm-corrects each measure’s p-values together', () => {
    const result = pairwiseTests([0, 1, 3], ['nDCG@10'], pair);
    const pairs = result?.measures['nDCG@10'] ?? [];
    expect(pairs.map(({ a, b }) => [a, b])).toEqual([
      [0, 1],
      [0, 3],
      [1, 3],
    ]);
    const p = pairs.map(
      ({ a, b }) => pairedTTest(VALUES[a] as number[], VALUES[b] as number[], 'two-sided').pValue,
    );
    expect(pairs.map((x) => x.p)).toEqual(p);
    expect(pairs.map((x) => x.adjusted)).toEqual(holmAdjust(p));
    expect(pairs[1]?.difference).toBeCloseTo(-0.7, 10);
    expect(pairs[1]?.adjusted).toBeLessThan(0.05);
    expect(pairs[0]?.adjusted).toBeGreaterThan(0.05);
    expect(result).toMatchObject({ correction: 'holm', alpha: 0.05 });
  });

  it('leaves out pairs without shared queries, and needs two systems', () => {
    const result = pairwiseTests([0, 1, 3], ['R@5'], (a, b) => (a === 0 && b === 1 ? null : pair(a, b)));
    expect(result?.measures['R@5']?.map(({ a, b }) => [a, b])).toEqual([
      [0, 3],
      [1, 3],
    ]);
    expect(pairwiseTests([0], ['R@5'], pair)).toBeNull();
  });
});
