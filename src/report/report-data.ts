import { join } from 'node:path';
import { readRunFile, readRunJudges } from '../dataset/run-file.js';
import type { Dataset } from '../dataset/types.js';
import { UserError } from '../errors.js';
import { datasetSummary, evaluateOptions } from '../evaluation/evaluate-runs.js';
import { cutoffCurves } from '../metrics/curves.js';
import { compareCodePoints, sortIds } from '../metrics/order.js';
import type { QueryJudgments } from '../metrics/types.js';
import { systemFolder, systemRunFile } from '../results/layout.js';
import type { MeasuredResults, MeasuredSystem } from '../results/measured.js';
import { loadRunFolder } from '../results/run-folder.js';
import type { RunSummary, SystemDescription, SystemSummary } from '../results/summary.js';
import type { Verdict } from '../results/verdict.js';
import { readVerdictFile } from '../results/verdict-file.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { DocTable } from './doc-table.js';
import { vsBaseline } from './report-baseline.js';
import type { ReportData, ReportSystem } from './report-data.types.js';
import { gateColours, reportVerdict } from './report-gate.js';
import { systemHits } from './report-hits.js';
import { significant } from './significant.js';

export interface BuildReportOptions {
  /** A run folder, reports/<run-id>/. */
  resultsDir: string;
  /** What the systems are compared with, system by system of the same id; none by default. */
  baseline?: MeasuredResults | null;
  /** The baseline's run folder, when the baseline is a run: its traces give the baseline's hits. */
  baselineDir?: string | null;
  /** The dataset the results were measured on: its digest must be theirs. */
  dataset: Dataset;
  /** The verdict to show; default: the run folder's gate.json, when the run was gated. */
  gateFile?: string;
  now?: Date;
}

/** Recall and precision curves stop here: past 100, a cutoff tells a reviewer nothing new. */
const MAX_CURVE_K = 100;

/**
 * A run folder (and a baseline) → everything the HTML report shows. Reads the summary, the evaluation, the
 * verdict when gated, and each system's run file (curves) and trace (hits), one system at a time; every
 * per-query array is aligned to the dataset's judged queries in trec_eval order, which is the evaluation's.
 */
export function buildReportData(options: BuildReportOptions): ReportData {
  const { results, summary } = loadRunFolder(options.resultsDir);
  const { dataset } = options;
  checkDataset(results, dataset);
  const queryIds = sortIds(dataset.qrels.keys());
  const docs = new DocTable();
  const judgments = queryIds.map((qid) => judgedDocs(dataset.qrels.get(qid) ?? new Map(), docs));
  const verdict = readVerdictFile(options.gateFile ?? join(options.resultsDir, 'gate.json'));
  const context: SystemContext = {
    resultsDir: options.resultsDir,
    results,
    baseline: options.baseline ?? null,
    baselineDir: options.baselineDir ?? null,
    dataset,
    positions: new Map(queryIds.map((qid, q) => [qid, q])),
    docs,
    verdict,
    maxK: curveCutoff(summary),
  };
  const systems = results.systems.map((system, i) =>
    reportSystem(system, summary.systems[i] as SystemSummary, context),
  );
  return {
    schemaVersion: 1,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    generatedAt: (options.now ?? new Date()).toISOString(),
    run: { id: summary.runId, startedAt: summary.startedAt ?? null, finishedAt: summary.finishedAt ?? null },
    dataset: datasetSummary(dataset),
    measures: results.settings.measures,
    verdict: verdict ? reportVerdict(verdict) : null,
    baseline: context.baseline ? { source: context.baseline.source, runId: context.baseline.runId } : null,
    queries: { ids: queryIds, texts: queryIds.map((qid) => dataset.queries.get(qid)?.text ?? '') },
    docs: docs.ids,
    judgments,
    curveK: Array.from({ length: context.maxK }, (_, i) => i + 1),
    systems,
  };
}

/** What every system of the report is built from. */
interface SystemContext {
  resultsDir: string;
  results: MeasuredResults;
  baseline: MeasuredResults | null;
  baselineDir: string | null;
  dataset: Dataset;
  /** Query id → its index in the report's queries. */
  positions: Map<string, number>;
  docs: DocTable;
  verdict: Verdict | null;
  maxK: number;
}

