import { sortIds } from '../metrics/order.js';
import { rankOrder } from '../metrics/rank.js';
import type { QueryResults, Run } from '../metrics/types.js';
import type { AgreementFigures } from '../results/review.js';

/** The queries that disagree most, listed in the review. */
const WORST = 10;

/**
 * How far two systems' rankings agree, query by query: the share of the live system's top k the candidate
 * also returns in its top k (the shorter list's length when a system returned fewer than k), and whether
 * both put the same document first. Over the queries both answered; ranks as trec_eval orders them.
 */
export function agreement(
  set: AgreementFigures['set'],
  k: number,
  live: Run,
  candidate: Run,
  queryText: (qid: string) => string,
): AgreementFigures {
  const rows: AgreementFigures['worst'] = [];
  for (const qid of sortIds(live.queries.keys())) {
    const a = live.queries.get(qid);
    const b = candidate.queries.get(qid);
    if (!a || !b) continue;
    const liveTop = topK(a, k);
    const candidateTop = topK(b, k);
    const depth = Math.min(k, Math.max(liveTop.length, candidateTop.length));
    const shared = new Set(liveTop);
    const common = candidateTop.filter((docid) => shared.has(docid)).length;
    rows.push({
      qid,
      text: queryText(qid),
      overlap: depth === 0 ? 1 : common / depth,
      top1: liveTop[0] === candidateTop[0],
      live: liveTop,
      candidate: candidateTop,
    });
  }
  const mean = (values: number[]) =>
    values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
  return {
    set,
    k,
    queries: rows.length,
    meanOverlap: mean(rows.map((r) => r.overlap)),
    top1Match: mean(rows.map((r) => (r.top1 ? 1 : 0))),
    worst: [...rows].sort((x, y) => x.overlap - y.overlap || Number(x.top1) - Number(y.top1)).slice(0, WORST),
  };
}

function topK(results: QueryResults, k: number): string[] {
  const order = rankOrder(results);
  const top: string[] = [];
  for (let i = 0; i < order.length && top.length < k; i++) {
    top.push(results.docids[order[i] as number] as string);
  }
  return top;
}
