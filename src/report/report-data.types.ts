import type { RerankerLift } from '../evaluation/lift.js';
import type { MeasureSummary } from '../evaluation/types.js';
import type { AuditFile } from '../results/audit.js';
import type { ReviewFile } from '../results/review.js';
import type { AnnCheck, LatencySummary, SystemDescription } from '../results/summary.js';
import type { RuleOutcome, Status } from '../results/verdict.js';

/**
 * Everything the HTML report shows, as one JSON value embedded in the page. Built from a run folder
 * (summary, evaluation, run files, traces, gate.json when gated) and optionally a baseline. Compact by
 * design: ids are stored once (queries, docs) and referred to by index, so 10,000 queries × 4 systems stay
 * a few MB; the page renders per-query detail on demand.
 */
export interface ReportData {
  schemaVersion: 1;
  tool: { name: string; version: string };
  /** When the report was made (ISO 8601); the run's own times are in `run`. */
  generatedAt: string;
  run: { id: string; startedAt: string | null; finishedAt: string | null };
  dataset: { name: string; version: string; digest: string; queries: number; judgedQueries: number };
  /** Measures in the config's order; the first is the headline. */
  measures: string[];
  /**
   * The Judged@k the verdict's coverage rules (and their low-judged warnings) are about, when the run did not
   * measure them: each system's share is in `judged`. Absent when there are none.
   */
  judgedMeasures?: string[];
  /** The gate's verdict when the run was gated (gate.json in the run folder); null otherwise. */
  verdict: ReportVerdict | null;
  /** What the systems are compared with; null without a baseline. */
  baseline: { source: string; runId: string } | null;
  /** Judged queries, in evaluation order (sorted ids); every per-query array below is aligned to these. */
  queries: { ids: string[]; texts: string[] };
  /** Every doc id the report mentions, referred to by index. */
  docs: string[];
  /**
   * Aligned to `docs`: what the report keeps of each document a hit list shows, so a ranking can be judged
   * by what it returned (DocText); null for the rest. Absent when the dataset has no corpus.
   */
  docTexts?: DocText[];
  /** Per query (aligned to queries.ids): its judgments as [doc index, grade] pairs, grade-descending. */
  judgments: [number, number][][];
  /** Cutoffs of the recall/precision curves: 1, 2, … up to the largest system k (at most 100). */
  curveK: number[];
  systems: ReportSystem[];
  /** Which systems differ significantly from which, per measure; absent with fewer than two that ran. */
  pairwise?: ReportPairwise;
  /** When any system's index was checked against exact search: what the ANN figures show. */
  ann?: ReportAnn;
  /** When the run is a migration review (review.json in the run folder): what the review section shows. */
  review?: ReviewFile;
  /** When the run folder holds an index audit (audit.json): what the audit section shows. */
  audit?: AuditFile;
}

/**
 * A shown document's title ('' without one) and the start of its text; [title] when its text was left out
 * to keep the report's size, 0 when both were (doc-texts.ts gives the first hits of every list theirs
 * first); null when the corpus lacks it or no hit shows it.
 */
export type DocText = [title: string, text: string] | [title: string] | 0 | null;

/** Pairwise paired tests between the systems of one run (report-pairwise.ts). */
export interface ReportPairwise {
  test: string;
  correction: 'holm';
  /** A pair is marked when its corrected p-value is below this. */
  alpha: number;
  /**
   * Per measure (means only), every pair that shares queries: indexes into `systems` (a before b), mean
   * difference a − b, the test's p-value and its Holm-corrected p-value over the measure's pairs.
   */
  measures: Record<string, { a: number; b: number; difference: number; p: number; adjusted: number }[]>;
}

/** The ANN check's figures: the ANNRecall the page shows, and each parameter sweep as a recall-vs-latency curve. */
export interface ReportAnn {
  /** ANNRecall@10. */
  measure: string;
  sweeps: ReportSweep[];
}

/**
 * The systems of one parameter sweep: the same model, index, reranker and k, differing only by their search
 * setting (`description.index.search`).
 */
