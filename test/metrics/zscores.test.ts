import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { MISSING_ZSCORE, parseZScores } from '../../src/metrics/zscores.js';

describe('the z-score file of trec-eval -Z', () => {
  it('reads qid measure mean stddev lines, whitespace-separated', () => {
    const table = parseZScores('q1 map 0.2 0.05\n  q1\tP_5  0.3 1e-1 \nq2 map -1 0\n', 'z.txt');
    expect(table.get('q1')?.get('P_5')).toEqual({ mean: 0.3, stddev: 0.1 });
    expect(table.get('q2')?.get('map')).toEqual({ mean: -1, stddev: 0 });
    expect(MISSING_ZSCORE).toBe(-1000000);
  });

  it.each([
    ['q1 map 0.2\n', /z\.txt:1: expected 4 fields \(qid measure mean stddev\), got 3/],
    ['q1 map 0.2 0.1\n\n', /z\.txt:2: expected 4 fields/],
    ['q1 map 0.2 0.1 extra\n', /got 5/],
    ['q1 map 0.2 0.1\nq1 map abc 0.1\n', /z\.txt:2: .*mean.*'abc' is not a number/],
    ['q1 map 0.2 x\n', /stddev.*'x' is not a number/],
    ['q1 map 0.2 0.1\nq1 map 0.3 0.1\n', /z\.txt:2: query q1, measure map is given twice/],
  ])('refuses %j, naming the file and line', (text, message) => {
    expect(() => parseZScores(text, 'z.txt')).toThrow(UserError);
    expect(() => parseZScores(text, 'z.txt')).toThrow(message);
  });
});
