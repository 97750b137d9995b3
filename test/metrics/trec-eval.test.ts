import { describe, expect, it } from 'vitest';
import { evaluateRun } from '../../src/metrics/evaluate.js';
import { parseMeasureList } from '../../src/metrics/registry.js';
import { parseTrecMeasures, trecRows } from '../../src/metrics/trec-eval.js';
import type { Qrels, Run } from '../../src/metrics/types.js';

const names = (args: string[], docs = 0): string[] =>
  trecRows(parseTrecMeasures(args), docs).rows.map((row) => row.name);

describe("trec_eval's -m arguments", () => {
  it('takes the parameters of the first -m that gives some, as trec_eval does', () => {
    expect(names(['P.5', 'P.10'])).toEqual(['P_5']);
    expect(names(['P', 'P.7,3'])).toEqual(['P_3', 'P_7']);
    expect(names(['all_trec', 'relstring.20']).filter((n) => n.startsWith('relstring'))).toEqual([
      'relstring_20',
    ]);
  });

  it('names rows as trec_eval prints them', () => {
    expect(names(['iprec_at_recall..125,.5', 'ndcg.1=3,2=9', 'utility.2,-1,0,0', 'set_F.0.5'])).toEqual([
      'iprec_at_recall_0.12', // %3.2f: the exact half 0.125 goes to the even digit
      'iprec_at_recall_0.50',
      'utility_2,-1,0,0',
      'ndcg_1=3,2=9',
      'set_F_0.5',
    ]);
  });

  it("knows trec_eval's sets: official (the default), set and all_trec", () => {
    expect(names([])).toEqual(names(['official']));
    expect(names(['set'])).toEqual([
      'num_ret',
      'num_rel',
      'num_rel_ret',
      'utility',
      'set_P',
      'set_relative_P',
      'set_recall',
      'set_map',
      'set_F',
    ]);
    expect(names(['all_trec'])).toHaveLength(98); // out.test.a's 97 rows after runid and num_q, and relstring
  });

  it('prints gm_map only in the all row and relstring only per query', () => {
    const { rows } = trecRows(parseTrecMeasures(['gm_map', 'relstring']), 0);
    expect(rows.map((row) => [row.name, row.scope])).toEqual([
      ['gm_map', 'summary'],
      ['relstring', 'query'],
    ]);
  });

  it('refuses what trec_eval would misread', () => {
    expect(() => parseTrecMeasures(['P.'])).toThrow(/nothing after the '.'/);
    expect(() => parseTrecMeasures(['map.5'])).toThrow(/takes no parameters/);
    expect(() => parseTrecMeasures(['yaap'])).toThrow(/unknown trec_eval measure 'yaap'/);
    expect(() => names(['utility.1,2'])).toThrow(/takes 4 parameters, got 2/);
    expect(() => names(['ndcg.x=2'])).toThrow(/'x' is not a grade/);
    expect(() => names(['rbp_resid.1=2'])).toThrow(/takes only p/);
    expect(() => names(['P.5,5'])).toThrow(/repeated cutoff/);
  });
});

describe('evaluation options trec_eval needs', () => {
  const qrels: Qrels = new Map([
    [
      'q1',
      new Map([
        ['a', 1],
        ['b', 0],
        ['c', -1],
      ]),
    ],
    ['q2', new Map([['a', 1]])],
  ]);
  const run: Run = {
    runId: 't',
    queries: new Map([['q1', { docids: ['x', 'c', 'b', 'a'], scores: [4, 3, 2, 1] }]]),
  };

  it('-J drops unjudged documents (not in the qrels, or a negative grade) and moves the judged ones up', () => {
    const measures = parseMeasureList('NumRet,P@2,RR');
    const evaluation = evaluateRun(qrels, run, measures, { missing: 'skip', judgedOnly: true });
    expect(evaluation.values.map((column) => column[0])).toEqual([2, 1 / 2, 1 / 2]);
  });

  it("-c: a missing query is trec_eval's one unjudged document, then the measures' own values", () => {
    const measures = parseMeasureList('NumRet,Unjudged@5,Utility');
    const empty = evaluateRun(qrels, run, measures, { missing: 'empty' });
    expect(empty.values.map((column) => column[1])).toEqual([0, 0, 0]);
    const oneUnjudged = evaluateRun(qrels, run, measures, {
      missing: 'empty',
      missingRanking: 'one-unjudged',
    });
    expect(oneUnjudged.values.map((column) => column[1])).toEqual([1, 1 / 5, 0]);
  });

  it('labels each query, and a missing one with missingLabel', () => {
    const label = (r: { rels: Int32Array }): string => String(r.rels.length);
    const measures = parseMeasureList('NumRet');
    expect(evaluateRun(qrels, run, measures, { missing: 'empty', label }).labels).toEqual(['4', '0']);
    expect(evaluateRun(qrels, run, measures, { missing: 'empty', label, missingLabel: '' }).labels).toEqual([
      '4',
      '',
    ]);
  });
});
