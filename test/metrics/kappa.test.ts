import { describe, expect, it } from 'vitest';
import { cohenKappa } from '../../src/metrics/kappa.js';

/** `count` copies of a pair of grades. */
const times = (count: number, pair: [number, number]): [number, number][] =>
  Array.from({ length: count }, () => pair);

describe("Cohen's kappa", () => {
  it('is (po − pe) / (1 − pe) unweighted: the textbook 2 × 2 case gives 0.4', () => {
    // po = 35/50 = 0.7; marginals 25/25 and 30/20 give pe = (25·30 + 25·20) / 50² = 0.5.
    const pairs = [...times(20, [0, 0]), ...times(5, [0, 1]), ...times(10, [1, 0]), ...times(15, [1, 1])];
    expect(cohenKappa(pairs, { min: 0, max: 1 })).toBeCloseTo(0.4, 12);
  });

  // Ten pairs on the 0–3 scale: six agree; misses (3,2) (2,1) (1,0) at distance 1 and (0,2) at distance 2.
  // Marginals: first annotator 3,2,2,3; second 3,2,3,2.
  const graded: [number, number][] = [
    [0, 0],
    [1, 1],
    [2, 2],
    [3, 3],
    [3, 2],
    [2, 1],
    [1, 0],
    [0, 2],
    [3, 3],
    [0, 0],
  ];

  it('counts every miss alike unweighted', () => {
    // po = 6/10, pe = (3·3 + 2·2 + 2·3 + 3·2) / 100 = 1/4 → (0.6 − 0.25) / 0.75 = 7/15.
    expect(cohenKappa(graded, { min: 0, max: 3 })).toBeCloseTo(7 / 15, 12);
  });

  it('counts a near miss as a partial agreement, weighted for grades', () => {
    // linear: observed Σw = 3·(1/3) + 2/3 = 5/3; expected Σw·r·c/n = 13/3 → 1 − 5/13 = 8/13.
    expect(cohenKappa(graded, { min: 0, max: 3 }, 'linear')).toBeCloseTo(8 / 13, 12);
    // quadratic: observed 3·(1/9) + 4/9 = 7/9; expected 3 → 1 − 7/27 = 20/27.
    expect(cohenKappa(graded, { min: 0, max: 3 }, 'quadratic')).toBeCloseTo(20 / 27, 12);
  });

  it('is 1 for full agreement, below 0 for systematic disagreement, and undefined where chance agrees fully', () => {
    expect(
      cohenKappa(
        [
          [0, 0],
          [3, 3],
          [1, 1],
        ],
        { min: 0, max: 3 },
        'linear',
      ),
    ).toBe(1);
    expect(
      cohenKappa(
        [
          [0, 1],
          [1, 0],
        ],
        { min: 0, max: 1 },
      ),
    ).toBe(-1);
    expect(
      cohenKappa(
        [
          [2, 2],
          [2, 2],
        ],
        { min: 0, max: 3 },
      ),
    ).toBeNull();
    expect(cohenKappa([], { min: 0, max: 3 })).toBeNull();
  });

  it('refuses a grade outside the scale', () => {
    expect(() => cohenKappa([[0, 4]], { min: 0, max: 3 })).toThrow(RangeError);
  });
});
