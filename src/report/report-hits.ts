import { rankOrder } from '../metrics/rank.js';
import type { Run } from '../metrics/types.js';
import type { TopHits } from '../results/system-files.js';
import type { TracedHits } from '../results/trace-reader.js';
import type { DocTable } from './doc-table.js';
import type { ReportSystem } from './report-data.types.js';
import { orderedScores, significant } from './significant.js';

export type ReportHits = ReportSystem['hits'];

/** Hits kept per query: what a reviewer reads before judging a query, and what the page can afford. */
export const HITS_PER_QUERY = 10;

/**
 * A system's top hits for each report query (`positions`: qid → index in the report's queries). From the
 * trace when the run wrote one: the order the user got (reranked, when reranked) with the reranker's scores
 * and each query's latency. Without a trace, from the run file ranked as trec_eval ranks it: no reranker
 * scores, no latency.
 */
export function systemHits(source: TopHits, positions: Map<string, number>, docs: DocTable): ReportHits {
  const hits: ReportHits = {
    docs: Array.from(positions, () => []),
    scores: Array.from(positions, () => []),
    rerank: Array.from(positions, () => []),
    latencyMs: Array.from(positions, () => null),
  };
  if ('traced' in source) {
    for (const record of source.traced) {
      const q = positions.get(record.qid);
      if (q !== undefined) setTraced(hits, q, record, docs);
    }
  } else {
    setRanked(hits, source.run, positions, docs);
  }
  return { ...hits, rerank: rerankLists(hits.rerank) };
}

/**
 * A system's reranker scores per query, or one empty list when no query was reranked: the page reads a
 * missing query's list as empty, and 10,000 empty lists are 30 kB of page for each system without a reranker.
 */
export function rerankLists(lists: ReportHits['rerank']): ReportHits['rerank'] {
  return lists.some((list) => list.length > 0) ? lists : [];
}

function setTraced(hits: ReportHits, q: number, record: TracedHits, docs: DocTable): void {
  const reranked = record.reranked?.slice(0, HITS_PER_QUERY);
  const top = reranked ?? record.firstStage.slice(0, HITS_PER_QUERY);
  hits.docs[q] = top.map((hit) => docs.index(hit.docid));
  hits.scores[q] = orderedScores(top.map((hit) => hit.score));
  hits.rerank[q] = reranked ? orderedScores(reranked.map((hit) => hit.rerankScore)) : []; // no reranker: an empty list, not a null per hit (10,000 queries × 10 nulls is 1.5 MB of page)
  hits.latencyMs[q] = significant(record.latencyMs.total);
}

function setRanked(hits: ReportHits, run: Run, positions: Map<string, number>, docs: DocTable): void {
  for (const [qid, q] of positions) {
    const results = run.queries.get(qid);
    if (!results) continue;
    const top = rankOrder(results).subarray(0, HITS_PER_QUERY);
    hits.docs[q] = Array.from(top, (i) => docs.index(results.docids[i] as string));
    hits.scores[q] = orderedScores(Array.from(top, (i) => results.scores[i] as number));
    hits.rerank[q] = [];
  }
}
