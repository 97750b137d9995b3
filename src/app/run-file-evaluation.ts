import { createHash } from 'node:crypto';
import { fileSha256 } from '../dataset/digest.js';
import { isGzip, withPlainFile } from '../dataset/gzip.js';
import { readPlainRunFile, runFormat, runName } from '../dataset/run-file.js';
import { readTrecRunBlocks, readTrecRunColumns } from '../dataset/trec-run.js';
import {
  type EvaluateOptions,
  evaluateColumnRun,
  evaluateRun,
  type RunEvaluation,
  RunEvaluator,
} from '../metrics/evaluate.js';
import { judgeColumns } from '../metrics/rank.js';
import type { Measure } from '../metrics/registry.js';
import type { Qrels } from '../metrics/types.js';

export interface RunFileEvaluation {
  evaluation: RunEvaluation;
  runId: string;
  /** The sha256 of the run file as given (of the .gz when compressed), when it was asked for. */
  sha256?: string;
}

/**
 * Evaluates each query as soon as its block of lines ends, so a run of millions of lines is never held
 * whole. A file whose queries are interleaved is read a second time, whole (same values, more memory).
 * A gzip-compressed run is decompressed once, to a temporary file both readings share (dataset/gzip.ts); a
 * run in another exchange form (JSONL, dict, MS MARCO) is read whole, its file name as its tag. With
 * `sha256`, a plain TREC run's digest is taken from the same reading of its bytes.
 */
export function evaluateRunFile(
  qrels: Qrels,
  runPath: string,
  measures: Measure[],
  options: EvaluateOptions,
  { sha256 = false } = {},
): RunFileEvaluation {
  const compressed = sha256 && isGzip(runPath);
  const read = withPlainFile(runPath, (plain) => {
    if (runFormat(plain) !== 'trec') {
      const run = readPlainRunFile(plain, runName(runPath));
      return { evaluation: evaluateRun(qrels, run, measures, options), runId: run.runId };
    }
    return evaluatePlainTrecRun(qrels, plain, measures, options, sha256 && !compressed);
  });
  return sha256 && read.sha256 === undefined ? { ...read, sha256: fileSha256(runPath) } : read;
}

function evaluatePlainTrecRun(
  qrels: Qrels,
  runPath: string,
  measures: Measure[],
  options: EvaluateOptions,
  sha256: boolean,
): RunFileEvaluation {
  const evaluator = new RunEvaluator(qrels, measures, options);
  const hash = sha256 ? createHash('sha256') : undefined;
  const streamed = readTrecRunBlocks(
    runPath,
    (qid, results) => {
      evaluator.add(qid, (judgments, level, depth) => judgeColumns(results, judgments, level, depth));
    },
    hash,
  );
  if (streamed) return { evaluation: evaluator.finish(), runId: streamed.runId, sha256: hash?.digest('hex') };
  const again = sha256 ? createHash('sha256') : undefined; // the first reading stopped early
  const run = readTrecRunColumns(runPath, again);
  return {
    evaluation: evaluateColumnRun(qrels, run, measures, options),
    runId: run.runId,
    sha256: again?.digest('hex'),
  };
}
