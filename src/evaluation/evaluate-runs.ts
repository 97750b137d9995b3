import type { Dataset } from '../dataset/types.js';
import { bootstrapMeanIntervals, type MeanIntervals } from '../metrics/bootstrap.js';
import { asMean, type EvaluateOptions, evaluateRun, type RunEvaluation } from '../metrics/evaluate.js';
import type { Measure } from '../metrics/registry.js';
import type { Qrels, QueryJudgments, Run } from '../metrics/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type {
  DatasetSummary,
  EvaluationFile,
  EvaluationSettings,
  MeasureSummary,
  RunResult,
} from './types.js';

/**
 * A run's evaluation by a reader that never holds the run whole (a file of millions of lines, read block by
 * block): the caller's reading, this module's measures and settings. The reading gives the file's sha256
 * too, so the file is read once.
 */
export type StreamedEvaluation = (
  qrels: Qrels,
  measures: Measure[],
  options: EvaluateOptions,
) => { evaluation: RunEvaluation; runId: string; sha256: string };

/** A run to evaluate, with the names it is reported under and the file it came from. */
export type NamedRun = HeldRun | StreamedRun;

interface RunNames {
  name: string;
  /** Evaluate on these judged queries only (a stage run for a sample of them, e.g. a sampled exact check). */
  qids?: string[];
}

/** A run in memory, from a file whose digest is known. */
export interface HeldRun extends RunNames {
  run: Run;
  file: { name: string; sha256: string };
}

/** A run read from its file as it is evaluated; the reading gives the file's digest. */
export interface StreamedRun extends RunNames {
  streamed: StreamedEvaluation;
  file: { name: string };
}

export interface EvaluateRunsResult {
  evaluation: EvaluationFile;
  /** Things the user should know that did not stop the evaluation. */
  warnings: string[];
}

/**
 * Runs (in memory, or streamed from their files) → the evaluation file: per-query values, means, bootstrap
 * intervals. Pure and deterministic; `intervals` is how the bootstrap is made (the app shares a large one
 * among threads: the same intervals).
 */
export function evaluateRuns(
  dataset: Dataset,
  runs: NamedRun[],
  measures: Measure[],
  settings: EvaluationSettings,
  intervals: MeanIntervals = bootstrapMeanIntervals,
): EvaluateRunsResult {
  const warnings = [...dataset.warnings];
  const label = `${dataset.manifest.name}@${dataset.manifest.version}`;
  const results = runs.map((named): RunResult => {
    const { name, qids } = named;
    const qrels = qids ? new Map(qids.flatMap((q) => judgmentsOf(dataset.qrels, q))) : dataset.qrels;
    const options = evaluateOptions(settings);
    const { evaluation, runId, sha256 } =
      'run' in named
        ? {
            evaluation: evaluateRun(qrels, named.run, measures, options),
            runId: named.run.runId,
            sha256: named.file.sha256,
          }
        : named.streamed(qrels, measures, options);
    const file = { name: named.file.name, sha256 };
    // Geometric means and sums get intervals too: each is a function of a mean, bootstrapped as one.
    const forms = measures.map((measure, m) =>
      asMean(evaluation.values[m] as Float64Array, measure.aggregate),
    );
    const bounds = intervals(
      forms.map((form) => form.column),
      settings.bootstrap,
    );
    const summaries: Record<string, MeasureSummary> = {};
    const perQuery: Record<string, number[]> = {};
    measures.forEach((measure, m) => {
      const interval = bounds[m];
      const { fromMean } = forms[m] as (typeof forms)[number];
      summaries[measure.name] = {
        value: evaluation.aggregates[m] as number,
        ciLow: interval ? fromMean(interval.low) : null,
        ciHigh: interval ? fromMean(interval.high) : null,
      };
      perQuery[measure.name] = Array.from(evaluation.values[m] as Float64Array);
    });
    if (evaluation.missingFromRun.length > 0) {
      const treatment = settings.missingQueries === 'zero' ? 'scored 0' : 'left out of the means';
      warnings.push(
        `${file.name}: ${evaluation.missingFromRun.length} judged queries have no results (${treatment}), e.g. ${evaluation.missingFromRun.slice(0, 3).join(', ')}`,
      );
    }
    if (evaluation.unjudgedQueries.length > 0) {
      warnings.push(
        `${file.name}: ${evaluation.unjudgedQueries.length} queries are not judged by ${label} and are ignored`,
      );
    }
    return {
      name,
      runId,
      file,
      queriesEvaluated: evaluation.qids.length,
      measures: summaries,
      missingQueries: evaluation.missingFromRun,
      unjudgedQueries: evaluation.unjudgedQueries.length,
      perQuery: { qids: evaluation.qids, values: perQuery },
    };
  });
  const evaluation: EvaluationFile = {
    schemaVersion: 1,
    kind: 'evaluation',
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    dataset: datasetSummary(dataset),
    settings,
    runs: results,
  };
  return { evaluation, warnings };
}

function judgmentsOf(qrels: Qrels, qid: string): [string, QueryJudgments][] {
  const judgments = qrels.get(qid);
  return judgments ? [[qid, judgments]] : [];
}

/** What every output records of the dataset it was measured on. */
export function datasetSummary(dataset: Dataset): DatasetSummary {
  return {
    name: dataset.manifest.name,
    version: dataset.manifest.version,
    digest: dataset.digest,
    queries: dataset.queries.size,
    judgedQueries: dataset.qrels.size,
  };
}

/** The settings as the metrics code takes them: every measure of a results folder is computed this way. */
export function evaluateOptions(settings: EvaluationSettings): EvaluateOptions {
  return {
    relevanceLevel: settings.relevanceLevel,
    missing: settings.missingQueries === 'skip' ? 'skip' : 'empty',
  };
}
