import { describe, expect, it } from 'vitest';
import { pairedStatisticBootstrap } from '../../src/metrics/weighted-bootstrap.js';

const options = { samples: 400, confidence: 0.95, seed: 7 };

/** The weighted share of items whose flag is 1: a ratio, recomputed on each resample's weights. */
const share =
  (flags: number[]) =>
  (weights: Float64Array): number => {
    let hit = 0;
    let all = 0;
    flags.forEach((flag, i) => {
      hit += (weights[i] as number) * flag;
      all += weights[i] as number;
    });
    return all > 0 ? hit / all : Number.NaN;
  };

describe('paired bootstrap of a statistic', () => {
  it('finds no difference between equal sides: interval [0, 0], p = 1', () => {
    const same = share([1, 0, 1, 1]);
    expect(pairedStatisticBootstrap(4, same, same, options)).toEqual({
      candidate: 0.75,
      baseline: 0.75,
      difference: 0,
      ci: { low: 0, high: 0 },
      pValue: 1,
    });
  });

  it('draws both sides from the same resample: a side worse by a constant is worse on every resample', () => {
    const base = share([1, 0, 1, 1]);
    const paired = pairedStatisticBootstrap(4, (w) => base(w) - 0.25, base, options);
    expect(paired?.difference).toBeCloseTo(-0.25, 12);
    expect(paired?.ci.low).toBeCloseTo(-0.25, 12);
    expect(paired?.ci.high).toBeCloseTo(-0.25, 12);
    // No resample on which the candidate is not worse: the smallest p the resamples allow.
    expect(paired?.pValue).toBe(1 / 401);
  });

  it('is undefined with no items or an undefined observed value, and skips undefined resamples', () => {
    const base = share([1, 1]);
    expect(pairedStatisticBootstrap(0, base, base, options)).toBeUndefined();
    expect(pairedStatisticBootstrap(2, () => Number.NaN, base, options)).toBeUndefined();
    // Undefined whenever item 0 is not drawn: those resamples are left out of p and the interval.
    const sometimes = (w: Float64Array): number => ((w[0] as number) > 0 ? 1 : Number.NaN);
    const paired = pairedStatisticBootstrap(2, sometimes, base, options);
    expect(paired?.ci).toEqual({ low: 0, high: 0 });
    expect(paired?.pValue).toBe(1);
  });
});
