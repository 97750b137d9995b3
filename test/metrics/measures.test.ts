import { describe, expect, it } from 'vitest';
import { aggregate, evaluateRun } from '../../src/metrics/evaluate.js';
import { relString } from '../../src/metrics/measures.js';
import { judgeRanking, rankOrder } from '../../src/metrics/rank.js';
import { parseMeasure, parseMeasureList } from '../../src/metrics/registry.js';
import type { Qrels, Run } from '../../src/metrics/types.js';
import { judgments, results, value } from './hand-query.js';

/** trec_eval's infAP constant. */
const EPS = 0.00001;

describe('measures on a hand-computed query', () => {
  it.each([
    ['P@5', 2 / 5],
    ['P@10', 2 / 10], // missing ranks count as non-relevant
    ['R@5', 2 / 3],
    ['R@1', 0],
    ['RR', 1 / 2],
    ['RR@1', 0],
    ['RR@2', 1 / 2],
    ['AP', (1 / 2 + 2 / 5) / 3], // divided by all 3 relevant, retrieved or not
    ['AP@2', 1 / 2 / 3],
    ['Rprec', 1 / 3],
    ['nDCG', (2 / Math.log2(3) + 1 / Math.log2(6)) / (3 + 2 / Math.log2(3) + 1 / 2)], // linear gains, ideal over all
    ['nDCG@2', 2 / Math.log2(3) / (3 + 2 / Math.log2(3))],
    ['Success@1', 0],
    ['Success@2', 1],
    ['Judged@5', 4 / 5], // d3, d1, d5, d2 are judged (a negative grade is a judgment)
    ['Judged@10', 4 / 5], // divided by the 5 retrieved, not 10: a short ranking is not unjudged
    ['Judged@2', 2 / 2],
    ['NumRet', 5],
    ['NumRel', 3],
    ['NumRelRet', 2],
    ['NumNonRelJudgedRet', 1], // d3
    ['Bpref', 0], // the one judged non-relevant document (d3) is above both relevant ones
    // d1 at rank 2 under 1 judged non-relevant; d2 at rank 5 under 1 relevant, 1 non-relevant, 1 pooled (d5).
    ['infAP', (0.5 + 0.5 * (EPS / (1 + 2 * EPS)) + 0.2 + 0.6 * ((1 + EPS) / (2 + 2 * EPS))) / 3],
    ['SetP', 2 / 5],
    ['SetR', 2 / 3],
    ['SetRelP', 2 / 3], // 2 ÷ min(5 retrieved, 3 relevant)
    ['SetAP', 4 / 15],
    ['SetF', 0.5],
    ['SetF(beta=2)', (3 * 0.4 * (2 / 3)) / (2 * 0.4 + 2 / 3)],
    ['Utility', 2 - 3], // +1 per relevant retrieved, −1 per other retrieved
    ['Utility(weights=[2,-1,-0.5,0.01],docs=100)', 4 - 3 - 0.5 + 0.01 * (100 + 2 - 5 - 3)],
    ['RelP@2', 1 / 2],
    ['RelP@5', 2 / 3], // ÷ min(5, R = 3)
    ['Unjudged@5', 2 / 5], // dX (not in the qrels) and d5 (a negative grade)
    ['Unjudged@10', 2 / 10], // ÷ k: missing ranks count as judged
    ['binG', (1 / Math.log2(3) + 1 / Math.log2(5)) / 3],
    ['IPrec@0', 1 / 2], // the best precision at or below the first relevant document (rank 2)
    ['IPrec@0.5', 2 / 5], // round(1.5) = 2 relevant: reached at rank 5
    ['IPrec@1', 0], // 3 relevant are never reached
    ['11ptAvg', (5 * 0.5 + 4 * 0.4) / 11],
    ['11ptAvg(levels=[0.5,1])', (0.4 + 0) / 2],
    ['RprecMult@1', 1 / 3], // P@⌊3 + 0.9⌋
    ['RprecMult@0.2', 0], // P@1
    ['RprecMult@2', 2 / 6],
    // Gains 1 → 3, 2 → 9 (3 keeps gain 3): ideal 9, 3, 3.
    ['nDCG(gains={1:3,2:9})', (9 / Math.log2(3) + 3 / Math.log2(6)) / (9 + 3 / Math.log2(3) + 3 / 2)],
    ['nDCG(gains={1:3,2:9})@2', 9 / Math.log2(3) / (9 + 3 / Math.log2(3))],
    ['RBP', 0.1 * ((2 / 3) * 0.9 + (1 / 3) * 0.9 ** 4)], // grades 0–3 scaled to 0–1
    ['RBP(p=0.5)', 0.5 * ((2 / 3) * 0.5 + (1 / 3) * 0.5 ** 4)],
    ['RBPResid', 0.9 ** 5 + 0.1 * (0.9 ** 2 + 0.9 ** 3)], // dX and d5 at ranks 3 and 4, then beyond rank 5
  ])('%s', (name, expected) => {
    expect(value(name)).toBeCloseTo(expected, 12);
  });

  it('relevance level 2 makes rel 1 non-relevant for every binary measure, not for nDCG gains', () => {
    expect(value('NumRel', 2)).toBe(2);
    expect(value('P@5', 2)).toBeCloseTo(1 / 5, 12);
    expect(value('AP', 2)).toBeCloseTo(1 / 2 / 2, 12);
    expect(value('nDCG', 2)).toBeCloseTo(value('nDCG', 1), 12);
  });

  it("relstring: grades, '-' outside the qrels, '.' for a negative grade", () => {
    expect(relString(judgeRanking(results, judgments, 1), 4)).toBe('02-.');
    expect(relString(judgeRanking(results, judgments, 1), 20)).toBe('02-.1');
  });

  it('Judged@k of an empty ranking is 0', () => {
    expect(parseMeasure('Judged@10').compute(judgeRanking(undefined, judgments, 1))).toBe(0);
  });

  it('a query with judgments but no relevant document scores 0 everywhere, without dividing by zero', () => {
    const none = judgeRanking(results, new Map([['d3', 0]]), 1);
    for (const name of ['P@5', 'R@5', 'RR', 'AP', 'nDCG@10', 'Rprec', 'Success@5']) {
      expect(parseMeasure(name).compute(none)).toBe(0);
    }
  });
});

