import type { RerankerLift } from '../evaluation/lift.js';
import type { MeasureSummary } from '../evaluation/types.js';
import type { IndexCheck } from '../lifecycle/index-check.js';
import type { LatencySummary } from './latency.js';

/**
 * reports/<run-id>/summary.json: what ran, how each system did, what it cost and how fast it was. Timings
 * live here, not in evaluation.json, which stays byte-identical for identical inputs.
 */
export interface RunSummary {
  schemaVersion: 1;
  kind: 'run-summary';
  tool: { name: string; version: string };
  runId: string;
  config: string;
  dataset: { name: string; version: string; digest: string; queries: number; judgedQueries: number };
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
  index: { alias: string; kind: string; resolved: string | null };
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
  /** What to know before trusting this system's figures. */
  warnings?: string[];
  /** Files under the run folder. */
  files?: { run: string; runJsonl: string; trace: string; firstStage?: string };
}
