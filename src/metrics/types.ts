/** Judgments for one query: doc id → graded relevance (0 = judged not relevant; < 0 judged, never relevant). */
export type QueryJudgments = Map<string, number>;

/** Judgments for a whole dataset: query id → its judgments. */
export type Qrels = Map<string, QueryJudgments>;

/** One query's retrieved documents in file order, before ranking. Parallel arrays keep 7M-line runs compact. */
export interface QueryResults {
  docids: string[];
  scores: number[];
}

/** Ranked lists per query for one system: the in-memory form of a TREC or JSONL run file. */
export interface Run {
  /** The run tag (TREC's last column); trec_eval keeps the one on the last line. */
  runId: string;
  queries: Map<string, QueryResults>;
}
