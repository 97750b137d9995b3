import { rankOrder } from '../metrics/rank.js';
import type { Run } from '../metrics/types.js';
import { systemTraceFile } from '../results/layout.js';
import { readTraceTops, type TracedHits } from '../results/trace-reader.js';
import type { DocTable } from './doc-table.js';
import type { ReportSystem } from './report-data.types.js';
import { significant } from './significant.js';

export type ReportHits = ReportSystem['hits'];

/** Hits kept per query: what a reviewer reads before judging a query, and what the page can afford. */
const TOP = 10;

/**
 * A system's top hits for each report query (`positions`: qid → index in the report's queries). From the
 * trace when the run wrote one: the order the user got (reranked, when reranked) with the reranker's scores
 * and each query's latency. Without a trace, from the run file ranked as trec_eval ranks it (`run` is only
 * read then): no reranker scores, no latency.
 */
export function systemHits(
  runDir: string,
  id: string,
  positions: Map<string, number>,
  docs: DocTable,
  run: () => Run,
): ReportHits {
  const hits: ReportHits = {
    docs: Array.from(positions, () => []),
    scores: Array.from(positions, () => []),
    rerank: Array.from(positions, () => []),
    latencyMs: Array.from(positions, () => null),
  };
  const trace = systemTraceFile(runDir, id);
  if (trace) {
    readTraceTops(trace, TOP, (record) => {
      const q = positions.get(record.qid);
      if (q !== undefined) setTraced(hits, q, record, docs);
    });
  } else {
    setRanked(hits, run(), positions, docs);
  }
  return hits;
}

function setTraced(hits: ReportHits, q: number, record: TracedHits, docs: DocTable): void {
  const reranked = record.reranked?.slice(0, TOP);
  const top = reranked ?? record.firstStage.slice(0, TOP);
  hits.docs[q] = top.map((hit) => docs.index(hit.docid));
  hits.scores[q] = top.map((hit) => significant(hit.score));
  hits.rerank[q] = reranked
    ? reranked.map((hit) => (hit.rerankScore === null ? null : significant(hit.rerankScore)))
    : []; // no reranker: an empty list, not a null per hit (10,000 queries × 10 nulls is 1.5 MB of page)
  hits.latencyMs[q] = significant(record.latencyMs.total);
}

function setRanked(hits: ReportHits, run: Run, positions: Map<string, number>, docs: DocTable): void {
  for (const [qid, q] of positions) {
    const results = run.queries.get(qid);
    if (!results) continue;
    const top = rankOrder(results).subarray(0, TOP);
    hits.docs[q] = Array.from(top, (i) => docs.index(results.docids[i] as string));
    hits.scores[q] = Array.from(top, (i) => significant(results.scores[i] as number));
    hits.rerank[q] = [];
  }
}
