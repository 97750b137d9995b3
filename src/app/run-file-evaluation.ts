import { withPlainFile } from '../dataset/gzip.js';
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
}

/**
 * Evaluates each query as soon as its block of lines ends, so a run of millions of lines is never held
 * whole. A file whose queries are interleaved is read a second time, whole (same values, more memory).
 * TREC and JSONL runs are read so (dataset/run-reader.ts); a gzip-compressed run is decompressed once, to a
 * temporary file both readings share (dataset/gzip.ts); a dict or MS MARCO run is read whole, its file name
 * as its tag.
 */
export function evaluateRunFile(
  qrels: Qrels,
  runPath: string,
  measures: Measure[],
  options: EvaluateOptions,
): RunFileEvaluation {
  return withPlainFile(runPath, (plain): RunFileEvaluation => {
    const scan = runScan(plain, runName(runPath));
    if (scan) return evaluateScan(qrels, scan, measures, options);
    const run = readPlainRunFile(plain, runName(runPath));
    return { evaluation: evaluateRun(qrels, run, measures, options), runId: run.runId };
  });
}

function evaluateScan(
  qrels: Qrels,
  scan: RunScan,
  measures: Measure[],
  options: EvaluateOptions,
): RunFileEvaluation {
  const evaluator = new RunEvaluator(qrels, measures, options);
  const streamed = readRunBlocks(scan, (qid, results) => {
    evaluator.add(qid, (judgments, level, depth) => judgeColumns(results, judgments, level, depth));
  });
  if (streamed) return { evaluation: evaluator.finish(), runId: streamed.runId };
  const run = readRunColumns(scan);
  return { evaluation: evaluateColumnRun(qrels, run, measures, options), runId: run.runId };
}
