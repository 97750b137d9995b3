import { basename } from 'node:path';
import { fileSha256 } from '../dataset/digest.js';
import { loadDataset } from '../dataset/native.js';
import { resolveDataset } from '../dataset/resolve.js';
import { readRunFile } from '../dataset/run-file.js';
import type { Dataset } from '../dataset/types.js';
import { bootstrapMeanIntervals } from '../metrics/bootstrap.js';
import { evaluateRun } from '../metrics/evaluate.js';
import { parseMeasureList } from '../metrics/registry.js';
import { TOOL_NAME, TOOL_VERSION } from '../package-root.js';
import type { EvaluationFile, EvaluationSettings, MeasureSummary, RunResult } from './types.js';

export interface EvaluateFilesOptions {
  /** A dataset folder or name@version. */
  dataset: string;
  runs: string[];
  /** Comma-separated measure names, e.g. "R@5,P@5,RR,nDCG@10". */
  measures: string;
  relevanceLevel?: number;
  skipMissing?: boolean;
  strict?: boolean;
  bootstrapSamples?: number;
  confidence?: number;
  seed?: number;
}

export interface EvaluateFilesResult {
  evaluation: EvaluationFile;
  /** Things the user should know that did not stop the evaluation. */
  warnings: string[];
}

/** dataset + run files → evaluation: the whole of `retrieval-gate eval`, minus printing. */
export function evaluateRunFiles(options: EvaluateFilesOptions): EvaluateFilesResult {
  const measures = parseMeasureList(options.measures);
  const dataset = loadDataset(resolveDataset(options.dataset), { strict: options.strict });
  const settings: EvaluationSettings = {
    measures: measures.map((m) => m.name),
    relevanceLevel: options.relevanceLevel ?? 1,
    missingQueries: options.skipMissing ? 'skip' : 'zero',
    bootstrap: {
      samples: options.bootstrapSamples ?? 1000,
      confidence: options.confidence ?? 0.95,
      seed: options.seed ?? 42,
    },
  };
  const warnings = [...dataset.warnings];
  const runs = options.runs.map((path) => {
    const run = readRunFile(path);
    const evaluation = evaluateRun(dataset.qrels, run, measures, {
      relevanceLevel: settings.relevanceLevel,
      missing: options.skipMissing ? 'skip' : 'empty',
    });
    const intervals = bootstrapMeanIntervals(evaluation.values, settings.bootstrap);
    const summaries: Record<string, MeasureSummary> = {};
    const perQuery: Record<string, number[]> = {};
    measures.forEach((measure, m) => {
      const interval = measure.aggregate === 'mean' ? intervals[m] : undefined;
      summaries[measure.name] = {
        value: evaluation.aggregates[m] as number,
        ciLow: interval?.low ?? null,
        ciHigh: interval?.high ?? null,
      };
      perQuery[measure.name] = Array.from(evaluation.values[m] as Float64Array);
    });
    const name = basename(path).replace(/\.[^.]*$/, '');
    if (evaluation.missingFromRun.length > 0) {
      warnings.push(
        `${path}: ${evaluation.missingFromRun.length} judged queries have no results (${settings.missingQueries === 'zero' ? 'scored 0' : 'left out of the means'}), e.g. ${evaluation.missingFromRun.slice(0, 3).join(', ')}`,
      );
    }
    if (evaluation.unjudgedQueries.length > 0) {
      warnings.push(
        `${path}: ${evaluation.unjudgedQueries.length} queries are not judged by ${datasetLabel(dataset)} and are ignored`,
      );
    }
    const result: RunResult = {
      name,
      runId: run.runId,
      file: { name: basename(path), sha256: fileSha256(path) },
      queriesEvaluated: evaluation.qids.length,
      measures: summaries,
      missingQueries: evaluation.missingFromRun,
      unjudgedQueries: evaluation.unjudgedQueries.length,
      perQuery: { qids: evaluation.qids, values: perQuery },
    };
    return result;
  });
  const evaluation: EvaluationFile = {
    schemaVersion: 1,
    kind: 'evaluation',
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    dataset: {
      name: dataset.manifest.name,
      version: dataset.manifest.version,
      digest: dataset.digest,
      queries: dataset.queries.size,
      judgedQueries: dataset.qrels.size,
    },
    settings,
    runs,
  };
  return { evaluation, warnings };
}

export function datasetLabel(dataset: Dataset): string {
  return `${dataset.manifest.name}@${dataset.manifest.version}`;
}
