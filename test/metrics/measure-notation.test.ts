import { describe, expect, it } from 'vitest';
import { judgeRanking } from '../../src/metrics/rank.js';
import { parseMeasure, parseMeasureList } from '../../src/metrics/registry.js';
import { value } from './hand-query.js';

/** ir_measures' and ranx's measures and parameter notation, on the hand-computed query of hand-query.ts. */

/** gdeval's stopping probability for a grade on a 0–max scale. */
const stop = (grade: number, max = 4): number => (2 ** grade - 1) / 2 ** max;

describe('per-measure relevance threshold (rel=)', () => {
  it.each([
    ['P(rel=2)@5', 1 / 5], // only d1 (2) counts; d2 (1) does not
    ['R(rel=2)@5', 1 / 2], // R = 2 at level 2: d1 and d4
    ['AP(rel=2)', 1 / 2 / 2],
    ['RR(rel=2)', 1 / 2],
    ['RR(rel=3)', 0],
    ['P(rel=0)@5', 3 / 5], // every judged document with a grade ≥ 0: d3, d1, d2
    ['RBP(p=0.5,rel=2)', 0.5 * 0.5], // binary: d1 at rank 2 earns 1, weighted p^1
  ])('%s = %d', (name, expected) => {
    expect(value(name)).toBeCloseTo(expected, 12);
  });

  it("overrides the run's level in both directions (trec_eval -l for the rest)", () => {
    expect(value('P@5', 2)).toBeCloseTo(1 / 5, 12);
    expect(value('P(rel=1)@5', 2)).toBeCloseTo(2 / 5, 12);
    expect(value('R(rel=1)@5', 3)).toBeCloseTo(2 / 3, 12);
  });
});

describe('judged_only', () => {
  it('drops documents without a judgment (and negative grades, as trec_eval -J) before measuring', () => {
    // Judged ranking: d3 (0), d1 (2), d2 (1).
    expect(value('P@3')).toBeCloseTo(1 / 3, 12);
    expect(value('P(judged_only)@3')).toBeCloseTo(2 / 3, 12);
    const ideal = 3 + 2 / Math.log2(3) + 1 / 2;
    expect(value('nDCG@3(judged_only)')).toBeCloseTo((2 / Math.log2(3) + 1 / 2) / ideal, 12);
  });
});

describe('exponential gains, DCG, F1, hits', () => {
  it('nDCG with dcg=exp-log2 gains 2^grade − 1 (ranx ndcg_burges, ir_measures exp-log2)', () => {
    const dcg = 3 / Math.log2(3) + 1 / Math.log2(6);
    const ideal = 7 + 3 / Math.log2(3) + 1 / 2;
    expect(value('nDCG(dcg=exp-log2)@5')).toBeCloseTo(dcg / ideal, 12);
    expect(value('ndcg_burges@5')).toBe(value('nDCG(dcg=exp-log2)@5'));
    expect(value('DCG(dcg=exp-log2)@5')).toBeCloseTo(dcg, 12);
    expect(value('DCG@5')).toBeCloseTo(2 / Math.log2(3) + 1 / Math.log2(6), 12);
  });

  it('F1@k and Hits@k as ranx defines them', () => {
    expect(value('F1@5')).toBeCloseTo((2 * (2 / 5) * (2 / 3)) / (2 / 5 + 2 / 3), 12);
    expect(value('F1@1')).toBe(0);
    expect(value('Hits@5')).toBe(2);
  });
});

describe('ERR and nERR (gdeval)', () => {
  it('ERR@k: the cascade over grades, unjudged and negative grades stopping nobody', () => {
    expect(value('ERR@5')).toBeCloseTo(stop(2) / 2 + ((1 - stop(2)) * stop(1)) / 5, 12);
    expect(value('ERR@1')).toBe(0);
    expect(value('ERR(max_rel=3)@5')).toBeCloseTo(stop(2, 3) / 2 + ((1 - stop(2, 3)) * stop(1, 3)) / 5, 12);
  });

  it("nERR@k divides by the ideal ranking's ERR at the same cutoff", () => {
    const ideal = stop(3) + ((1 - stop(3)) * stop(2)) / 2 + ((1 - stop(3)) * (1 - stop(2)) * stop(1)) / 3;
    expect(value('nERR@5')).toBeCloseTo(value('ERR@5') / ideal, 12);
    expect(value('nERR@5')).toBeLessThan(1);
  });

  it('refuses a grade above the scale, naming the parameter that fixes it', () => {
    const graded = new Map([['d1', 5]]);
    const ranking = judgeRanking({ docids: ['d1'], scores: [1] }, graded, 1);
    expect(() => parseMeasure('ERR@5').compute(ranking)).toThrow(/grade 5 .* ERR\(max_rel=5\)@k/);
    expect(parseMeasure('ERR(max_rel=5)@5').compute(ranking)).toBeCloseTo(31 / 32, 12);
  });
});

describe('the notation, parsed and printed canonically', () => {
  it.each([
    ['P@5(rel=2)', 'P(rel=2)@5'],
    ['p(REL=2)@5', 'P(rel=2)@5'],
    ['nDCG@10(judged_only)', 'nDCG(judged_only=true)@10'],
    ['nDCG(judged_only=True)@10', 'nDCG(judged_only=true)@10'],
    ['nDCG(judged_only=False)@10', 'nDCG@10'],
    ["nDCG(dcg='exp-log2')@10", 'nDCG(dcg=exp-log2)@10'],
    ['nDCG@10(gains=exp)', 'nDCG(dcg=exp-log2)@10'],
    ['nDCG(dcg=log2)@10', 'nDCG@10'],
    ['ndcg_burges@10', 'nDCG(dcg=exp-log2)@10'],
    ['dcg_burges@3', 'DCG(dcg=exp-log2)@3'],
    ['AP(rel=2)', 'AP(rel=2)'],
    ['RBP(rel=1,p=0.8)', 'RBP(p=0.8,rel=1)'],
    ['ERR@20', 'ERR@20'],
    ['r-precision', 'Rprec'],
  ])('%s → %s', (written, canonical) => {
    expect(parseMeasure(written).name).toBe(canonical);
  });

  it('treats two spellings of one measure as the same measure', () => {
    expect(() => parseMeasureList('P(rel=2)@5,P@5(rel=2)')).toThrow(/'P\(rel=2\)@5' is listed twice/);
  });

  it.each([
    ['P(rel)@5', /parameter 'rel' needs a value/],
    ['nDCG(rel=2)@5', /unknown parameter 'rel=2' \(accepted: gains, dcg, judged_only\)/],
    ['P(rel=1.5)@5', /whole number ≥ 0/],
    ['nDCG(judged_only=maybe)@5', /'maybe' is not true or false/],
    ['nDCG(dcg=exp)@5', /not one of log2, exp-log2/],
    ['nDCG(gains=exp,gains={1:2})@5', /given twice|not both/],
    ['nDCG(dcg=exp-log2,gains={1:2})@5', /not both/],
    ['P(rel=2)@5(rel=3)', /give the parameters once/],
    ['ERR(max_rel=0)@5', /whole number ≥ 1/],
  ])('refuses %s', (written, message) => {
    expect(() => parseMeasure(written)).toThrow(message);
  });
});
