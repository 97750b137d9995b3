import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readReportFiles } from '../../src/app/report.js';
import { loadDataset } from '../../src/dataset/native.js';
import { readRunFile } from '../../src/dataset/run-file.js';
import type { Dataset } from '../../src/dataset/types.js';
import { UserError } from '../../src/errors.js';
import { evaluateOptions } from '../../src/evaluation/evaluate-runs.js';
import { type CoverageFigures, coverageLookup } from '../../src/gate/coverage.js';
import type { Judge } from '../../src/metrics/evaluate.js';
import { evaluateRun } from '../../src/metrics/evaluate.js';
import { sortIds } from '../../src/metrics/order.js';
import { rankOrder } from '../../src/metrics/rank.js';
import { makeMeasure } from '../../src/metrics/registry.js';
import { buildReportData } from '../../src/report/report-data.js';
import type { ReportData, ReportSystem } from '../../src/report/report-data.types.js';
import { judgedMeasures, judgedShares } from '../../src/report/report-judged.js';
import { orderedScores, significant } from '../../src/report/significant.js';
import type { MeasuredResults } from '../../src/results/measured.js';
import { loadResults, loadRunFolder } from '../../src/results/run-folder.js';
import type { TraceRecord } from '../../src/results/trace.js';
import type { RuleOutcome } from '../../src/results/verdict.js';
import { EXAMPLE_DATASET, runExample } from '../helpers/results.js';
import { tempDir } from '../helpers/tmp.js';
import { verdictFixture } from './verdict-fixture.js';

const NOW = new Date('2026-11-23T10:00:00Z');

let base: string;
let candidate: string;
let dataset: Dataset;
let baseline: MeasuredResults;
let data: ReportData;

beforeAll(async () => {
  const dir = tempDir();
  base = await runExample(dir, 'base', ['bm25', 'hash+lexical']);
  candidate = await runExample(dir, 'candidate', ['bm25', 'hash+lexical', 'broken']);
  dataset = loadDataset(EXAMPLE_DATASET);
  baseline = loadResults(base);
  data = reportOf({ resultsDir: candidate, baseline, baselineDir: base, dataset, now: NOW });
});

/** The report of a run folder, its files read as writeReport reads them. */
function reportOf(options: {
  resultsDir: string;
  baseline?: MeasuredResults;
  baselineDir?: string;
  dataset: Dataset;
  now?: Date;
}): ReportData {
  const folder = loadRunFolder(options.resultsDir);
  const reference = options.baseline ? { results: options.baseline, dir: options.baselineDir ?? null } : null;
  return buildReportData({
    ...folder,
    ...readReportFiles(options.resultsDir, folder.results, { baseline: reference }),
    baseline: reference?.results ?? null,
    dataset: options.dataset,
    ...(options.now ? { now: options.now } : {}),
  });
}

function system(report: ReportData, id: string): ReportSystem {
  const found = report.systems.find((s) => s.id === id);
  if (!found) throw new Error(`no system ${id} in the report`);
  return found;
}

