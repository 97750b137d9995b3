import { numRelRet } from './measures.js';
import type { JudgedRanking } from './rank.js';

/**
 * Measures of the retrieved set as a whole, ranks ignored (trec_eval's set_* and utility). With -M they see the
 * top N only, and unlike P@k they never pad a short ranking with non-relevant documents.
 */

/** Relevant retrieved ÷ retrieved (set_P); 0 for an empty ranking. */
export function setPrecision(r: JudgedRanking): number {
  const n = r.rels.length;
  return n === 0 ? 0 : numRelRet(r) / n;
}

/** Relevant retrieved ÷ R (set_recall); 0 when R = 0. */
export function setRecall(r: JudgedRanking): number {
  return r.numRel === 0 ? 0 : numRelRet(r) / r.numRel;
}

/** Relevant retrieved ÷ the most a set of this size could hold, min(retrieved, R) (set_relative_P). */
export function setRelativePrecision(r: JudgedRanking): number {
  const n = r.rels.length;
  return n === 0 || r.numRel === 0 ? 0 : numRelRet(r) / Math.min(n, r.numRel);
}

/** Set precision × set recall, an unranked AP (set_map). */
export function setAveragePrecision(r: JudgedRanking): number {
  const n = r.rels.length;
  const relRet = numRelRet(r);
  return n === 0 || r.numRel === 0 ? 0 : (relRet * relRet) / (n * r.numRel);
}

/** F-measure of the set, recall weighted `beta` times precision: (β+1)·P·R ÷ (β·P + R) (set_F). */
export function setF(r: JudgedRanking, beta: number): number {
  const relRet = numRelRet(r);
  if (relRet === 0) return 0;
  const p = relRet / r.rels.length;
  const rec = relRet / r.numRel;
  return ((beta + 1) * p * rec) / (beta * p + rec);
}

/** Weights of the contingency table's cells: relevant retrieved, non-relevant retrieved, relevant missed, the rest. */
export type UtilityWeights = readonly [number, number, number, number];

/**
 * Linear utility of the retrieved set (trec_eval's utility): the weighted sum of the contingency table. The last
 * cell needs the collection's size (`docs`, trec_eval's -N, 0 when unknown).
 */
export function utility(r: JudgedRanking, weights: UtilityWeights, docs: number): number {
  const n = r.rels.length;
  const relRet = numRelRet(r);
  const [relRetWeight, nonrelRetWeight, relMissedWeight, restWeight] = weights;
  return (
    relRetWeight * relRet +
    nonrelRetWeight * (n - relRet) +
    relMissedWeight * (r.numRel - relRet) +
    restWeight * (docs + relRet - n - r.numRel)
  );
}
