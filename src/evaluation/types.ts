/**
 * The evaluation file (`eval --out`): schema-versioned, deterministic (same inputs → same bytes; no
 * timestamps or paths of this machine), with per-query values so later steps (gates, reports) can compare
 * systems query by query without re-running anything.
 */
export interface EvaluationFile {
  schemaVersion: 1;
  kind: 'evaluation';
  tool: { name: string; version: string };
  dataset: DatasetSummary;
  settings: EvaluationSettings;
  runs: RunResult[];
}

export interface DatasetSummary {
  name: string;
  version: string;
  digest: string;
  /** Queries in the dataset. */
  queries: number;
  /** Queries with at least one judgment: the ones evaluated. */
  judgedQueries: number;
}

export interface EvaluationSettings {
  measures: string[];
  relevanceLevel: number;
  /** How judged queries absent from a run count: 'zero' (an empty ranking, in every mean) or 'skip'. */
  missingQueries: 'zero' | 'skip';
  bootstrap: { samples: number; confidence: number; seed: number };
}

export interface MeasureSummary {
  /** The mean over evaluated queries (the sum, for counts such as NumRet). */
  value: number;
  /** Bootstrap confidence interval of the mean; null for counts or when no query was evaluated. */
  ciLow: number | null;
  ciHigh: number | null;
}

export interface RunResult {
  /** A short name for tables: the run file's name without its extension. */
  name: string;
  /** The run's own tag (TREC's last column). */
  runId: string;
  file: { name: string; sha256: string };
  queriesEvaluated: number;
  /** Keyed by canonical measure name, in settings.measures order. */
  measures: Record<string, MeasureSummary>;
  /** Judged queries with no results in the run (scored 0, or skipped, per settings.missingQueries). */
  missingQueries: string[];
  /** Queries in the run that the dataset does not judge: ignored. */
  unjudgedQueries: number;
  /** Columnar per-query values: values[measure][i] belongs to qids[i]. */
  perQuery: { qids: string[]; values: Record<string, number[]> };
}
