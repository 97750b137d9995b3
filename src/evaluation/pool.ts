import { compareCodePoints } from '../metrics/order.js';
import { rankOrder } from '../metrics/rank.js';
import type { Qrels, Run } from '../metrics/types.js';

/** One system's ranked lists, named as the pool reports it. */
export interface PoolSource {
  system: string;
  run: Run;
}

/** An unjudged (query, document) pair of the pool, with why it stands where it does. */
export interface PoolPair {
  qid: string;
  docid: string;
  /** The systems that retrieved it within the depth, in the sources' order. */
  systems: string[];
  /** Its best (smallest) 1-based rank among them. */
  bestRank: number;
  /** How much the systems' top-`depth` sets of its query differ: 1 − their mean pairwise Jaccard overlap. */
  disagreement: number;
}

/**
 * TREC pooling: the union of every system's top `depth` per query, minus the pairs `qrels` already judges
 * (whatever the grade). The most useful judgments come first: documents more systems retrieved, then
 * those ranked higher, then those of queries where the systems disagree most (their judgments move the
 * comparison most); ties by query id and document id, so the same runs give the same pool. `qids` limits
 * the pool to those queries.
 */
export function poolPairs(
  sources: PoolSource[],
  qrels: Qrels,
  depth: number,
  qids?: ReadonlySet<string>,
): PoolPair[] {
  const tops = sources.map((source) => topDocuments(source.run, depth, qids));
  const queries = new Set(tops.flatMap((top) => [...top.keys()]));
  const pairs: PoolPair[] = [];
  for (const qid of queries) {
    const lists = tops.map((top) => top.get(qid));
    const disagreement = disagreementOf(lists.filter((list) => list !== undefined));
    const found = new Map<string, PoolPair>();
    lists.forEach((list, s) => {
      list?.forEach((docid, i) => {
        if (qrels.get(qid)?.has(docid)) return;
        const system = (sources[s] as PoolSource).system;
        const pair = found.get(docid);
        if (!pair) found.set(docid, { qid, docid, systems: [system], bestRank: i + 1, disagreement });
        else {
          pair.systems.push(system);
          pair.bestRank = Math.min(pair.bestRank, i + 1);
        }
      });
    });
    pairs.push(...found.values());
  }
  return pairs.sort(byUsefulness);
}

function byUsefulness(a: PoolPair, b: PoolPair): number {
  return (
    b.systems.length - a.systems.length ||
    a.bestRank - b.bestRank ||
    b.disagreement - a.disagreement ||
    compareCodePoints(a.qid, b.qid) ||
    compareCodePoints(a.docid, b.docid)
  );
}

/** Each query's first `depth` documents, ranked as trec_eval ranks them (score, then doc id). */
function topDocuments(run: Run, depth: number, qids?: ReadonlySet<string>): Map<string, string[]> {
  const tops = new Map<string, string[]>();
  for (const [qid, results] of run.queries) {
    if (qids && !qids.has(qid)) continue;
    const order = rankOrder(results).subarray(0, depth);
    tops.set(
      qid,
      Array.from(order, (i) => results.docids[i] as string),
    );
  }
  return tops;
}

/** 1 − the mean Jaccard overlap over every pair of lists: 0 when all agree (or one system answered). */
export function disagreementOf(lists: string[][]): number {
  if (lists.length < 2) return 0;
  const sets = lists.map((list) => new Set(list));
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      const [a, b] = [sets[i] as Set<string>, sets[j] as Set<string>];
      let shared = 0;
      for (const docid of a) if (b.has(docid)) shared++;
      const union = a.size + b.size - shared;
      sum += union === 0 ? 1 : shared / union;
      pairs++;
    }
  }
  return 1 - sum / pairs;
}
