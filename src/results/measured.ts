import type { EvaluationSettings, MeasureSummary } from '../evaluation/types.js';
import type { AnnCheck, SystemDescription, SystemSummary } from './summary.js';

/** One system's measurements as the gate sees them: from a run's results folder or from a baseline file. */
export interface MeasuredSystem {
  id: string;
  status: 'ok' | 'failed';
  /** Why it failed (status 'failed'). */
  error?: string;
  description: SystemDescription | null;
  /** Means and CIs by canonical measure name; empty for a failed system. */
  measures: Record<string, MeasureSummary>;
  /** Columnar per-query values: values[measure][i] belongs to qids[i]. */
  perQuery: { qids: string[]; values: Record<string, number[]> };
  latencyMs: SystemSummary['latencyMs'] | null;
  /**
   * What a latency figure is: 'query' (default), a query's share of its batched call (call time ÷ batch
   * size); 'call', recorded by an earlier version (run summary schemaVersion 1), each query carrying its
   * whole call's time. The two cannot be compared where calls were batched.
   */
  latencyPer?: LatencyBasis;
  costPerQuery: number | null;
  /** For a live index: the judged-relevant documents it was found to lack when the run checked it. */
  missingRelevant?: { share: number; relevant: number; missing: string[] };
  /** For an approximate index: its answers against its exact ones, when the run checked them. */
  annCheck?: AnnCheck;
}

export type LatencyBasis = 'query' | 'call';

/** A run's results (reports/<run-id>/) or a baseline: what a gate compares. */
export interface MeasuredResults {
  /** Where they were read from: a folder, a file, or git:REF:PATH. */
  source: string;
  runId: string;
  dataset: { name: string; version: string; digest: string; judgedQueries: number };
  settings: EvaluationSettings;
  systems: MeasuredSystem[];
}

/** The system `id` of `results` when it ran: the one a comparison pairs a candidate system with. */
export function systemThatRan(
  results: MeasuredResults | null | undefined,
  id: string,
): MeasuredSystem | undefined {
  return results?.systems.find((s) => s.id === id && s.status === 'ok');
}
