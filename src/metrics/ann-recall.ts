import type { QueryResults } from './types.js';

/**
 * Scores that differ only in the last bits are the same distance computed by two code paths (an HNSW
 * traversal and a brute-force scan, float32 either way): they count as a tie.
 */
const TIE_TOLERANCE = 1e-6;

/** The name ANNRecall at cutoff k prints under. */
export function annRecallName(k: number): string {
  return `ANNRecall@${k}`;
}

/**
 * ANNRecall@k of one query: the share of the exact top k that the approximate top k holds, as ann-benchmarks
 * counts it. A returned document is a hit when it is in the exact top k, or when its score equals the k-th
 * exact score (a tie at the boundary: the exact search could as well have returned it). Both lists are best
 * first, as the index returned them. With fewer than k exact results the exact list is the whole answer; with
 * none there was nothing to find, and nothing lost: 1.
 */
export function annRecall(approximate: QueryResults, exact: QueryResults, k: number): number {
  const wanted = Math.min(k, exact.docids.length);
  if (wanted === 0) return 1;
  const neighbours = new Set(exact.docids.slice(0, wanted));
  const boundary = exact.scores[wanted - 1] as number;
  const tolerance = TIE_TOLERANCE * Math.max(1, Math.abs(boundary));
  const seen = new Set<string>();
  let hits = 0;
  approximate.docids.slice(0, k).forEach((docid, i) => {
    if (seen.has(docid)) return; // a document listed twice is found once
    seen.add(docid);
    const tied = Math.abs((approximate.scores[i] as number) - boundary) <= tolerance;
    if (neighbours.has(docid) || tied) hits++;
  });
  return Math.min(1, hits / wanted);
}
