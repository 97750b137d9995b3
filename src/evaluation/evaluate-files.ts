import { basename } from 'node:path';
import { fileSha256 } from '../dataset/digest.js';
import { loadDataset } from '../dataset/native.js';
import { resolveDataset } from '../dataset/resolve.js';
import { readRunFile } from '../dataset/run-file.js';
import { parseMeasureList } from '../metrics/registry.js';
import { type EvaluateRunsResult, evaluateRuns } from './evaluate-runs.js';
import type { EvaluationSettings } from './types.js';

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

/** Evaluation settings with the defaults every command shares. */
export function evaluationSettings(
  measures: string[],
  options: Pick<
    EvaluateFilesOptions,
    'relevanceLevel' | 'skipMissing' | 'bootstrapSamples' | 'confidence' | 'seed'
  >,
): EvaluationSettings {
  return {
    measures,
    relevanceLevel: options.relevanceLevel ?? 1,
    missingQueries: options.skipMissing ? 'skip' : 'zero',
    bootstrap: {
      samples: options.bootstrapSamples ?? 1000,
      confidence: options.confidence ?? 0.95,
      seed: options.seed ?? 42,
    },
  };
}

/** dataset + run files → evaluation: the whole of `retrieval-gate eval`, minus printing. */
export function evaluateRunFiles(options: EvaluateFilesOptions): EvaluateRunsResult {
  const measures = parseMeasureList(options.measures);
  const dataset = loadDataset(resolveDataset(options.dataset), { strict: options.strict });
  const runs = options.runs.map((path) => ({
    name: basename(path).replace(/\.[^.]*$/, ''),
    file: { name: basename(path), sha256: fileSha256(path) },
    run: readRunFile(path),
  }));
  return evaluateRuns(
    dataset,
    runs,
    measures,
    evaluationSettings(
      measures.map((m) => m.name),
      options,
    ),
  );
}
