import { sortIds } from './order.js';
import { judgeRanking } from './rank.js';
import type { Measure } from './registry.js';
import type { Qrels, Run } from './types.js';

export interface EvaluateOptions {
  /** rel >= level counts as relevant (trec_eval -l); default 1. */
  relevanceLevel?: number;
  /** Keep only the top N of each ranking (trec_eval -M); default: all. */
  depth?: number;
  /**
   * A judged query with no results in the run: 'empty' evaluates it as an empty ranking that counts in
   * every mean (trec_eval -c); 'skip' leaves it out of the means (trec_eval 9 without -c). Never silent:
   * the caller gets the list in `missingFromRun`.
   */
  missing: 'empty' | 'skip';
}

/** Per-query values and aggregates of one run. Query order is trec_eval's: byte order of the qid. */
export interface RunEvaluation {
  measures: Measure[];
  /** The queries that were evaluated, in byte order. */
  qids: string[];
  /** values[m][q]: measure m on query qids[q]. Column layout so resampling reads contiguous memory. */
  values: Float64Array[];
  /** Per measure: the mean over evaluated queries, or the sum for counts. */
  aggregates: number[];
  /** Judged queries that have no results in the run. */
  missingFromRun: string[];
  /** Run queries that have no judgments: ignored, as trec_eval ignores them. */
  unjudgedQueries: string[];
}

export function evaluateRun(
  qrels: Qrels,
  run: Run,
  measures: Measure[],
  options: EvaluateOptions,
): RunEvaluation {
  const level = options.relevanceLevel ?? 1;
  const judgedQids = sortIds(qrels.keys());
  const missingFromRun = judgedQids.filter((qid) => !run.queries.has(qid));
  const qids = options.missing === 'empty' ? judgedQids : judgedQids.filter((qid) => run.queries.has(qid));
  const values = measures.map(() => new Float64Array(qids.length));
  qids.forEach((qid, q) => {
    const ranking = judgeRanking(run.queries.get(qid), qrels.get(qid) ?? new Map(), level, options.depth);
    measures.forEach((measure, i) => {
      (values[i] as Float64Array)[q] = measure.compute(ranking);
    });
  });
  return {
    measures,
    qids,
    values,
    aggregates: measures.map((measure, i) => aggregate(values[i] as Float64Array, measure.aggregate)),
    missingFromRun,
    unjudgedQueries: sortIds([...run.queries.keys()].filter((qid) => !qrels.has(qid))),
  };
}

/** Sums in query order and divides once at the end, as trec_eval does, so the 4th decimal agrees. */
export function aggregate(column: Float64Array, kind: 'mean' | 'sum'): number {
  let sum = 0;
  for (const value of column) sum += value;
  if (kind === 'sum') return sum;
  return column.length === 0 ? 0 : sum / column.length;
}
