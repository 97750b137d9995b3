import { type JudgedRanking, UNJUDGED } from './rank.js';

/**
 * Per-query measures as pure functions of a judged ranking. Definitions and edge cases follow NIST
 * trec_eval 10.0 (see ../shared/conformance/README.md): missing ranks below k count as non-relevant,
 * rates are 0 when the query has no relevant document, and negative judgments are never relevant.
 */

export function isRelevant(rel: number, level: number): boolean {
  return rel >= level && rel >= 0;
}

/** Relevant documents among the first `k` retrieved. */
function relevantInTop(r: JudgedRanking, k: number): number {
  const n = Math.min(k, r.rels.length);
  let count = 0;
  for (let i = 0; i < n; i++) if (isRelevant(r.rels[i] as number, r.level)) count++;
  return count;
}

export function precision(r: JudgedRanking, k: number): number {
  return relevantInTop(r, k) / k;
}

export function recall(r: JudgedRanking, k: number): number {
  return r.numRel === 0 ? 0 : relevantInTop(r, k) / r.numRel;
}

/** 1 / rank of the first relevant document within the top k (no cutoff: k = Infinity). */
export function reciprocalRank(r: JudgedRanking, k = Number.POSITIVE_INFINITY): number {
  const n = Math.min(k, r.rels.length);
  for (let i = 0; i < n; i++) if (isRelevant(r.rels[i] as number, r.level)) return 1 / (i + 1);
  return 0;
}

/** Average precision over the top k, divided by all R relevant documents (trec_eval's map and map_cut). */
export function averagePrecision(r: JudgedRanking, k = Number.POSITIVE_INFINITY): number {
  if (r.numRel === 0) return 0;
  const n = Math.min(k, r.rels.length);
  let found = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (isRelevant(r.rels[i] as number, r.level)) {
      found++;
      sum += found / (i + 1);
    }
  }
  return sum / r.numRel;
}

export function rPrecision(r: JudgedRanking): number {
  return r.numRel === 0 ? 0 : relevantInTop(r, r.numRel) / r.numRel;
}

/** nDCG with linear gains (gain = rel), ideal over every positive judgment, retrieved or not. */
export function ndcg(r: JudgedRanking, k = Number.POSITIVE_INFINITY): number {
  const n = Math.min(k, r.rels.length);
  let dcg = 0;
  for (let i = 0; i < n; i++) {
    const gain = r.rels[i] as number;
    if (gain > 0) dcg += gain / Math.log2(i + 2);
  }
  const m = Math.min(k, r.idealGains.length);
  let ideal = 0;
  for (let i = 0; i < m; i++) ideal += (r.idealGains[i] as number) / Math.log2(i + 2);
  return ideal > 0 ? dcg / ideal : 0;
}

/** 1 when a relevant document is in the top k (hit rate), else 0. */
export function success(r: JudgedRanking, k: number): number {
  return relevantInTop(r, k) > 0 ? 1 : 0;
}

/**
 * Share of the documents retrieved in the top k that carry a judgment (any grade, negative included).
 * Divided by the documents actually retrieved there, not k (ir_measures' Judged), so a short ranking is
 * not counted as unjudged; an empty ranking gives 0.
 */
export function judged(r: JudgedRanking, k: number): number {
  const n = Math.min(k, r.rels.length);
  let count = 0;
  for (let i = 0; i < n; i++) if (r.rels[i] !== UNJUDGED) count++;
  return n === 0 ? 0 : count / n;
}

export function numRel(r: JudgedRanking): number {
  return r.numRel;
}

export function numRet(r: JudgedRanking): number {
  return r.rels.length;
}

export function numRelRet(r: JudgedRanking): number {
  return relevantInTop(r, r.rels.length);
}
