import { grown } from './id-pool.js';
import { sortIds } from './order.js';
import {
  type ColumnRun,
  type JudgedRanking,
  judgeColumns,
  judgedOnly,
  judgeRanking,
  UNJUDGED,
} from './rank.js';
import type { Aggregate, Measure } from './registry.js';
import type { Qrels, QueryJudgments, Run } from './types.js';

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
  /** Drop the documents without a judgment (rel < 0 or not in the qrels) before anything is measured (trec_eval -J). */
  judgedOnly?: boolean;
  /**
   * With missing: 'empty', what a judged query the run lacks is evaluated as: an empty ranking (default), or
   * as trec_eval 10.0 does, one document outside the qrels (measures then say their own value, missingValue).
   */
  missingRanking?: 'empty' | 'one-unjudged';
  /** A text per evaluated query, kept in `labels` (trec_eval's relstring). */
  label?: (r: JudgedRanking) => string;
  /** The label of a judged query the run lacks, when not `label` of its missing ranking. */
  missingLabel?: string;
}

/** Per-query values and aggregates of one run. Query order is trec_eval's: byte order of the qid. */
export interface RunEvaluation {
  measures: Measure[];
  /** The queries that were evaluated, in byte order. */
  qids: string[];
  /** values[m][q]: measure m on query qids[q]. Column layout so resampling reads contiguous memory. */
  values: Float64Array[];
  /** Per measure: its aggregate over evaluated queries (the mean, the sum for counts, a geometric mean). */
  aggregates: number[];
  /** labels[q]: the `label` option's text for query qids[q], when one was asked for. */
  labels?: string[];
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
  return evaluateJudges(qrels, runJudges(run), measures, options);
}

/** evaluateRun for a run read as columns (readTrecRunColumns): the same values, without a string per doc. */
export function evaluateColumnRun(
  qrels: Qrels,
  run: ColumnRun,
  measures: Measure[],
  options: EvaluateOptions,
): RunEvaluation {
  return evaluateJudges(qrels, columnRunJudges(run), measures, options);
}

function evaluateJudges(
  qrels: Qrels,
  judges: Map<string, Judge>,
  measures: Measure[],
  options: EvaluateOptions,
): RunEvaluation {
  const evaluator = new RunEvaluator(qrels, measures, options);
  for (const [qid, judge] of judges) evaluator.add(qid, judge);
  return evaluator.finish();
}

/** Each query of a run, as the function that ranks its results against judgments. */
export function runJudges(run: Run): Map<string, Judge> {
  return new Map(
    Array.from(run.queries, ([qid, results]): [string, Judge] => [
      qid,
      (judgments, level, depth) => judgeRanking(results, judgments, level, depth),
    ]),
  );
}

/** runJudges for a run read as columns. */
export function columnRunJudges(run: ColumnRun): Map<string, Judge> {
  return new Map(
    Array.from(run.queries, ([qid, results]): [string, Judge] => [
      qid,
      (judgments, level, depth) => judgeColumns(results, judgments, level, depth),
    ]),
  );
}

/** Ranks one query's results against its judgments (judgeRanking or judgeColumns on the query's results). */
export type Judge = (judgments: QueryJudgments, level: number, depth: number | undefined) => JudgedRanking;

/**
 * Evaluates a run one query at a time, in any order, so a run read block by block never has to be held
 * whole; `finish` puts the values in trec_eval's query order and aggregates them.
 */
export class RunEvaluator {
  /** Per judged query of the run: its row in `rows`, which holds each measure's value (one allocation, not one per query). */
  private readonly rowOf = new Map<string, number>();
  private rows = new Float64Array(0);
  private readonly labels = new Map<string, string>();
  private readonly unjudged: string[] = [];

  constructor(
    private readonly qrels: Qrels,
    private readonly measures: Measure[],
    private readonly options: EvaluateOptions,
  ) {}

  /** Evaluates one query of the run (each query once); a query without judgments is only noted. */
  add(qid: string, judge: Judge): void {
    const judgments = this.qrels.get(qid);
    if (judgments === undefined) {
      this.unjudged.push(qid);
      return;
    }
    const ranking = this.keepJudged(judge(judgments, this.options.relevanceLevel ?? 1, this.options.depth));
    const width = this.measures.length;
    const row = this.rowOf.size;
    if ((row + 1) * width > this.rows.length) this.rows = grown(this.rows, (row + 1) * width);
    this.measures.forEach((measure, m) => {
      this.rows[row * width + m] = measure.compute(ranking);
    });
    this.rowOf.set(qid, row);
    if (this.options.label) this.labels.set(qid, this.options.label(ranking));
  }

