import { describe, expect, it } from 'vitest';
import { scaledScores } from '../../src/report/page-data.js';

/** What the page's scores.js does with a scaled list. */
function unscaled(list: (number | null)[]): (number | null)[] {
  if (list.length === 0) return list;
  const scale = 10 ** (list[0] as number);
  return list.slice(1).map((n) => (n === null ? null : n / scale));
}

describe('scaledScores', () => {
  it('writes a list as integers over one power of ten, which the page divides back to the same numbers', () => {
    expect(scaledScores([0.893, 0.8605, 0.8366])).toEqual([4, 8930, 8605, 8366]);
    expect(scaledScores([11.4, null, 9])).toEqual([1, 114, null, 90]);
    expect(scaledScores([12, 7])).toEqual([0, 12, 7]);
    expect(scaledScores([])).toEqual([]);
    const lists = [
      [0.1, 0.2, 0.3],
      [0.7, 0.07, 0.007],
      [-1.2345, -2.5, 0],
      [28.0939, 28.0912, null],
      [1.0000000000000002, 0.30000000000000004],
      [1e-7, 0.5],
      [1.5e21, 3],
      [123456789.123456],
    ];
    for (const scores of lists) {
      const scaled = scaledScores(scores);
      expect(unscaled(scaled)).toEqual(scores);
      expect(JSON.stringify(scaled).length).toBeLessThanOrEqual(JSON.stringify(scores).length + 2);
    }
    expect(scaledScores([1e-7, 0.5])).toEqual([0, 1e-7, 0.5]); // no exact k: the scores as they are
    expect(scaledScores([-2.5, -1.2345])).toEqual([0, -2.5, -1.2345]); // -25000 would be longer
  });
});
