import type { EvaluateOptions, Judge } from './evaluate.js';
import { isRelevant } from './measures.js';
import { sortIds } from './order.js';
import { judgeRanking } from './rank.js';
import type { Qrels } from './types.js';

/** Mean recall@k and precision@k of one run, element k - 1 for cutoff k. */
export interface CutoffCurves {
  recall: number[];
  precision: number[];
}

/**
 * Mean R@k and P@k for every cutoff k = 1 … maxK in one pass over each ranking, where evaluating each
 * cutoff as its own measure would rescan the top k for every k. The values are exactly those of R@k and P@k
 * under evaluateRun: the same per-query quotients, summed in the same (trec_eval) query order, divided once.
 * `rankings`: the run's queries (runJudges, readRunJudges).
 */
export function cutoffCurves(
  qrels: Qrels,
  rankings: Map<string, Judge>,
  maxK: number,
  options: EvaluateOptions,
): CutoffCurves {
  const recall = new Float64Array(maxK);
  const precision = new Float64Array(maxK);
  let queries = 0;
  for (const qid of sortIds(qrels.keys())) {
    const judge = rankings.get(qid);
    if (judge === undefined && options.missing === 'skip') continue;
    const judgments = qrels.get(qid) ?? new Map<string, number>();
    const level = options.relevanceLevel ?? 1;
    // A judged query the run does not have is an empty ranking (trec_eval -c).
    const ranking = (judge ?? judgeAbsent)(judgments, level, options.depth);
    let found = 0;
    for (let k = 1; k <= maxK; k++) {
      if (k <= ranking.rels.length && isRelevant(ranking.rels[k - 1] as number, ranking.level)) found++;
      recall[k - 1] = (recall[k - 1] as number) + (ranking.numRel === 0 ? 0 : found / ranking.numRel);
      precision[k - 1] = (precision[k - 1] as number) + found / k;
    }
    queries++;
  }
  const mean = (sums: Float64Array): number[] =>
    Array.from(sums, (sum) => (queries === 0 ? 0 : sum / queries));
  return { recall: mean(recall), precision: mean(precision) };
}

const judgeAbsent: Judge = (judgments, level, depth) => judgeRanking(undefined, judgments, level, depth);
