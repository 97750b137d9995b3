import { UserError } from '../errors.js';
import { aggregate, asMean, type RunEvaluation } from './evaluate.js';
import type { TrecRow } from './trec-eval.js';

/**
 * trec_eval's -Z: each query's value printed as a z-score, (value − mean) ÷ stddev, with the mean and
 * standard deviation of that measure on that query from a reference set of runs (a file of
 * `qid measure mean stddev` lines, measures by their printed names: P_5, map, ndcg_cut_10). The summary row
 * aggregates the z-scores. As trec_eval (convert_zscores.c): a query or measure the file lacks gives
 * −1000000; a stddev of 0 gives 0 when the value equals the mean and −1000000 otherwise. A geometric mean's
 * per-query value is, in trec_eval, the logarithm of the floored value: that is what is turned into a z-score,
 * and the summary is exp of the z-scores' mean.
 */

/** trec_eval's MISSING_ZSCORE_VALUE. */
export const MISSING_ZSCORE = -1000000;

interface Reference {
  mean: number;
  stddev: number;
}

/** qid → printed measure name → its reference mean and stddev. */
export type ZScoreTable = Map<string, Map<string, Reference>>;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Reads a z-score file: exactly four whitespace-separated fields per line; a pair given twice is refused. */
export function parseZScores(text: string, file: string): ZScoreTable {
  const table: ZScoreTable = new Map();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, i) => {
    const line = i + 1;
    const fields = raw.trim().split(/\s+/).filter(Boolean);
    if (fields.length !== 4)
      throw new UserError(`expected 4 fields (qid measure mean stddev), got ${fields.length}`, {
        file,
        line,
      });
    const [qid = '', measure = '', meanText = '', stddevText = ''] = fields;
    const read = (text: string, field: string): number => {
      if (!NUMBER.test(text)) throw new UserError(`'${text}' is not a number`, { file, line, field });
      return Number(text);
    };
    const reference = { mean: read(meanText, 'mean'), stddev: read(stddevText, 'stddev') };
    const measures = table.get(qid) ?? new Map<string, Reference>();
    if (measures.has(measure))
      throw new UserError(`query ${qid}, measure ${measure} is given twice`, { file, line });
    table.set(qid, measures.set(measure, reference));
  });
  return table;
}

function zScore(value: number, reference: Reference | undefined): number {
  if (reference === undefined) return MISSING_ZSCORE;
  if (reference.stddev !== 0) return (value - reference.mean) / reference.stddev;
  return value === reference.mean ? 0 : MISSING_ZSCORE;
}

/** The evaluation with each row's per-query values as z-scores, and its aggregates over them. */
export function toZScores(evaluation: RunEvaluation, rows: TrecRow[], table: ZScoreTable): RunEvaluation {
  const values: Float64Array[] = evaluation.values.map((column) => Float64Array.from(column));
  const aggregates = [...evaluation.aggregates];
  for (const row of rows) {
    const m = row.measure ? evaluation.measures.indexOf(row.measure) : -1;
    const measure = evaluation.measures[m];
    if (measure === undefined) continue;
    const geometric = measure.aggregate === 'geometric';
    const scored = geometric
      ? asMean(values[m] as Float64Array, 'geometric').column
      : (values[m] as Float64Array);
    evaluation.qids.forEach((qid, q) => {
      scored[q] = zScore(scored[q] as number, table.get(qid)?.get(row.name));
    });
    values[m] = scored;
    aggregates[m] = geometric ? Math.exp(aggregate(scored, 'mean')) : aggregate(scored, measure.aggregate);
  }
  return { ...evaluation, values, aggregates };
}
