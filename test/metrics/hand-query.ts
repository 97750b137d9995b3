import { judgeRanking } from '../../src/metrics/rank.js';
import { parseMeasure } from '../../src/metrics/registry.js';
import type { QueryJudgments, QueryResults } from '../../src/metrics/types.js';

/**
 * A hand-computed query, shared by the measure tests. Judgments: d1 → 2, d2 → 1, d3 → 0 (judged not relevant),
 * d4 → 3 (never retrieved), d5 → −1 (judged, never relevant). Ranking by score: d3, d1, dX (unjudged), d5, d2.
 */
export const judgments: QueryJudgments = new Map([
  ['d1', 2],
  ['d2', 1],
  ['d3', 0],
  ['d4', 3],
  ['d5', -1],
]);

/** File order differs from rank order: ranking is by score, never by line order. */
export const results: QueryResults = {
  docids: ['d2', 'd1', 'd3', 'dX', 'd5'],
  scores: [0.5, 0.8, 0.9, 0.7, 0.6],
};

/** A measure's value on the hand-computed query at relevance level `level`. */
export function value(name: string, level = 1): number {
  return parseMeasure(name).compute(judgeRanking(results, judgments, level));
}
