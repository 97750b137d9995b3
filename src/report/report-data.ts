import type { Dataset } from '../dataset/types.js';
import { UserError } from '../errors.js';
import { datasetSummary, evaluateOptions } from '../evaluation/evaluate-runs.js';
import { pairQueries } from '../gate/compare.js';
import { cutoffCurves } from '../metrics/curves.js';
import type { Judge } from '../metrics/evaluate.js';
import { compareCodePoints, sortIds } from '../metrics/order.js';
import { parseMeasure } from '../metrics/registry.js';
import type { QueryJudgments } from '../metrics/types.js';
import type { AuditFile } from '../results/audit.js';
import { type MeasuredResults, type MeasuredSystem, systemThatRan } from '../results/measured.js';
import type { ReviewFile } from '../results/review.js';
import type { RunSummary, SystemDescription, SystemSummary } from '../results/summary.js';
import type { TopHits } from '../results/system-files.js';
import type { Verdict } from '../results/verdict.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { DocTable } from './doc-table.js';
import { withDocTexts } from './doc-texts.js';
import { reportAnn, reportAnnCheck } from './report-ann.js';
import { vsBaseline } from './report-baseline.js';
import type { ReportData, ReportPairwise, ReportSystem } from './report-data.types.js';
import { gateBaselines, gateColours, measuresByBaseline, reportVerdict } from './report-gate.js';
import { systemHits } from './report-hits.js';
import { judgedMeasures, judgedShares } from './report-judged.js';
import { pairwiseTests } from './report-pairwise.js';
import { significant } from './significant.js';

/** What the report reads of a system's folder (and of the baseline's, when the baseline is a run folder). */
export interface SystemReportFiles {
  /** The run file's rankings, query by query: the recall and precision curves. */
  judges: Map<string, Judge>;
  hits: TopHits;
  /** The baseline system's top hits, when the baseline is a run folder where this system ran too. */
  baselineHits?: TopHits;
}

/** What the report shows of the files in a run folder besides its results. */
export interface ReportFiles {
  /** The verdict to show, when the run was gated. */
  verdict: Verdict | null;
  /** By system id, every system that ran. */
  systemFiles: ReadonlyMap<string, SystemReportFiles>;
  /** The migration review, when the run folder is one `migrate review` wrote (absent or null: a plain run). */
  review?: ReviewFile | null;
  /** The index audit, when the run folder holds audit.json (absent or null: none). */
  audit?: AuditFile | null;
}

export interface BuildReportOptions extends ReportFiles {
  /** A run folder's results, and the summary they were read from (loadRunFolder). */
  results: MeasuredResults;
  summary: RunSummary;
  /** What the systems are compared with, system by system of the same id; none by default. */
  baseline?: MeasuredResults | null;
  /** The dataset the results were measured on: its digest must be theirs. */
  dataset: Dataset;
  now?: Date;
}

/** Recall and precision curves stop here: past 100, a cutoff tells a reviewer nothing new. */
const MAX_CURVE_K = 100;

/**
 * A run folder's contents (and a baseline) → everything the HTML report shows: the summary, the evaluation,
 * the verdict when gated, and each system's rankings (curves) and top hits. Every per-query array is aligned
 * to the dataset's judged queries in trec_eval order, which is the evaluation's.
 */
export function buildReportData(options: BuildReportOptions): ReportData {
  const { results, summary, verdict, dataset } = options;
  checkDataset(results, dataset);
  const queryIds = sortIds(dataset.qrels.keys());
  const docs = new DocTable();
  const judgments = queryIds.map((qid) => judgedDocs(dataset.qrels.get(qid) ?? new Map(), docs));
  const context: SystemContext = {
    results,
    systemFiles: options.systemFiles,
    baseline: options.baseline ?? null,
    dataset,
    positions: new Map(queryIds.map((qid, q) => [qid, q])),
    docs,
    verdict,
    maxK: curveCutoff(summary),
    judged: judgedMeasures(verdict, results.settings.measures),
  };
  const systems = results.systems.map((system, i) =>
    reportSystem(system, summary.systems[i] as SystemSummary, context),
  );
  const ann = reportAnn(systems, results.settings.measures[0]);
  const pairwise = runPairwise(results);
  const data: ReportData = {
    schemaVersion: 1,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    generatedAt: (options.now ?? new Date()).toISOString(),
    run: { id: summary.runId, startedAt: summary.startedAt ?? null, finishedAt: summary.finishedAt ?? null },
    dataset: datasetSummary(dataset),
    measures: results.settings.measures,
    ...(context.judged.length > 0 ? { judgedMeasures: context.judged } : {}),
    verdict: verdict ? reportVerdict(verdict) : null,
    baseline: context.baseline ? { source: context.baseline.source, runId: context.baseline.runId } : null,
    queries: { ids: queryIds, texts: queryIds.map((qid) => dataset.queries.get(qid)?.text ?? '') },
    docs: docs.ids,
    judgments,
    curveK: Array.from({ length: context.maxK }, (_, i) => i + 1),
    systems,
    ...(pairwise ? { pairwise } : {}),
    ...(ann ? { ann } : {}),
    ...(options.review ? { review: options.review } : {}),
    ...(options.audit ? { audit: options.audit } : {}),
  };
  return dataset.corpus ? withDocTexts(data, dataset.corpus) : data;
}