function traceOf(runDir: string, id: string): TraceRecord[] {
  return readFileSync(join(runDir, 'systems', id, 'trace.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TraceRecord);
}

/** A copy of the candidate's folder, changed by `edit`. */
function editedCopy(edit: (dir: string) => void): string {
  const dir = join(tempDir(), 'candidate');
  cpSync(candidate, dir, { recursive: true });
  edit(dir);
  return dir;
}

describe('buildReportData', () => {
  it('describes the run, the dataset and the baseline, stamped with the time it was made', () => {
    expect(data).toMatchObject({
      schemaVersion: 1,
      tool: { name: 'retrieval-gate' },
      generatedAt: NOW.toISOString(),
      run: { id: 'candidate' },
      dataset: { name: 'bike-repair', version: '1.0.0', digest: dataset.digest, judgedQueries: 73 },
      measures: ['nDCG@10', 'R@5', 'RR'],
      verdict: null,
      baseline: { source: base, runId: 'base' },
    });
    expect(data.run.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(data.systems.map((s) => [s.id, s.status])).toEqual([
      ['bm25', 'ok'],
      ['hash+lexical', 'ok'],
      ['broken', 'failed'],
    ]);
  });

  it('aligns every per-query value to the judged queries, in the evaluation order, with their texts', () => {
    const ids = sortIds(dataset.qrels.keys());
    expect(data.queries.ids).toEqual(ids);
    expect(data.queries.texts).toEqual(ids.map((id) => dataset.queries.get(id)?.text));
    const results = loadResults(candidate);
    for (const id of ['bm25', 'hash+lexical']) {
      const evaluated = results.systems.find((s) => s.id === id);
      const report = system(data, id);
      expect(Object.keys(report.perQuery)).toEqual(data.measures);
      for (const measure of data.measures) {
        const byQid = new Map(
          evaluated?.perQuery.qids.map((qid, i) => [qid, evaluated.perQuery.values[measure]?.[i]]),
        );
        expect(report.perQuery[measure]).toEqual(ids.map((qid) => significant(byQid.get(qid) as number)));
      }
      expect(report.measures).toEqual(evaluated?.measures);
    }
  });

  it('draws recall and precision curves exactly as trec_eval computes R@k and P@k', () => {
    expect(data.curveK).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const id of ['bm25', 'hash+lexical']) {
      const run = readRunFile(join(candidate, 'systems', id, 'run.trec'));
      const { curves } = system(data, id);
      for (const k of [1, 3, 5, 10, 20]) {
        const evaluated = evaluateRun(dataset.qrels, run, [makeMeasure('R', k), makeMeasure('P', k)], {
          missing: 'empty',
        });
        expect([curves.recall[k - 1], curves.precision[k - 1]]).toEqual(evaluated.aggregates);
      }
      expect(curves.recall[4]).toBe(system(data, id).measures['R@5']?.value);
    }
  });

  it('tests the systems that ran against each other, pair by pair, over the queries both evaluated', () => {
    const ran = data.systems.flatMap((s, i) => (s.status === 'ok' ? [i] : []));
    expect(ran).toHaveLength(2);
    const means = data.measures.filter((m) => !m.startsWith('Num'));
    for (const measure of means) {
      const [only] = data.pairwise?.measures[measure] ?? [];
      expect(only).toMatchObject({ a: ran[0], b: ran[1] });
      const [a, b] = ran.map((i) => data.systems[i] as ReportSystem);
      expect(only?.difference).toBeCloseTo(
        (a?.measures[measure]?.value ?? 0) - (b?.measures[measure]?.value ?? 0),
        10,
      );
      expect(only?.adjusted).toBe(only?.p); // one pair: nothing to correct for
    }
  });

  it('measures Judged@k as the gate does, for the Judged@k the verdict speaks of', () => {
    const results = loadResults(candidate);
    const ids = ['bm25', 'hash+lexical'];
    const runs = new Map(ids.map((id) => [id, readRunFile(join(candidate, 'systems', id, 'run.trec'))]));
    const gate = coverageLookup(results, runs, dataset);
    const files = readReportFiles(candidate, results, { baseline: null });
    for (const id of ids) {
      const { judges } = files.systemFiles.get(id) as { judges: Map<string, Judge> };
      const shares = judgedShares(
        dataset.qrels,
        judges,
        ['Judged@3', 'Judged@10'],
        evaluateOptions(results.settings),
      );
      expect(shares).toEqual({
        'Judged@3': (gate(id, 3) as CoverageFigures).judged,
        'Judged@10': (gate(id, 10) as CoverageFigures).judged,
      });
    }
    const outcome = { ...(verdictFixture().outcomes[0] as RuleOutcome), metric: 'Judged@10' };
    const named = { ...verdictFixture(), outcomes: [outcome, { ...outcome, metric: 'Judged@5' }] };
    expect(judgedMeasures(named, ['R@5'])).toEqual(['Judged@5', 'Judged@10']);
    expect(judgedMeasures(named, ['Judged@10'])).toEqual(['Judged@5']);
    expect(judgedMeasures(null, [])).toEqual([]);
  });

  it("keeps each shown hit's title and the start of its text from the corpus, and nothing of other documents", () => {
    const texts = data.docTexts ?? [];
    expect(texts).toHaveLength(data.docs.length);
    const shown = new Set(
      data.systems.flatMap((s) => [...s.hits.docs, ...(s.baselineHits?.docs ?? [])].flat()),
    );
    data.docs.forEach((docid, i) => {
      const doc = dataset.corpus?.get(docid);
      if (!shown.has(i) || !doc) {
        expect(texts[i]).toBeNull();
        return;
      }
      const [title, text] = texts[i] as [string, string];
      expect(title).toBe((doc.title ?? '').replace(/\s+/g, ' ').trim());
      expect(text.length).toBeLessThanOrEqual(300);
      expect(doc.text.replace(/\s+/g, ' ')).toContain(text.replace(/…$/, ''));
    });
    expect(texts.some((entry) => entry === null)).toBe(true); // judged, never shown
  });

  it("shows each query's top 10 hits as the trace has them: reranked order, reranker scores, latency", () => {
    for (const id of ['bm25', 'hash+lexical']) {
      const { hits } = system(data, id);
      const trace = traceOf(candidate, id);
      expect(trace).toHaveLength(data.queries.ids.length);
      for (const record of trace) {
        const q = data.queries.ids.indexOf(record.qid);
        const top = (record.reranked ?? record.firstStage).slice(0, 10);
        expect(hits.docs[q]?.map((d) => data.docs[d])).toEqual(top.map((hit) => hit.docid));
        expect(hits.scores[q]).toEqual(orderedScores(top.map((hit) => hit.score)));
        expect(hits.rerank[q] ?? []).toEqual(
          record.reranked ? orderedScores(record.reranked.slice(0, 10).map((hit) => hit.rerankScore)) : [],
        );
        // Scores that differ stay apart as stored, so the page never shows a tie the ranking lacks.
        const scores = hits.scores[q] ?? [];
        scores.forEach((score, i) => {
          if (i > 0 && top[i]?.score !== top[i - 1]?.score) expect(score).not.toBe(scores[i - 1]);
        });
        expect(hits.latencyMs[q]).toBe(significant(record.latencyMs.total));
      }
    }
    expect(system(data, 'bm25').hits.rerank).toEqual([]); // no query reranked: one empty list for all
    // The reranker reordered: the report shows its order, not the first stage's.
    const reranked = system(data, 'hash+lexical').hits;
    const firstStage = traceOf(candidate, 'hash+lexical').map((r) => r.firstStage[0]?.docid);
    expect(reranked.docs.some((docs, q) => data.docs[docs[0] as number] !== firstStage[q])).toBe(true);
  });

  it('falls back to the run file, ranked as trec_eval ranks it, when there is no trace', () => {
    const dir = editedCopy((d) => rmSync(join(d, 'systems', 'bm25', 'trace.jsonl')));
    const { hits } = system(reportOf({ resultsDir: dir, dataset }), 'bm25');
    const run = readRunFile(join(dir, 'systems', 'bm25', 'run.trec'));
    data.queries.ids.forEach((qid, q) => {
      const results = run.queries.get(qid);
      const top = results ? Array.from(rankOrder(results).subarray(0, 10)) : [];
      expect(hits.docs[q]?.map((d) => data.docs[d])).toEqual(top.map((i) => results?.docids[i]));
      expect(hits.rerank[q]).toBeUndefined(); // no query was reranked: one empty list for all
    });
    expect(new Set(hits.latencyMs)).toEqual(new Set([null]));
  });

  it('stores each document once, and the judgments by document index, highest grade first', () => {
    expect(new Set(data.docs).size).toBe(data.docs.length);
    const mentioned = new Set([
      ...data.judgments.flat().map(([d]) => d),
      ...data.systems.flatMap((s) => [...s.hits.docs.flat(), ...(s.baselineHits?.docs.flat() ?? [])]),
    ]);
    expect(mentioned.size).toBe(data.docs.length); // every doc is used, none is missing
    data.queries.ids.forEach((qid, q) => {
      const judged = data.judgments[q] ?? [];
      expect(new Map(judged.map(([d, grade]) => [data.docs[d], grade]))).toEqual(dataset.qrels.get(qid));
      const grades = judged.map(([, grade]) => grade);
      expect(grades).toEqual([...grades].sort((a, b) => b - a));
    });
  });

  it('compares each system with the baseline system of its id: identical runs differ by 0, CI [0, 0]', () => {
    for (const id of ['bm25', 'hash+lexical']) {
      const report = system(data, id);
      expect(report.vsBaseline).toEqual(
        Object.fromEntries(data.measures.map((m) => [m, { difference: 0, ciLow: 0, ciHigh: 0 }])),
      );
      expect(report.baselinePerQuery).toEqual(report.perQuery);
      expect(report.baselineHits?.docs).toEqual(report.hits.docs);
      expect(report.baselineHits?.rerank).toEqual(report.hits.rerank);
    }
  });

  it('leaves baseline values null for queries the baseline lacks, and has no hits from a baseline file', () => {
    const bm25 = baseline.systems.find((s) => s.id === 'bm25');
    if (!bm25) throw new Error('no bm25 in the baseline');
    const [dropped, ...kept] = bm25.perQuery.qids;
    const partial: MeasuredResults = {
      ...baseline,
      systems: [
        {
          ...bm25,
          perQuery: {
            qids: kept,
            values: Object.fromEntries(Object.entries(bm25.perQuery.values).map(([m, v]) => [m, v.slice(1)])),
          },
        },
      ],
    };
    const report = reportOf({ resultsDir: candidate, baseline: partial, dataset });
    const q = data.queries.ids.indexOf(dropped as string);
    const values = system(report, 'bm25').baselinePerQuery?.['nDCG@10'] ?? [];
    expect(values[q]).toBeNull();
    expect(values.filter((v) => v === null)).toHaveLength(1);
    expect(system(report, 'bm25').baselineHits).toBeUndefined();
    expect(system(report, 'hash+lexical')).toMatchObject({ vsBaseline: null, baselinePerQuery: null });
  });

  it('reports a failed system with its error and no figures', () => {
    expect(system(data, 'broken')).toMatchObject({
      status: 'failed',
      measures: {},
      vsBaseline: null,
      perQuery: {},
      baselinePerQuery: null,
      curves: { recall: [], precision: [] },
      lift: null,
      latencyMs: {},
      costPerQuery: null,
      hits: { docs: [], scores: [], rerank: [], latencyMs: [] },
    });
    expect(system(data, 'broken').error).toContain('CUDA out of memory');
  });

  it("takes latency, cost and the reranker's lift from the summary", () => {
    const summary = JSON.parse(readFileSync(join(candidate, 'summary.json'), 'utf8'));
    const reranked = summary.systems.find((s: { id: string }) => s.id === 'hash+lexical');
    expect(system(data, 'hash+lexical')).toMatchObject({
      lift: reranked.lift,
      latencyMs: reranked.latencyMs,
      costPerQuery: reranked.cost.perQuery,
      description: reranked.description,
    });
    expect(system(data, 'bm25').lift).toBeNull();
  });

  it("shows a gated run's verdict and colours each system's metrics by the worst outcome on them", () => {
    const verdict = verdictFixture();
    verdict.outcomes.push({
      ...(verdict.outcomes.find(
        (o) => o.system === 'bm25' && o.metric === 'R@5',
      ) as (typeof verdict.outcomes)[0]),
      rule: 'floor R@5',
      kind: 'floor',
      status: 'fail',
    });
    const dir = editedCopy((d) => writeFileSync(join(d, 'gate.json'), JSON.stringify(verdict)));
    const gated = reportOf({ resultsDir: dir, dataset });
    expect(gated.verdict).toEqual({
      status: 'fail',
      policy: 'gates/default.yaml',
      outcomes: verdict.outcomes,
      warnings: verdict.warnings,
    });
    expect(system(gated, 'bm25').gate).toEqual({
      'latency.total.p95': 'warn',
      'cost.perQuery': 'pass',
      'R@5': 'fail',
    });
    expect(system(gated, 'broken').gate).toEqual({ run: 'fail' });
    expect(system(gated, 'hash+lexical').gate).toEqual({});
    expect(system(data, 'bm25').gate).toEqual({});
  });

  it('refuses a gate.json that is not a verdict, naming the file and the field', () => {
    const dir = editedCopy((d) =>
      writeFileSync(join(d, 'gate.json'), '{"schemaVersion": 1, "kind": "gate-verdict"}'),
    );
    expect(() => reportOf({ resultsDir: dir, dataset })).toThrow(/gate\.json: field 'status': is missing/);
  });

  it('refuses a dataset whose content is not the one the results were measured on', () => {
    const other: Dataset = { ...dataset, digest: `sha256:${'0'.repeat(64)}` };
    expect(() => reportOf({ resultsDir: candidate, dataset: other })).toThrow(UserError);
    expect(() => reportOf({ resultsDir: candidate, dataset: other })).toThrow(/--dataset/);
  });
});

describe('orderedScores', () => {
  it('keeps 4 significant digits where they tell neighbours apart, and more only where they do not', () => {
    expect(orderedScores([0.82, 0.7612345, 0.7])).toEqual([0.82, 0.7612, 0.7]);
    expect(orderedScores([28.0939, 28.0912, 27.5])).toEqual([28.094, 28.091, 27.5]);
    expect(orderedScores([1.23456789, 1.23456781])).toEqual([1.2345679, 1.2345678]);
  });

  it('rounds every list to the fewest digits, 4 at least, that keep each two unequal neighbours apart', () => {
    const fewest = (scores: (number | null)[]): (number | null)[] => {
      const present = scores.filter((score): score is number => score !== null);
      const round = (digits: number) => (x: number | null) =>
        x === null ? null : Number(x.toPrecision(digits));
      let digits = 4;
      const apart = (d: number) =>
        present.every(
          (x, i) => i === 0 || x === present[i - 1] || round(d)(x) !== round(d)(present[i - 1] as number),
        );
      while (digits < 17 && !apart(digits)) digits++;
      return scores.map(round(digits));
    };
    let seed = 11;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let list = 0; list < 500; list++) {
      let score = 30 * next();
      const scores = Array.from({ length: 1 + Math.floor(next() * 12) }, () => {
        if (next() < 0.1) return null;
        if (next() > 0.2) score -= next() * 10 ** -Math.floor(next() * 9);
        return score;
      });
      expect(orderedScores(scores)).toEqual(fewest(scores));
    }
  });

  it('keeps ties tied and nulls null', () => {
    expect(orderedScores([0.5, 0.5, 0.25])).toEqual([0.5, 0.5, 0.25]);
    expect(orderedScores([11.40001, null, 11.40002, null])).toEqual([11.40001, null, 11.40002, null]);
  });
});