export interface ReportSweep {
  model: string | null;
  index: string;
  reranker: string | null;
  /** Its approximate settings, in the config's order. */
  points: SweepPoint[];
  /**
   * Exact search, which the settings are weighed against: the sweep's `exact: true` system, or else the exact
   * run of its first checked setting (setting `exact`); null when neither was had.
   */
  reference: SweepPoint | null;
}

/** One setting of a sweep: its p95 search latency (x), its ANNRecall and its headline measure's mean (y). */
export interface SweepPoint {
  /** Index in `systems` of the system the figures are of. */
  system: number;
  /** As the system's id names it: `efSearch=64`. */
  setting: string;
  searchP95: number | null;
  annRecall: number | null;
  headline: number | null;
}

/** summary.json's annCheck without its per-query values: the report shows the means. */
export type ReportAnnCheck =
  | Exclude<AnnCheck, { status: 'ok' }>
  | Omit<Extract<AnnCheck, { status: 'ok' }>, 'perQuery'>;

export interface ReportVerdict {
  status: Status;
  policy: string;
  /** Every rule × system outcome, failures first (as in gate.json). */
  outcomes: RuleOutcome[];
  warnings: string[];
}

export interface ReportSystem {
  id: string;
  status: 'ok' | 'failed';
  error: string | null;
  /** What to know before trusting the figures (an index lacking relevant documents, a check overridden). */
  warnings: string[];
  description: SystemDescription;
  /** Means with 95 % CIs; empty for a failed system. */
  measures: Record<string, MeasureSummary>;
  /** Mean of each of data.judgedMeasures (the share of the top k that is judged); absent without them. */
  judged?: Record<string, number>;
  /**
   * Per measure: mean difference from the baseline system with its paired CI; null without one. The baseline
   * system is the one of the same id, or the one the gate compared this measure with (a rule's
   * `baselineSystem`), then named in `against`.
   */
  vsBaseline: Record<string, { difference: number; ciLow: number; ciHigh: number; against?: string }> | null;
  /** Per metric: the worst gate outcome status on it for this system (for colouring); empty when not gated. */
  gate: Record<string, Status>;
  /** Per measure, per query (aligned to queries.ids); null where the query was not evaluated. */
  perQuery: Record<string, (number | null)[]>;
  /** The baseline's per-query values of each measure (same alignment; from the system of `vsBaseline`'s `against`); null without a baseline. */
  baselinePerQuery: Record<string, (number | null)[]> | null;
  /** Mean recall@k and precision@k at data.curveK. */
  curves: { recall: number[]; precision: number[] };
  lift: RerankerLift | null;
  /** An approximate index's check against its exact answer, when the run made one (summary.json's annCheck). */
  annCheck?: ReportAnnCheck;
  /** Per query: a batched call's time ÷ its batch size (what the gate's latency rules read). */
  latencyMs: {
    embed?: LatencySummary;
    search?: LatencySummary;
    rerank?: LatencySummary;
    total?: LatencySummary;
  };
  /** Per call: each embedding request's and search batch's own time; empty for runs of earlier versions. */
  batchLatencyMs: { embed?: LatencySummary; search?: LatencySummary };
  /** The calls' batch sizes (distinct, ascending); empty lists when unknown. */
  batchSizes: { embed: number[]; search: number[] };
  costPerQuery: number | null;
  /**
   * Per query (aligned to queries.ids) its top hits (at most 10), best first, as parallel arrays:
   * doc indexes, scores (as many significant digits as keep neighbours apart, 4 at least), reranker scores (null below the rerank depth; an empty list
   * when the query was not reranked, and one empty list in place of all when no query was); and the query's end-to-end latency in ms (null when unknown). Empty arrays for a failed system.
   */
  hits: { docs: number[][]; scores: number[][]; rerank: (number | null)[][]; latencyMs: (number | null)[] };
  /**
   * The baseline system's top hits, laid out as `hits`, so a regressed query can be read side by side with
   * what the baseline retrieved. Only when the baseline is a run folder: a baseline file keeps no hits.
   */
  baselineHits?: ReportSystem['hits'];
}
