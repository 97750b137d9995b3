import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/evaluation/compare-runs.js';
import type { EvaluationFile, RunResult } from '../../src/evaluation/types.js';
import { formatComparison, letter, perQueryLines } from '../../src/report/compare-tables.js';

const QIDS = Array.from({ length: 20 }, (_, i) => `q${i + 1}`);

function run(name: string, values: number[], qids = QIDS): RunResult {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return {
    name,
    runId: name,
    file: { name: `${name}.trec`, sha256: '0' },
    queriesEvaluated: qids.length,
    measures: { 'nDCG@10': { value: mean, ciLow: mean, ciHigh: mean } },
    missingQueries: [],
    unjudgedQueries: 0,
    perQuery: { qids, values: { 'nDCG@10': values } },
  };
}

function evaluation(runs: RunResult[]): EvaluationFile {
  return {
    schemaVersion: 1,
    kind: 'evaluation',
    tool: { name: 'retrieval-gate', version: '0' },
    dataset: { name: 'd', version: '1', digest: 'sha256:0', queries: 20, judgedQueries: 20 },
    settings: {
      measures: ['nDCG@10'],
      relevanceLevel: 1,
      missingQueries: 'zero',
      bootstrap: { samples: 100, confidence: 0.95, seed: 1 },
    },
    runs,
  };
}

const OPTIONS = { test: 't', correction: 'holm', alpha: 0.05, samples: 1000, seed: 1 } as const;
// strong beats weak on every query; same equals strong but on one query; noise is weak ± 0.
const strong = QIDS.map((_, i) => 0.8 + (i % 3) * 0.05);
const weak = QIDS.map((_, i) => 0.3 + (i % 4) * 0.05);
const same = strong.map((v, i) => (i === 0 ? v - 0.01 : v));

describe('compareRuns', () => {
  it('marks a run with the letters of the runs it significantly beats, and counts wins, ties, losses', () => {
    const comparison = compareRuns(
      evaluation([run('strong', strong), run('weak', weak), run('same', same)]),
      OPTIONS,
    );
    expect(comparison.beats.map((row) => row[0])).toEqual([[1], [], [1]]);
    const pair = comparison.pairs.find((p) => p.a === 0 && p.b === 2);
    expect(pair).toMatchObject({ wins: 1, ties: 19, losses: 0, queries: 20 });
    expect(pair?.adjustedPValue).toBeGreaterThan(0.05);
    expect(comparison.pairs.find((p) => p.a === 0 && p.b === 1)?.difference).toBeGreaterThan(0.4);
  });

  it('pairs only the queries both runs were evaluated on', () => {
    const comparison = compareRuns(
      evaluation([run('strong', strong), run('half', weak.slice(0, 10), QIDS.slice(0, 10))]),
      OPTIONS,
    );
    expect(comparison.pairs[0]?.queries).toBe(10);
  });

  it('corrects a measure’s p-values together: with no correction more pairs pass', () => {
    const runs = [run('strong', strong), run('weak', weak), run('same', same)];
    const holm = compareRuns(evaluation(runs), OPTIONS).pairs.map((p) => p.adjustedPValue);
    const none = compareRuns(evaluation(runs), { ...OPTIONS, correction: 'none' }).pairs.map(
      (p) => p.adjustedPValue,
    );
    for (const [i, p] of holm.entries()) expect(p).toBeGreaterThanOrEqual(none[i] as number);
  });
});

describe('the comparison as tables', () => {
  const comparison = compareRuns(evaluation([run('strong', strong), run('we|ak_<b>', weak)]), OPTIONS);

  it('letters runs a, b, … z, aa', () => {
    expect([0, 1, 25, 26, 27].map(letter)).toEqual(['a', 'b', 'z', 'aa', 'ab']);
  });

  it('writes Markdown with the best mean bold and superscripts, escaping run names', () => {
    const md = formatComparison(comparison, 'markdown');
    expect(md).toMatch(/\| a \| strong \| \*\*0\.8\d{3}\*\*<sup>b<\/sup> \|/);
    expect(md).toContain('we\\|ak\\_&lt;b&gt;');
  });

  it('writes LaTeX booktabs with special characters escaped, and CSV with quoted fields', () => {
    const tex = formatComparison(comparison, 'latex');
    expect(tex).toContain('\\toprule');
    expect(tex).toMatch(/\\textbf\{0\.8\d{3}\}\$\^\{b\}\$/);
    expect(tex).toContain('we|ak\\_<b>');
    expect(formatComparison(comparison, 'csv').split('\n')[0]).toBe('letter,run,nDCG@10,nDCG@10 beats');
  });

  it('writes per-query values in ir_measures’ layout', () => {
    const lines = perQueryLines(evaluation([run('strong', strong)]), 'tsv').split('\n');
    expect(lines[0]).toBe('strong\tq1\tnDCG@10\t0.8');
    expect(
      JSON.parse(perQueryLines(evaluation([run('strong', strong)]), 'jsonl').split('\n')[1] as string),
    ).toEqual({
      run: 'strong',
      qid: 'q2',
      measure: 'nDCG@10',
      value: 0.8500000000000001,
    });
  });
});
