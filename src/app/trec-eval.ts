import { readTrecQrels } from '../dataset/trec-qrels.js';
import { readTrecRunBlocks, readTrecRunColumns } from '../dataset/trec-run.js';
import { UserError } from '../errors.js';
import {
  type EvaluateOptions,
  evaluateColumnRun,
  type RunEvaluation,
  RunEvaluator,
} from '../metrics/evaluate.js';
import { judgeColumns } from '../metrics/rank.js';
import type { Measure } from '../metrics/registry.js';
import { formatTrecEval, parseTrecMeasures, trecRows } from '../metrics/trec-eval.js';
import type { Qrels } from '../metrics/types.js';

export interface TrecEvalOptions {
  qrels: string;
  run: string;
  /** trec_eval -m arguments, e.g. ['P.5,10', 'map']; none: trec_eval's default set. */
  measures: string[];
  /** -l: rel >= level counts as relevant. */
  relevanceLevel: number;
  /** -M: only the top n results of each query. */
  depth?: number;
  /** -c: a judged query missing from the run scores 0 instead of being left out. */
  completeQueries: boolean;
  /** -q: per-query lines as well as the `all` row. */
  perQuery: boolean;
  /** -J: unjudged documents are removed from each ranking before anything is measured. */
  judgedOnly: boolean;
  /** -N: documents in the collection (utility's last cell); 0 when not given, as in trec_eval. */
  docs: number;
}

export interface TrecEvalOutcome {
  /** trec_eval's output lines. */
  lines: string[];
  /** Judged queries without results in the run, left out of the means (none with completeQueries). */
  missingFromRun: string[];
}

/** qrels + run files → trec_eval's lines: `retrieval-gate trec-eval`, minus printing. */
export function trecEvalFiles(options: TrecEvalOptions): TrecEvalOutcome {
  const selection = parseTrecMeasures(options.measures);
  const { rows, measures, label, missingLabel } = trecRows(selection, options.docs);
  const qrels = readTrecQrels(options.qrels);
  const { evaluation, runId } = evaluateTrecRun(qrels, options.run, measures, {
    relevanceLevel: options.relevanceLevel,
    depth: options.depth,
    missing: options.completeQueries ? 'empty' : 'skip',
    missingRanking: 'one-unjudged',
    judgedOnly: options.judgedOnly,
    ...(label ? { label } : {}),
    ...(missingLabel === undefined ? {} : { missingLabel }),
  });
  if (evaluation.qids.length === 0)
    throw new UserError('no query of the run has judgments in the qrels', { file: options.run });
  const lines = formatTrecEval(evaluation, rows, selection, {
    perQuery: options.perQuery,
    completeQueries: options.completeQueries,
    runId,
    qrels,
  });
  return { lines, missingFromRun: options.completeQueries ? [] : evaluation.missingFromRun };
}

/**
 * Evaluates each query as soon as its block of lines ends, so a run of millions of lines is never held
 * whole. A file whose queries are interleaved is read a second time, whole (same values, more memory).
 */
function evaluateTrecRun(
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
