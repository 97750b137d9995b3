import { withPlainFile } from '../dataset/gzip.js';
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

/**
 * Evaluates each query as soon as its block of lines ends, so a run of millions of lines is never held
 * whole. A file whose queries are interleaved is read a second time, whole (same values, more memory).
 * A gzip-compressed run is decompressed once, to a temporary file both readings share (dataset/gzip.ts); a
 * run in another exchange form (JSONL, dict, MS MARCO) is read whole, its file name as its tag.
 */
export function evaluateRunFile(
  qrels: Qrels,
  runPath: string,
  measures: Measure[],
  options: EvaluateOptions,
): { evaluation: RunEvaluation; runId: string } {
  return withPlainFile(runPath, (plain) => {
    if (runFormat(plain) !== 'trec') {
      const run = readPlainRunFile(plain, runName(runPath));
      return { evaluation: evaluateRun(qrels, run, measures, options), runId: run.runId };
    }
    return evaluatePlainTrecRun(qrels, plain, measures, options);
  });
}

function evaluatePlainTrecRun(
  qrels: Qrels,
  runPath: string,
  measures: Measure[],
  options: EvaluateOptions,
): { evaluation: RunEvaluation; runId: string } {
  const evaluator = new RunEvaluator(qrels, measures, options);
  const streamed = readTrecRunBlocks(runPath, (qid, results) => {
    evaluator.add(qid, (judgments, level, depth) => judgeColumns(results, judgments, level, depth));
  });
  if (streamed) return { evaluation: evaluator.finish(), runId: streamed.runId };
  const run = readTrecRunColumns(runPath);
  return { evaluation: evaluateColumnRun(qrels, run, measures, options), runId: run.runId };
}