/** The pairwise tests between the systems that ran, on their measures that are means. */
function runPairwise(results: MeasuredResults): ReportPairwise | null {
  const ran = results.systems.flatMap((system, i) => (system.status === 'ok' ? [i] : []));
  const measures = results.settings.measures.filter(
    (m) =>
      parseMeasure(m).aggregate === 'mean' &&
      ran.every((i) => m in (results.systems[i] as MeasuredSystem).perQuery.values),
  );
  return pairwiseTests(ran, measures, (a, b, measure) =>
    pairQueries(results.systems[a] as MeasuredSystem, results.systems[b] as MeasuredSystem, measure),
  );
}

/** What every system of the report is built from. */
interface SystemContext {
  results: MeasuredResults;
  systemFiles: ReadonlyMap<string, SystemReportFiles>;
  baseline: MeasuredResults | null;
  dataset: Dataset;
  /** Query id → its index in the report's queries. */
  positions: Map<string, number>;
  docs: DocTable;
  verdict: Verdict | null;
  maxK: number;
  /** The Judged@k measures the report adds (judgedMeasures). */
  judged: string[];
}

function reportSystem(system: MeasuredSystem, summary: SystemSummary, context: SystemContext): ReportSystem {
  const { id } = system;
  if (system.status === 'failed') return failedSystem(system, summary, context);
  const { results, positions, docs } = context;
  const measures = results.settings.measures;
  const files = context.systemFiles.get(id);
  if (!files) throw new Error(`no files were read of system '${id}', which ran`);
  const compared = comparedWithBaseline(system, measures, context);
  return {
    id,
    status: 'ok',
    error: null,
    warnings: summary.warnings ?? [],
    description: summary.description,
    measures: system.measures,
    ...(context.judged.length > 0
      ? {
          judged: judgedShares(
            context.dataset.qrels,
            files.judges,
            context.judged,
            evaluateOptions(results.settings),
          ),
        }
      : {}),
    vsBaseline: compared?.vsBaseline ?? null,
    gate: gateColours(context.verdict, id),
    perQuery: alignedValues(system, measures, positions),
    baselinePerQuery: compared?.baselinePerQuery ?? null,
    curves: cutoffCurves(
      context.dataset.qrels,
      files.judges,
      context.maxK,
      evaluateOptions(results.settings),
    ),
    lift: summary.lift ?? null,
    ...(summary.annCheck ? { annCheck: reportAnnCheck(summary.annCheck) } : {}),
    latencyMs: system.latencyMs ?? {},
    batchLatencyMs: summary.batchLatencyMs ?? {},
    batchSizes: summary.batchSizes ?? { embed: [], search: [] },
    costPerQuery: system.costPerQuery,
    hits: systemHits(files.hits, positions, docs),
    ...(files.baselineHits ? { baselineHits: systemHits(files.baselineHits, positions, docs) } : {}),
  };
}

/**
 * Each measure's difference from the baseline system it is compared with (the one of the same id, or the
 * one the gate compared it with), and that system's per-query values; null when no such system ran.
 */
function comparedWithBaseline(
  system: MeasuredSystem,
  measures: string[],
  context: SystemContext,
): Pick<ReportSystem, 'vsBaseline' | 'baselinePerQuery'> | null {
  const vs: NonNullable<ReportSystem['vsBaseline']> = {};
  const perQuery: NonNullable<ReportSystem['baselinePerQuery']> = {};
  let found = false;
  const groups = measuresByBaseline(measures, system.id, gateBaselines(context.verdict, system.id));
  for (const [id, group] of groups) {
    const base = systemThatRan(context.baseline, id);
    if (!base) continue;
    found = true;
    const differences = vsBaseline(system, base, group, context.results.settings.bootstrap);
    for (const [measure, difference] of Object.entries(differences)) {
      vs[measure] = id === system.id ? difference : { ...difference, against: id };
    }
    Object.assign(perQuery, alignedValues(base, group, context.positions));
  }
  return found ? { vsBaseline: vs, baselinePerQuery: perQuery } : null;
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
    batchLatencyMs: {},
    batchSizes: { embed: [], search: [] },
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
