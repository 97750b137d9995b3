import { basename } from 'node:path';
import { fileSha256InBackground } from '../dataset/digest.js';
import { loadDataset } from '../dataset/native.js';
import { qrelsOnlyDataset } from '../dataset/qrels-dataset.js';
import { resolveDataset } from '../dataset/resolve.js';
import { runName } from '../dataset/run-file.js';
import type { Dataset } from '../dataset/types.js';
import { UserError } from '../errors.js';
import { type EvaluateRunsResult, evaluateRuns, type NamedRun } from '../evaluation/evaluate-runs.js';
import { evaluationSettings } from '../evaluation/settings.js';
import { formatEvaluationTable } from '../evaluation/table.js';
import type { EvaluationFile } from '../evaluation/types.js';
import { writeJsonFile } from '../files.js';
import { type Measure, parseMeasureList } from '../metrics/registry.js';
import { namingFlag } from './flag-errors.js';
import { parallelMeanIntervals, prepareSharedBootstrap } from './parallel-bootstrap.js';
import { evaluateRunFile } from './run-file-evaluation.js';

export interface EvaluateFilesOptions {
  /** A dataset folder or name@version; or, instead, `qrels`. */
  dataset?: string;
  /** A qrels file on its own (any qrels form), for judgments without a dataset folder. */
  qrels?: string;
  /** A dataset already loaded by the caller, instead of `dataset` or `qrels`: it is not read again. */
  loadedDataset?: Dataset;
  runs: string[];
  /** Comma-separated measure names, e.g. "R@5,P@5,RR,nDCG@10". */
  measures: string;
  /** The flag the measures came from (`--measures`), named in the error when one cannot be read. */
  measuresFlag?: string;
  relevanceLevel?: number;
  skipMissing?: boolean;
  strict?: boolean;
  bootstrapSamples?: number;
  confidence?: number;
  seed?: number;
}

/**
 * dataset + run files → evaluation: the whole of `retrieval-gate eval`, minus printing. Runs in any exchange
 * form (dataset/run-file.ts), gzip-compressed too; each is named by its file (`bm25.trec.gz` → `bm25`).
 */
export function evaluateRunFiles(options: EvaluateFilesOptions): EvaluateRunsResult {
  return evaluateNamedRunFiles(
    options,
    options.runs.map((path) => ({ name: runName(path), path })),
  );
}

/** The same, each run reported under the name given (`compare` names the systems of run folders). */
export function evaluateNamedRunFiles(
  options: Omit<EvaluateFilesOptions, 'runs'>,
  files: { name: string; path: string }[],
): EvaluateRunsResult {
  const measures = parseMeasureOption(options.measures, options.measuresFlag);
  // Each run's digest is taken in a worker while the dataset loads and the run before it is read
  // (dataset/digest.ts), two at most at a time; the run is read as trec-eval reads it: block by block,
  // never whole in memory (run-file-evaluation.ts).
  const digests: { result: () => string }[] = [];
  const digest = (i: number) => {
    if (i < files.length) digests[i] ??= fileSha256InBackground((files[i] as { path: string }).path);
    return digests[i];
  };
  digest(0);
  const dataset = evaluationDataset(options);
  const settings = evaluationSettings(
    measures.map((m) => m.name),
    options,
  );
  prepareSharedBootstrap(dataset.qrels.size, settings.bootstrap.samples);
  const runs = files.map(
    ({ name, path }, i): NamedRun => ({
      name,
      file: { name: basename(path) },
      streamed: (qrels, measures, options) => {
        const sha256 = digest(i) as { result: () => string };
        digest(i + 1);
        return { ...evaluateRunFile(qrels, path, measures, options), sha256: sha256.result() };
      },
    }),
  );
  return evaluateRuns(dataset, runs, measures, settings, parallelMeanIntervals);
}

/** The judgments to evaluate against: a dataset, or a qrels file alone (never both: which would count?). */
function evaluationDataset(
  options: Pick<EvaluateFilesOptions, 'dataset' | 'qrels' | 'strict' | 'loadedDataset'>,
): Dataset {
  if (options.loadedDataset) return options.loadedDataset;
  if (options.dataset !== undefined && options.qrels !== undefined)
    throw new UserError('give --dataset or --qrels, not both');
  if (options.qrels !== undefined) return qrelsOnlyDataset(options.qrels);
  if (options.dataset === undefined)
    throw new UserError('give the judgments: --dataset FOLDER|name@version, or --qrels FILE');
  return loadDataset(resolveDataset(options.dataset), { strict: options.strict });
}

/** What `retrieval-gate eval` shows: the evaluation, what to warn about, and its table of means. */
export interface EvaluationWithTable extends EvaluateRunsResult {
  table: string;
}

export function evaluateWithTable(options: EvaluateFilesOptions): EvaluationWithTable {
  const result = evaluateRunFiles(options);
  return { ...result, table: formatEvaluationTable(result.evaluation) };
}

/** The evaluation JSON `--out` asks for, written as it is serialised (never whole in memory as text). */
export function writeEvaluation(path: string, evaluation: EvaluationFile): void {
  writeJsonFile(path, evaluation);
}

/** A measure list as given on the command line: an error names the flag (`--measures: measure 'P': …`). */
export function parseMeasureOption(list: string, flag: string | undefined): Measure[] {
  return namingFlag(flag, () => parseMeasureList(list));
}
