import type { Dataset } from '../dataset/types.js';
import { annCutoffs, annRecallFigures } from '../evaluation/ann-check.js';
import { evaluateRuns } from '../evaluation/evaluate-runs.js';
import { rerankerLift } from '../evaluation/lift.js';
import { evaluationSettings } from '../evaluation/settings.js';
import type { EvaluationFile, EvaluationSettings } from '../evaluation/types.js';
import { type Measure, parseMeasureList } from '../metrics/registry.js';
import type { RunFolderWriter } from '../results/run-folder-writer.js';
import type { SystemFigures, SystemPlan } from '../results/shard.js';
import {
  type AnnCheckRun,
  type LatencySummary,
  RUN_SUMMARY_VERSION,
  type RunSummary,
  type SystemSummary,
} from '../results/summary.js';
import { summarizeLatency } from '../retrieve/latency.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { parallelMeanIntervals } from './parallel-bootstrap.js';
import type { SystemExecution } from './run-systems.js';

export interface FinishOptions {
  folder: RunFolderWriter;
  runId: string;
  dataset: Dataset;
  /** The config file's name, the config's `dataset:` as written and the folder it resolved to. */
  configName: string;
  datasetReference: string;
  datasetPath: string;
  measures: Measure[];
  settings: EvaluationSettings;
  executions: SystemExecution[];
  startedAt: Date;
  finishedAt?: Date;
}

/**
 * Executed systems → evaluation.json and summary.json: evaluates every run once, measures reranker lift and
 * the ANN check, and summarizes latency and cost from the raw figures. `run` and `merge` both end here, so a
 * merged run's evaluation is the unsharded one's, byte for byte.
 */
/**
 * A run's measures and evaluation settings from the config's measure names: one place, so that a merged
 * run is evaluated exactly as the unsharded run would be.
 */
export function runMeasures(names: readonly string[]): { measures: Measure[]; settings: EvaluationSettings } {
  const measures = parseMeasureList(names.join(','));
  return {
    measures,
    settings: evaluationSettings(
      measures.map((m) => m.name),
      {},
    ),
  };
}

export function finishRun(options: FinishOptions): {
  summary: RunSummary;
  evaluation: EvaluationFile;
  warnings: string[];
} {
  const { dataset, settings, executions } = options;
  const named = executions.flatMap((e) => e.ran?.named ?? []);
  const { evaluation, warnings } = evaluateRuns(
    dataset,
    named,
    options.measures,
    settings,
    parallelMeanIntervals,
  );
  options.folder.writeEvaluation(evaluation);
  const byName = new Map(evaluation.runs.map((r) => [r.name, r]));
  for (const { plan, summary, ran } of executions) {
    if (!ran) continue;
    Object.assign(summary, operationalFigures(plan, ran.figures), { files: ran.files });
    const { exact } = ran.figures;
    // A check that could not run says why; the gate's ann rule fails closed on it.
    if (plan.annCheck && exact && 'error' in exact) {
      summary.annCheck = { status: 'failed', ...annCheckRun(plan), error: exact.error };
    } else if (!plan.annCheck && plan.exactIndex) summary.annCheck = { status: 'exact', k: plan.k };
    const evaluated = byName.get(plan.id);
    if (!evaluated) continue;
    summary.measures = evaluated.measures;
    const exactEvaluated = ran.runs.exact ? byName.get(ran.runs.exact.runId) : undefined;
    if (plan.annCheck && ran.runs.exact && exactEvaluated && exact && 'searchMs' in exact) {
      // The index's own answer: the first stage of a reranked system, what the exact search is compared with.
      const approximate = ran.runs.firstStage ?? ran.runs.run;
      const figures = annRecallFigures(approximate, ran.runs.exact, annCutoffs(plan.k), settings.bootstrap);
      const latencyMs = summarizeLatency(exact.searchMs);
      summary.annCheck = {
        status: 'ok',
        ...annCheckRun(plan),
        ...figures,
        exactMeasures: exactEvaluated.measures,
        ...(latencyMs ? { latencyMs } : {}),
      };
    }
    const firstStage = ran.runs.firstStage ? byName.get(ran.runs.firstStage.runId) : undefined;
    if (firstStage && ran.runs.firstStage && plan.rerankerDepth !== null) {
      summary.firstStage = firstStage.measures;
      summary.lift = rerankerLift(
        evaluated,
        firstStage,
        ran.runs.firstStage,
        dataset.qrels,
        plan.rerankerDepth,
        settings,
      );
    }
  }
  const summary: RunSummary = {
    schemaVersion: RUN_SUMMARY_VERSION,
    kind: 'run-summary',
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    runId: options.runId,
    config: options.configName,
    // Where the dataset was read from, so that `report` finds it again (a config may name it by its folder).
    dataset: { ...evaluation.dataset, reference: options.datasetReference, path: options.datasetPath },
    startedAt: options.startedAt.toISOString(),
    finishedAt: (options.finishedAt ?? new Date()).toISOString(),
    measures: settings.measures,
    systems: executions.map((e) => e.summary),
  };
  options.folder.writeSummary(summary);
  return { summary, evaluation, warnings };
}

function annCheckRun(plan: SystemPlan): AnnCheckRun {
  const checked = plan.annCheck ?? { qids: [], sample: null };
  return { k: plan.k, queries: checked.qids.length, sample: checked.sample };
}

function operationalFigures(plan: SystemPlan, figures: SystemFigures): Partial<SystemSummary> {
  const price = plan.prices;
  const queryCost = figures.embedding.tokens * price.queryTokenPrice;
  const rerankCost =
    figures.rerankTokens * price.rerankTokenPrice + figures.rerankSearchUnits * price.rerankSearchUnitPrice;
  return {
    latencyMs: latencySummaries(figures.latencies),
    queriesPerSecond: figures.wallMs > 0 ? (figures.queries * 1000) / figures.wallMs : 0,
    batchLatencyMs: latencySummaries(figures.batchLatencies),
    batchSizes: { embed: figures.embedding.batchSizes, search: figures.searchBatchSizes },
    // Transient failures that were survived: a slow or rate-limited upstream shows here, not just as latency.
    retries: { embed: figures.embedding.retries, ...figures.retries },
    tokens: {
      query: figures.embedding.tokens,
      indexBuild: figures.indexBuild.tokens,
      rerank: figures.rerankTokens,
    },
    cost: {
      query: queryCost,
      indexBuild: figures.indexBuild.tokens * price.queryTokenPrice,
      rerank: rerankCost,
      perQuery: figures.queries > 0 ? (queryCost + rerankCost) / figures.queries : 0,
    },
    embeddingCalls: { query: figures.embedding.calls, indexBuild: figures.indexBuild.embeddingCalls },
    ...(figures.embedding.truncated.length > 0 ? { truncatedQueries: figures.embedding.truncated } : {}),
  };
}

/** Each stage's latency summary, in the stages' order; a stage without a measurement is left out. */
function latencySummaries<Stage extends string>(
  stages: Record<Stage, number[]>,
): Partial<Record<Stage, LatencySummary>> {
  const summaries: Partial<Record<Stage, LatencySummary>> = {};
  for (const [stage, values] of Object.entries(stages) as [Stage, number[]][]) {
    const summary = summarizeLatency(values);
    if (summary) summaries[stage] = summary;
  }
  return summaries;
}
