import { withPlainFile } from '../dataset/gzip.js';
import { readQrelsFile } from '../dataset/qrels-file.js';
import { readPlainRunFile, runFormat, runName } from '../dataset/run-file.js';
import { readTrecRunBlocks, readTrecRunColumns } from '../dataset/trec-run.js';
import { UserError } from '../errors.js';
import { readTextFile } from '../files.js';
import {
  type EvaluateOptions,
  evaluateColumnRun,
  evaluateRun,
  type RunEvaluation,
  RunEvaluator,
} from '../metrics/evaluate.js';
import { judgeColumns } from '../metrics/rank.js';
import type { Measure } from '../metrics/registry.js';
import { formatTrecEval, parseTrecMeasures, trecRows } from '../metrics/trec-eval.js';
import type { Qrels } from '../metrics/types.js';
import { parseZScores, toZScores, type ZScoreTable } from '../metrics/zscores.js';

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
  /** -Z: a file of `qid measure mean stddev` lines; values are printed as z-scores against them. */
  zscores?: string;
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
  const zscores = options.zscores === undefined ? undefined : readZScores(options.zscores);
  const qrels = readQrelsFile(options.qrels);
  const { evaluation: raw, runId } = evaluateTrecRun(qrels, options.run, measures, {
    relevanceLevel: options.relevanceLevel,
    depth: options.depth,
    missing: options.completeQueries ? 'empty' : 'skip',
    missingRanking: 'one-unjudged',
    judgedOnly: options.judgedOnly,
    ...(label ? { label } : {}),
    ...(missingLabel === undefined ? {} : { missingLabel }),
  });
  if (raw.qids.length === 0)
    throw new UserError('no query of the run has judgments in the qrels', { file: options.run });
  const evaluation = zscores ? toZScores(raw, rows, zscores) : raw;
  const lines = formatTrecEval(evaluation, rows, selection, {
    perQuery: options.perQuery,
    completeQueries: options.completeQueries,
    runId,
    qrels,
    zscores: zscores !== undefined,
  });
  return { lines, missingFromRun: options.completeQueries ? [] : evaluation.missingFromRun };
}

function readZScores(path: string): ZScoreTable {
  return parseZScores(readTextFile(path), path);
}

/**
 * Evaluates each query as soon as its block of lines ends, so a run of millions of lines is never held
 * whole. A file whose queries are interleaved is read a second time, whole (same values, more memory).
 * A gzip-compressed run is decompressed once, to a temporary file both readings share (dataset/gzip.ts); a
 * run in another exchange form (JSONL, dict, MS MARCO) is read whole, its file name as its tag.
 */
function evaluateTrecRun(
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
