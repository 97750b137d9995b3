import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile, regularizedBeta, studentTCdf } from '../../src/metrics/distributions.js';

// Reference values: R's pnorm/qnorm/pt (the same as scipy.stats), and closed forms where one exists.

describe('normalQuantile', () => {
  it.each([
    [0.975, 1.959963985],
    [0.95, 1.644853627],
    [0.8, 0.8416212336],
    [0.5, 0],
    [0.05, -1.644853627],
    [0.01, -2.326347874],
    [0.001, -3.090232306],
    [1e-10, -6.361340902],
  ])('Φ⁻¹(%d) = %d', (p, expected) => {
    expect(normalQuantile(p)).toBeCloseTo(expected, 8);
  });

  it('is symmetric and inverts normalCdf across the range, tails included', () => {
    for (const p of [1e-12, 1e-6, 0.0001, 0.02, 0.02425, 0.03, 0.2, 0.4999, 0.6, 0.9, 0.999]) {
      const upper = 1 - p; // 1 − upper is exact; 1 − p is not, for the smallest p
      expect(normalQuantile(upper)).toBeCloseTo(-normalQuantile(1 - upper), 9);
      expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 8);
    }
  });

  it('gives infinities at 0 and 1 and refuses what is not a probability', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(() => normalQuantile(1.5)).toThrow(RangeError);
    expect(() => normalQuantile(Number.NaN)).toThrow(RangeError);
  });
});

describe('normalCdf', () => {
  it.each([
    [1.96, 0.9750021049],
    [1, 0.8413447461],
    [0, 0.5],
    [-0.5, 0.3085375387],
    [-3, 0.001349898032],
  ])('Φ(%d) = %d', (x, expected) => {
    expect(normalCdf(x)).toBeCloseTo(expected, 9);
  });

  it('keeps its relative precision in the far lower tail (not 1 − Φ(8), which is 0 or 1e-16)', () => {
    expect(normalCdf(-8) / 6.22096057427174e-16).toBeCloseTo(1, 6);
    expect(normalCdf(-20) / 2.7536241186061556e-89).toBeCloseTo(1, 6);
  });
});

describe('regularizedBeta', () => {
  it('matches the binomial sums of integer parameters', () => {
    // I_x(2, 3) = Σ_{j=2..4} C(4, j) x^j (1 − x)^{4−j}; at 1/2: (6 + 4 + 1) / 16.
    expect(regularizedBeta(0.5, 2, 3)).toBeCloseTo(11 / 16, 12);
    // I_x(1, b) = 1 − (1 − x)^b, on both sides of the switch to the symmetric fraction.
    expect(regularizedBeta(0.3, 1, 4)).toBeCloseTo(1 - 0.7 ** 4, 12);
    expect(regularizedBeta(0.9, 1, 4)).toBeCloseTo(1 - 0.1 ** 4, 12);
    expect(regularizedBeta(0, 2, 3)).toBe(0);
    expect(regularizedBeta(1, 2, 3)).toBe(1);
  });
});

describe('studentTCdf', () => {
  it.each([
    [2.0, 10, 0.9633059826],
    // Closed form for 3 df: 1/2 + (u/(1 + u²) + atan u)/π with u = t/√3. (The value 0.1152802 sometimes
    // quoted for this case is a typo: R's pt(-1.5, 3) is 0.1152919.)
    [-1.5, 3, 0.1152919326],
    [0.3, 2.5, 0.6063288143],
    [3, 1000, 0.9986166455],
    [-2.2, 299, 0.01428587428],
    [0, 7, 0.5],
  ])('pt(%d, %d) = %d', (t, df, expected) => {
    expect(studentTCdf(t, df)).toBeCloseTo(expected, 9);
  });

  it('agrees with the closed forms of 1 df (Cauchy) and 2 df', () => {
    for (const t of [-30, -2, -0.7, 0.1, 1, 5]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
    }
  });

  it('keeps small tail probabilities precise and tends to the normal as df grows', () => {
    expect(studentTCdf(-4, 50) / 1.0459512318201668e-4).toBeCloseTo(1, 9);
    expect(studentTCdf(2, 1e6)).toBeCloseTo(normalCdf(2), 6);
  });

  it('handles infinite t and refuses non-positive degrees of freedom', () => {
    expect(studentTCdf(Number.POSITIVE_INFINITY, 4)).toBe(1);
    expect(studentTCdf(Number.NEGATIVE_INFINITY, 4)).toBe(0);
    expect(() => studentTCdf(1, 0)).toThrow(RangeError);
  });
});
