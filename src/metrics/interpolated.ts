import { isRelevant, precision } from './measures.js';
import type { JudgedRanking } from './rank.js';

/**
 * Interpolated precision and precision at multiples of R, as trec_eval 10.0 computes them
 * (m_iprec_at_recall.c, m_11pt_avg.c, m_Rprec_mult.c).
 */

/** trec_eval's default recall levels for iprec_at_recall and 11pt_avg: 0, 0.1, …, 1. */
export const ELEVEN_POINTS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

/** C's lround: halves away from zero (Math.round sends -2.5 to -2). */
function lround(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** Ranks (1-based) of the relevant documents retrieved, top first. */
function relevantRanks(r: JudgedRanking): number[] {
  const ranks: number[] = [];
  for (let i = 0; i < r.rels.length; i++) if (isRelevant(r.rels[i] as number, r.level)) ranks.push(i + 1);
  return ranks;
}

/**
 * trec_eval's scan for interpolated precision: `visit(i, p)` receives, for recall level `levels[i]`, the highest
 * precision at or below the rank where that share of R is reached. trec_eval walks up from the last rank; since
 * precision only rises at a relevant document, visiting those alone gives the same values. Levels are taken from
 * the last one down, as trec_eval does, which assumes them ascending: 11pt_avg keeps the order given, and an
 * unordered list gets trec_eval's values, not the textbook ones. A level beyond what was retrieved is never
 * visited (it is 0).
 */
function scanInterpolated(
  r: JudgedRanking,
  levels: readonly number[],
  visit: (index: number, precision: number) => void,
): void {
  const counts = levels.map((level) => lround(level * r.numRel));
  const ranks = relevantRanks(r);
  let cut = counts.length - 1;
  while (cut >= 0 && (counts[cut] as number) > ranks.length) cut--;
  const n = r.rels.length;
  // An empty ranking has no precision; trec_eval would divide 0 by 0 here (only reachable with -J).
  let best = n === 0 ? 0 : ranks.length / n;
  for (let relSoFar = ranks.length; relSoFar > 0 && cut >= 0; relSoFar--) {
    best = Math.max(best, relSoFar / (ranks[relSoFar - 1] as number));
    for (; cut >= 0 && relSoFar === counts[cut]; cut--) visit(cut, best);
  }
  for (; cut >= 0; cut--) visit(cut, best);
}

/** Interpolated precision at a recall level (trec_eval's iprec_at_recall). */
export function interpolatedPrecision(r: JudgedRanking, recall: number): number {
  let value = 0;
  scanInterpolated(r, [recall], (_, p) => {
    value = p;
  });
  return value;
}

/** Mean interpolated precision over recall levels (trec_eval's 11pt_avg), summed in trec_eval's order. */
export function averageInterpolatedPrecision(r: JudgedRanking, levels: readonly number[]): number {
  let sum = 0;
  scanInterpolated(r, levels, (_, p) => {
    sum += p;
  });
  return sum / levels.length;
}

/** Precision at rank ⌊multiple × R + 0.9⌋ (trec_eval's Rprec_mult); 0 when that rank is not positive. */
export function rPrecisionMultiple(r: JudgedRanking, multiple: number): number {
  const rank = Math.trunc(multiple * r.numRel + 0.9);
  return rank <= 0 ? 0 : precision(r, rank);
}
