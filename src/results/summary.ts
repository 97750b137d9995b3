import type { SearchSetting } from '../config/types.js';
import type { RerankerLift } from '../evaluation/lift.js';
import type { MeasureSummary } from '../evaluation/types.js';
import type { LatencyFigures } from '../metrics/percentile.js';

/**
 * reports/<run-id>/summary.json: what ran, how each system did, what it cost and how fast it was. Timings
 * live here, not in evaluation.json, which stays byte-identical for identical inputs.
 */
export interface RunSummary {
  /**
   * 2: per-query latencies are amortised (a batched call's time ÷ its batch size) and each call's own time
   * is in `batchLatencyMs`. 1 (earlier versions): each query carried its whole call's time.
   */
  schemaVersion: 1 | 2;
  kind: 'run-summary';
  tool: { name: string; version: string };
  runId: string;
  config: string;
  dataset: {
    name: string;
    version: string;
    digest: string;
    queries: number;
    judgedQueries: number;
    /** The config's `dataset:` as written (a name@version or a folder), and the folder it resolved to. */
    reference?: string;
    path?: string;
  };
  startedAt: string;
  finishedAt: string;
  measures: string[];
  systems: SystemSummary[];
}

export interface SystemDescription {
  model: {
    alias: string;
    provider: string;
    model: string;
    version: string;
    dimensions: number | null;
  } | null;
  /** `search`: the setting of a parameter sweep this system is one point of. */
  index: { alias: string; kind: string; resolved: string | null; search?: SearchSetting };
  reranker: { alias: string; kind: string; depth: number } | null;
  k: number;
}

export interface SystemSummary {
  id: string;
  status: 'ok' | 'failed';
  /** Why the system failed; nothing below is reported for a failed system. */
  error?: string;
  description: SystemDescription;
  measures?: Record<string, MeasureSummary>;
  firstStage?: Record<string, MeasureSummary>;
  lift?: RerankerLift;
  latencyMs?: {
    embed?: LatencySummary;
    search?: LatencySummary;
    rerank?: LatencySummary;
    total?: LatencySummary;
  };
  queriesPerSecond?: number;
  /** Wall time of each batched call (an embedding request, a search batch): one measurement per call. */
  batchLatencyMs?: { embed?: LatencySummary; search?: LatencySummary };
  batchSizes?: { embed: number[]; search: number[] };
  retries?: { embed: number; search: number; rerank: number };
  tokens?: { query: number; indexBuild: number; rerank: number };
  /** In the config's price units (e.g. USD). */
  cost?: { query: number; indexBuild: number; rerank: number; perQuery: number };
  embeddingCalls?: { query: number; indexBuild: number };
  /** Queries cut to the model's input limit before embedding (overLong: truncate). */
  truncatedQueries?: string[];
  /** A live index's collection, compatibility with the model, and judged-relevant documents it lacks. */
  indexCheck?: IndexCheck;
  /** An approximate index's answers against its exact ones: the neighbours the index loses. */
  annCheck?: AnnCheck;
  /** What to know before trusting this system's figures. */
  warnings?: string[];
  /** Files under the run folder. */
  files?: {
    /** The run evaluated: run.trec, or run.jsonl when ids with whitespace kept it out of TREC. */
    run: string;
    runJsonl: string;
    trace: string;
    firstStage?: string;
    exact?: string;
    /** The run over an unjudged query sample (`migrate review --queries`): compared, never evaluated. */
    sample?: string;
  };
}

/**
 * What was checked about a live index before evaluating against it: recorded in the run summary. The same
 * shape for every live kind: `collection` is the concrete thing searched (a Qdrant collection, a pgvector
 * table) and `url` where it lives (never with credentials).
 */
export interface IndexCheck {
  collection: {
    url: string;
    alias: string | null;
    collection: string;
    size: number;
    distance: string;
    points: number | null;
    metadata: Record<string, unknown> | null;
  };
  compatibility: {
    problems: string[];
    warnings: string[];
    /** True when problems were found and --allow-incompatible let the system run anyway. */
    overridden: boolean;
  };
  /** Judged-relevant documents the index does not hold: they cap recall whatever the model does. */
  missingRelevant: { share: number; relevant: number; missing: string[] };
  /** pgvector: the ANN index found on the vector column (null: none, every search is exact). */
  ann?: {
    type: 'hnsw' | 'ivfflat';
    name: string;
    distance: string;
    params: Record<string, number>;
    sizeBytes: number;
  } | null;
}

/**
 * The ANN check of one system: its index's exact top k (systems/<id>/exact.trec, evaluated as `<id>~exact`)
 * beside the approximate one, so a weaker model and an index that loses neighbours are told apart.
 */
export type AnnCheck =
  | (AnnCheckRun & {
      status: 'ok';
      /** ANNRecall@10, ANNRecall@k: the mean over the checked queries with its bootstrap interval. */
      recall: Record<string, MeasureSummary>;
      /** Columnar per-query values: values[measure][i] belongs to qids[i]. */
      perQuery: { qids: string[]; values: Record<string, number[]> };
      /** The exact run's qrels measures, beside the system's own: the model without the index's loss. */
      exactMeasures: Record<string, MeasureSummary>;
      /** The exact searches' latency, the reference an ANN setting is weighed against. */
      latencyMs?: LatencySummary;
    })
  /** The exact search could not be had (an error, a timeout): the gate's ann rule fails closed. */
  | (AnnCheckRun & { status: 'failed'; error: string })
  /** The system searches exactly (`exact: true`): nothing to lose, ANNRecall is 1 by construction. */
  | { status: 'exact'; k: number };

/** What every ANN check that ran records: the exact search's depth and the queries it covered. */
export interface AnnCheckRun {
  /** Depth of the exact search: the system's k. */
  k: number;
  /** Queries checked: every query, or a seeded sample. */
  queries: number;
  sample: { size: number; seed: number } | null;
}

/** The summary's schemaVersion `run` writes now. */
export const RUN_SUMMARY_VERSION = 2 as const;

/**
 * Latency figures of one stage: percentiles over the measured queries (or calls), in milliseconds; `count`
 * is the queries (or calls) with a measurement (cached stages are not measured).
 */
export type LatencySummary = LatencyFigures;

/**
 * The raw figures of a system's query loop, from which its summary's latencies, throughput and costs are
 * taken: what a run measures (retrieve/run-system.ts) and what a shard keeps so that merged shards add up to
 * one run's figures (shard.ts).
 */
export interface QueryLoopFigures {
  queries: number;
  /**
   * Measured per-stage latencies (ms) of every query where the stage ran, amortised: a batched call's time
   * divided by the queries it held, so each query carries its share and the shares add up to the calls'
   * time. `total` is the sum of a query's shares.
   */
  latencies: { embed: number[]; search: number[]; rerank: number[]; total: number[] };
  /** Wall time of each batched call (ms), one entry per call: what one request to the stage took. */
  batchLatencies: { embed: number[]; search: number[] };
  /** Wall time of the query loop (embedding, search, rerank), for queries per second. */
  wallMs: number;
  embedding: { calls: number; tokens: number; retries: number; batchSizes: number[]; truncated: string[] };
  /** Queries per search call (the last batch may be smaller). */
  searchBatchSizes: number[];
  rerankTokens: number;
  rerankSearchUnits: number;
}
