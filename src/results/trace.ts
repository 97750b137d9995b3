/** One line of a system's trace.jsonl: everything that happened to one query. */
export interface TraceRecord {
  qid: string;
  text: string;
  system: string;
  model: { alias: string; version: string } | null;
  index: { alias: string; resolved: string };
  reranker: string | null;
  /** First-stage hits, best first. */
  firstStage: RankedHit[];
  /** After reranking (absent without a reranker): the reranked top `depth`, then the rest of the first stage. */
  reranked?: RerankedHit[];
  /**
   * Per-stage time in ms (monotonic clock), this query's share: a batched call's wall time divided by its
   * batch size (rerank is one call per query); `total` is their sum. null when the stage did not run or was
   * served from cache.
   */
  latencyMs: { embed: number | null; search: number | null; rerank: number | null; total: number };
  /** Wall time of the batched call this query was part of (absent in traces of earlier versions). */
  batchLatencyMs?: { embed: number | null; search: number | null };
  /** How many queries shared the embedding call this query was part of. */
  embedBatchSize: number | null;
  /** How many queries shared the search call. */
  searchBatchSize?: number;
  tokens: { query: number; rerank: number };
  /** In the price units of the config (e.g. USD). */
  cost: { query: number; rerank: number };
  error?: string;
}

export interface RankedHit {
  docid: string;
  score: number;
  rank: number;
}

export interface RerankedHit extends RankedHit {
  /** The reranker's own score; null for hits below the rerank depth. */
  rerankScore: number | null;
  firstStageRank: number;
}
