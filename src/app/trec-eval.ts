import { readQrelsFile } from '../dataset/qrels-file.js';
import { UserError } from '../errors.js';
import { readTextFile } from '../files.js';
import { formatTrecEval, parseTrecMeasures, trecRows } from '../metrics/trec-eval.js';
import { parseZScores, toZScores, type ZScoreTable } from '../metrics/zscores.js';
import { namingFlag } from './flag-errors.js';
import { evaluateRunFile } from './run-file-evaluation.js';

export interface TrecEvalOptions {
  qrels: string;
  run: string;
  /** trec_eval -m arguments, e.g. ['P.5,10', 'map']; none: trec_eval's default set. */
  measures: string[];
  /** -l: rel >= level counts as relevant. */
  relevanceLevel: number;
  /** The flag the measures came from (`-m`), named in the error when one cannot be read. */
  measuresFlag?: string;
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
  // A family's parameters are read when its rows are made: both steps read -m.
  const { selection, rows, measures, label, missingLabel } = namingFlag(options.measuresFlag, () => {
    const selection = parseTrecMeasures(options.measures);
    return { selection, ...trecRows(selection, options.docs) };
  });
  const zscores = options.zscores === undefined ? undefined : readZScores(options.zscores);
  const qrels = readQrelsFile(options.qrels);
  const { evaluation: raw, runId } = evaluateRunFile(qrels, options.run, measures, {
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