  finish(): RunEvaluation {
    const judgedQids = sortIds(this.qrels.keys());
    const missingFromRun = judgedQids.filter((qid) => !this.rowOf.has(qid));
    const qids =
      this.options.missing === 'empty' ? judgedQids : judgedQids.filter((qid) => this.rowOf.has(qid));
    const width = this.measures.length;
    const values = this.measures.map(() => new Float64Array(qids.length));
    qids.forEach((qid, q) => {
      const row = this.rowOf.get(qid);
      const missing = row === undefined ? this.missingRow(qid) : undefined;
      for (let m = 0; m < width; m++) {
        (values[m] as Float64Array)[q] = missing
          ? (missing[m] as number)
          : (this.rows[(row as number) * width + m] as number);
      }
    });
    const { label, missingLabel } = this.options;
    const labelOf = (qid: string, l: (r: JudgedRanking) => string): string =>
      this.labels.get(qid) ?? missingLabel ?? l(this.missingRanking(qid));
    return {
      measures: this.measures,
      qids,
      values,
      aggregates: this.measures.map((measure, i) => aggregate(values[i] as Float64Array, measure.aggregate)),
      ...(label ? { labels: qids.map((qid) => labelOf(qid, label)) } : {}),
      missingFromRun,
      unjudgedQueries: sortIds(this.unjudged),
    };
  }

  /** A judged query the run lacks: its missing ranking's values, but where a measure says otherwise. */
  private missingRow(qid: string): Float64Array {
    const row = this.compute(this.missingRanking(qid));
    this.measures.forEach((measure, i) => {
      if (measure.missingValue !== undefined) row[i] = measure.missingValue;
    });
    return row;
  }

  private compute(ranking: JudgedRanking): Float64Array {
    return Float64Array.from(this.measures, (measure) => measure.compute(ranking));
  }

  /** A judged query the run does not have, evaluated as an empty ranking or trec_eval's stand-in (-c). */
  private missingRanking(qid: string): JudgedRanking {
    const empty = judgeRanking(undefined, this.qrels.get(qid) ?? new Map(), this.options.relevanceLevel ?? 1);
    if (this.options.missingRanking !== 'one-unjudged') return empty;
    return this.keepJudged({ ...empty, rels: Int32Array.of(UNJUDGED) });
  }

  /** With judgedOnly, the ranking without its unjudged documents (trec_eval -J). */
  private keepJudged(r: JudgedRanking): JudgedRanking {
    return this.options.judgedOnly ? judgedOnly(r) : r;
  }
}

/** trec_eval's floor for a query's value in a geometric mean (MIN_GEO_MEAN). */
const GEOMETRIC_FLOOR = 0.00001;

/**
 * Sums in query order and divides once at the end, as trec_eval does, so the 4th decimal agrees. A geometric
 * mean sums the logarithms of the floored values the same way.
 */
export function aggregate(column: Float64Array, kind: Aggregate): number {
  let sum = 0;
  for (const value of column)
    sum += kind === 'geometric' ? Math.log(Math.max(value, GEOMETRIC_FLOOR)) : value;
  if (kind === 'sum') return sum;
  if (column.length === 0) return 0;
  return kind === 'geometric' ? Math.exp(sum / column.length) : sum / column.length;
}

/**
 * An aggregate as a function of a mean, so that a bootstrap of the mean gives the aggregate's interval: the
 * geometric mean is exp of the mean of the floored logarithms; a sum is n × the mean.
 */
export function asMean(
  column: Float64Array,
  kind: Aggregate,
): { column: Float64Array; fromMean: (mean: number) => number } {
  switch (kind) {
    case 'mean':
      return { column, fromMean: (mean) => mean };
    case 'sum':
      return { column, fromMean: (mean) => mean * column.length };
    case 'geometric':
      return {
        column: column.map((value) => Math.log(Math.max(value, GEOMETRIC_FLOOR))),
        fromMean: Math.exp,
      };
  }
}