function reportSystem(system: MeasuredSystem, summary: SystemSummary, context: SystemContext): ReportSystem {
  const { id } = system;
  if (system.status === 'failed') return failedSystem(system, summary, context);
  const { resultsDir, results, positions, docs, baselineDir } = context;
  const measures = results.settings.measures;
  const runFile = systemRunPath(resultsDir, id);
  const base = context.baseline?.systems.find((s) => s.id === id && s.status === 'ok');
  return {
    id,
    status: 'ok',
    error: null,
    warnings: summary.warnings ?? [],
    description: summary.description,
    measures: system.measures,
    vsBaseline: base ? vsBaseline(system, base, measures, results.settings.bootstrap) : null,
    gate: gateColours(context.verdict, id),
    perQuery: alignedValues(system, measures, positions),
    baselinePerQuery: base ? alignedValues(base, measures, positions) : null,
    curves: cutoffCurves(
      context.dataset.qrels,
      readRunJudges(runFile),
      context.maxK,
      evaluateOptions(results.settings),
    ),
    lift: summary.lift ?? null,
    latencyMs: system.latencyMs ?? {},
    costPerQuery: system.costPerQuery,
    hits: systemHits(resultsDir, id, positions, docs, () => readRunFile(runFile)),
    ...(base && baselineDir
      ? {
          baselineHits: systemHits(baselineDir, id, positions, docs, () =>
            readRunFile(systemRunPath(baselineDir, id)),
          ),
        }
      : {}),
  };
}

/** Nothing was measured for a failed system: the report says it failed and why, and shows no figures. */
function failedSystem(system: MeasuredSystem, summary: SystemSummary, context: SystemContext): ReportSystem {
  return failedReportSystem(
    system.id,
    system.error ?? null,
    summary.description,
    gateColours(context.verdict, system.id),
  );
}

/** A system that failed to run: its error and description, and nothing measured. */
export function failedReportSystem(
  id: string,
  error: string | null,
  description: SystemDescription,
  gate: ReportSystem['gate'] = {},
): ReportSystem {
  return {
    id,
    status: 'failed',
    error,
    warnings: [],
    description,
    measures: {},
    vsBaseline: null,
    gate,
    perQuery: {},
    baselinePerQuery: null,
    curves: { recall: [], precision: [] },
    lift: null,
    latencyMs: {},
    costPerQuery: null,
    hits: { docs: [], scores: [], rerank: [], latencyMs: [] },
  };
}

/** The report's per-query values must belong to the dataset's queries: a dataset of other content is refused. */
function checkDataset(results: MeasuredResults, dataset: Dataset): void {
  if (dataset.digest === results.dataset.digest) return;
  const { name, version } = dataset.manifest;
  throw new UserError(
    `the dataset ${name}@${version} (${dataset.dir}) has digest ${dataset.digest}, but the results were measured on ${results.dataset.name}@${results.dataset.version} with digest ${results.dataset.digest}; give the dataset they were measured on (--dataset)`,
    { file: results.source },
  );
}

/** A query's judgments as [doc index, grade], highest grade first (then by doc id, for stable output). */
function judgedDocs(judgments: QueryJudgments, docs: DocTable): [number, number][] {
  return [...judgments]
    .sort(([a, ga], [b, gb]) => gb - ga || compareCodePoints(a, b))
    .map(([docid, grade]) => [docs.index(docid), grade]);
}

/** The largest k of the systems that ran (at most MAX_CURVE_K): beyond it no system retrieved anything. */
function curveCutoff(summary: RunSummary): number {
  const ks = summary.systems.filter((s) => s.status === 'ok').map((s) => s.description.k);
  return Math.min(MAX_CURVE_K, Math.max(0, ...ks));
}

/** A system's per-query values of each measure, moved to the report's query positions; null where absent. */
function alignedValues(
  system: MeasuredSystem,
  measures: string[],
  positions: Map<string, number>,
): Record<string, (number | null)[]> {
  const aligned: Record<string, (number | null)[]> = {};
  for (const measure of measures) {
    const values = system.perQuery.values[measure];
    if (!values) continue;
    const column: (number | null)[] = new Array(positions.size).fill(null);
    system.perQuery.qids.forEach((qid, i) => {
      const q = positions.get(qid);
      if (q !== undefined) column[q] = significant(values[i] as number);
    });
    aligned[measure] = column;
  }
  return aligned;
}

/** The run file of a system that ran: the folder is incomplete without one. */
function systemRunPath(runDir: string, id: string): string {
  const file = systemRunFile(runDir, id);
  if (!file) {
    throw new UserError(
      `no run file (run.trec or run.jsonl) of system '${id}', which ran: the folder is incomplete`,
      { file: systemFolder(runDir, id) },
    );
  }
  return file;
}
