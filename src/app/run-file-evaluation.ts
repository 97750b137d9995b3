import { createHash } from 'node:crypto';
import { fileSha256 } from '../dataset/digest.js';
import { isGzip, withPlainFile } from '../dataset/gzip.js';
import { readPlainRunFile, runName, runScan } from '../dataset/run-file.js';
import { type RunScan, readRunBlocks, readRunColumns } from '../dataset/run-reader.js';
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
 * TREC and JSONL runs are read so (dataset/run-reader.ts); a gzip-compressed run is decompressed once, to a
 * temporary file both readings share (dataset/gzip.ts); a dict or MS MARCO run is read whole, its file name
 * as its tag. With `sha256`, a plain TREC or JSONL run's digest is taken from the same reading of its bytes.
 */
export function evaluateRunFile(
  qrels: Qrels,
  runPath: string,
  measures: Measure[],
  options: EvaluateOptions,
  { sha256 = false } = {},
): RunFileEvaluation {
  const compressed = sha256 && isGzip(runPath);
  const read = withPlainFile(runPath, (plain): RunFileEvaluation => {
    const scan = runScan(plain, runName(runPath));
    if (scan) return evaluateScan(qrels, scan, measures, options, sha256 && !compressed);
    const run = readPlainRunFile(plain, runName(runPath));
    return { evaluation: evaluateRun(qrels, run, measures, options), runId: run.runId };
  });
  return sha256 && read.sha256 === undefined ? { ...read, sha256: fileSha256(runPath) } : read;
}

function evaluateScan(
  qrels: Qrels,
  scan: RunScan,
  measures: Measure[],
  options: EvaluateOptions,
  sha256: boolean,
): RunFileEvaluation {
  const evaluator = new RunEvaluator(qrels, measures, options);
  const hash = sha256 ? createHash('sha256') : undefined;
  const streamed = readRunBlocks(
    scan,
    (qid, results) => {
      evaluator.add(qid, (judgments, level, depth) => judgeColumns(results, judgments, level, depth));
    },
    hash,
  );
  if (streamed) return { evaluation: evaluator.finish(), runId: streamed.runId, sha256: hash?.digest('hex') };
  const again = sha256 ? createHash('sha256') : undefined; // the first reading stopped early
  const run = readRunColumns(scan, again);
  return {
    evaluation: evaluateColumnRun(qrels, run, measures, options),
    runId: run.runId,
    sha256: again?.digest('hex'),
  };
}
