import { describe, expect, it } from 'vitest';
import { pairedBootstrap, pairedBootstraps } from '../../src/metrics/paired.js';
import { seededRandom } from '../../src/metrics/random.js';

describe('pairedBootstraps', () => {
  const options = { samples: 500, confidence: 0.95, seed: 3 };
  const random = seededRandom(8);
  const column = () => Float64Array.from({ length: 57 }, () => random());

  it('gives exactly what a separate pairedBootstrap per measure gives, resampling once for all', () => {
    const pairs = [0, 1, 2].map(() => ({ candidate: column(), baseline: column() }));
    expect(pairedBootstraps(pairs, options)).toEqual(
      pairs.map(({ candidate, baseline }) => pairedBootstrap(candidate, baseline, options)),
    );
  });

  it('refuses measures paired over different queries', () => {
    const pairs = [
      { candidate: [1, 2], baseline: [1, 2] },
      { candidate: [1], baseline: [1] },
    ];
    expect(() => pairedBootstraps(pairs, options)).toThrow(/same queries/);
    expect(() => pairedBootstrap([1, 2], [1], options)).toThrow(/differ in length/);
  });
});
