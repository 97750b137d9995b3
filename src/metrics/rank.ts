import { compareCodePoints } from './order.js';
import type { QueryJudgments, QueryResults } from './types.js';

/** Marks a retrieved document that has no judgment for the query. */
export const UNJUDGED = -0x80000000;

/**
 * One query's ranking reduced to what every measure needs: the judgment at each rank, and the query's
 * judged totals. Built once per query; measures are pure functions of it.
 */
export interface JudgedRanking {
  /** Judged relevance at rank i+1, or UNJUDGED. */
  rels: Int32Array;
  /** Relevance threshold: rel >= level counts as relevant (trec_eval's -l). */
  level: number;
  /** R: judged documents with rel >= level. */
  numRel: number;
  /** Gains of every positively judged document, descending: the ideal ranking for nDCG. */
  idealGains: Float64Array;
}

/**
 * trec_eval's order: score descending as doubles; equal scores by doc id descending in byte order.
 * The order of lines in the file and the rank column play no part.
 */
export function rankOrder(results: QueryResults): Uint32Array {
  const { docids, scores } = results;
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const before = (a: number, b: number): number => {
    const sa = scores[a] as number;
    const sb = scores[b] as number;
    if (sa !== sb) return sa > sb ? -1 : 1;
    return compareCodePoints(docids[b] as string, docids[a] as string);
  };
  // Most run files are already in rank order: check in O(n) before paying for a sort.
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = before(i - 1, i) < 0;
  if (!sorted) order.sort(before);
  return order;
}

/** Ranks a query's results and looks up each document's judgment; `depth` keeps the top N (trec_eval -M). */
export function judgeRanking(
  results: QueryResults | undefined,
  judgments: QueryJudgments,
  level: number,
  depth = Number.POSITIVE_INFINITY,
): JudgedRanking {
  const order = results ? rankOrder(results) : new Uint32Array(0);
  const n = Math.min(order.length, depth);
  const rels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const rel = judgments.get((results as QueryResults).docids[order[i] as number] as string);
    rels[i] = rel === undefined ? UNJUDGED : rel;
  }
  return { rels, level, ...judgedTotals(judgments, level) };
}

function judgedTotals(
  judgments: QueryJudgments,
  level: number,
): { numRel: number; idealGains: Float64Array } {
  let numRel = 0;
  const gains: number[] = [];
  for (const rel of judgments.values()) {
    if (rel >= level) numRel++;
    if (rel > 0) gains.push(rel);
  }
  return { numRel, idealGains: Float64Array.from(gains).sort().reverse() };
}