describe('ranking follows trec_eval', () => {
  const order = (docids: string[], scores: number[]): string[] =>
    Array.from(rankOrder({ docids, scores }), (i) => docids[i] as string);

  it('breaks equal scores by doc id descending in byte order', () => {
    expect(order(['D10', 'D9', 'd10', 'a', 'B'], [1, 1, 1, 1, 1])).toEqual(['d10', 'a', 'D9', 'D10', 'B']);
  });

  it('compares ids as UTF-8 bytes, not UTF-16 units: an astral character sorts above U+FB00', () => {
    expect(order(['\uFB00', '\u{1D538}'], [1, 1])).toEqual(['\u{1D538}', '\uFB00']);
  });

  it('treats -0 and 0 as equal scores', () => {
    expect(order(['a', 'b'], [-0, 0])).toEqual(['b', 'a']);
  });
});

describe('which queries are evaluated', () => {
  const qrels: Qrels = new Map([
    ['q1', new Map([['d1', 1]])],
    ['q2', new Map([['d2', 1]])],
  ]);
  const run: Run = {
    runId: 't',
    queries: new Map([
      ['q1', { docids: ['d1'], scores: [1] }],
      ['q9', { docids: ['d9'], scores: [1] }],
    ]),
  };
  const measures = parseMeasureList('P@1');

  it('counts a judged query missing from the run as 0 with missing: empty (trec_eval -c)', () => {
    const evaluation = evaluateRun(qrels, run, measures, { missing: 'empty' });
    expect(evaluation.qids).toEqual(['q1', 'q2']);
    expect(evaluation.aggregates[0]).toBe(0.5);
    expect(evaluation.missingFromRun).toEqual(['q2']);
    expect(evaluation.unjudgedQueries).toEqual(['q9']);
  });

  it('leaves it out of the mean with missing: skip, and still reports it', () => {
    const evaluation = evaluateRun(qrels, run, measures, { missing: 'skip' });
    expect(evaluation.qids).toEqual(['q1']);
    expect(evaluation.aggregates[0]).toBe(1);
    expect(evaluation.missingFromRun).toEqual(['q2']);
  });
});

describe('measure names', () => {
  it('parses case-insensitively and prints canonically, with common aliases', () => {
    expect(parseMeasureList('ndcg@10, mrr, map, recall@5, hit@3, p@1').map((m) => m.name)).toEqual([
      'nDCG@10',
      'RR',
      'AP',
      'R@5',
      'Success@3',
      'P@1',
    ]);
  });

  it('lists the valid measures when a name is unknown', () => {
    expect(() => parseMeasure('nonsense')).toThrow(
      /unknown measure 'nonsense'. Valid measures: P@k, R@k, RR\[@k\]/,
    );
  });

  it('refuses a cutoff where one is needed or not allowed, and duplicates', () => {
    expect(() => parseMeasure('P')).toThrow(/needs a cutoff/);
    expect(() => parseMeasure('Rprec@5')).toThrow(/takes no cutoff/);
    expect(() => parseMeasure('P@0')).toThrow(/positive integer/);
    expect(() => parseMeasureList('P@5,p@5')).toThrow(/listed twice/);
  });

  it("reads trec_eval's names and parameters, and prints them canonically", () => {
    expect(
      parseMeasureList(
        'set_f(beta=2), ndcg(gains={1:3, 2:9})@10, iprec_at_recall@0.5, 11pt_avg(levels=[0.25,0.5]), ' +
          'utility(weights=[2,-1,0,0],docs=10), rbp(p=0.8), gm_map, bpref',
      ).map((m) => m.name),
    ).toEqual([
      'SetF(beta=2)',
      'nDCG(gains={1:3,2:9})@10',
      'IPrec@0.5',
      '11ptAvg(levels=[0.25,0.5])',
      'Utility(weights=[2,-1,0,0],docs=10)',
      'RBP(p=0.8)',
      'GMAP',
      'Bpref',
    ]);
  });

  it('refuses parameters a measure does not take, and malformed ones', () => {
    expect(() => parseMeasure('P(beta=2)@5')).toThrow(
      /unknown parameter 'beta=2' \(accepted: rel, judged_only\)/,
    );
    expect(() => parseMeasure('SetF(beta=x)')).toThrow(/'x' is not a number/);
    expect(() => parseMeasure('Utility(weights=[1,2])')).toThrow(/needs 4 weights/);
    expect(() => parseMeasure('nDCG(gains={a:1})')).toThrow(/not grade:gain/);
    expect(() => parseMeasure('RBP(p=0.8,p=0.9)')).toThrow(/given twice/);
    expect(() => parseMeasure('IPrec@high')).toThrow(/a number ≥ 0/);
    expect(() => parseMeasure('IPrec')).toThrow(/needs a cutoff, e.g. IPrec@0.5/);
  });

  it('aggregates gm_map as a geometric mean, each query floored at 0.00001', () => {
    expect(parseMeasure('GMAP').aggregate).toBe('geometric');
    expect(aggregate(Float64Array.of(0.5, 0), 'geometric')).toBeCloseTo(Math.sqrt(0.5 * 0.00001), 15);
    expect(aggregate(Float64Array.of(), 'geometric')).toBe(0);
  });
});
