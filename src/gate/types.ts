import type { EvaluationSettings, MeasureSummary } from '../evaluation/types.js';
import type { SystemDescription, SystemSummary } from '../retrieve/summary.js';

/**
 * The gate's vocabulary: a policy of rules, and the verdict that applies it to one run's results (and a
 * baseline). The verdict is what every CI output (Markdown, JUnit XML, JSON, GitHub annotations) renders.
 */

export type Level = 'error' | 'warn';
/**
 * When a maxDrop rule fails:
 * - point: the observed drop exceeds the threshold (noise included);
 * - significant: it exceeds the threshold and a one-sided paired test says the drop is real at alpha;
 * - confident: the whole confidence interval of the difference lies beyond the threshold.
 */
export type Decide = 'point' | 'significant' | 'confident';
export type PairedTest = 'randomization' | 't' | 'bootstrap';
export type Correction = 'holm' | 'bonferroni' | 'none';
export type Status = 'pass' | 'warn' | 'fail';

/** A threshold on a drop: absolute points of the measure, or a share of the baseline value. */
export type DropThreshold = { abs: number } | { rel: number };

interface RuleBase {
  /** A name for outputs; default: derived from the rule (e.g. "maxDrop R@5"). */
  name?: string;
  level: Level;
  /** Systems the rule applies to; absent = every system of the results. */
  systems?: string[];
  /** Where the policy declares the rule (for error messages and outputs). */
  line?: number;
}

export interface FloorRule extends RuleBase {
  kind: 'floor';
  metric: string;
  min: number;
}

export interface MaxDropRule extends RuleBase {
  kind: 'maxDrop';
  metric: string;
  maxDrop: DropThreshold;
  decide: Decide;
  /** Compare with this baseline system instead of the one with the candidate's id. */
  baselineSystem?: string;
}

export type LatencyStage = 'embed' | 'search' | 'rerank' | 'total';

export interface LatencyRule extends RuleBase {
  kind: 'latency';
  stage: LatencyStage;
  p95MaxMs?: number;
  p99MaxMs?: number;
  /** Largest allowed increase of p95 over the baseline's. */
  maxIncrease?: DropThreshold;
  baselineSystem?: string;
}

export interface CostRule extends RuleBase {
  kind: 'cost';
  perQueryMax?: number;
  maxIncrease?: DropThreshold;
  baselineSystem?: string;
}

export interface CoverageRule extends RuleBase {
  kind: 'coverage';
  /** Cutoff of Judged@k (default 10). */
  k: number;
  /** Least share of the top k that is judged. Below it, drops of this system are only warnings. */
  minJudged?: number;
  /** Largest share of judged-relevant documents the index does not hold. */
  maxMissingRelevant?: number;
}

export type Rule = FloorRule | MaxDropRule | LatencyRule | CostRule | CoverageRule;

export interface Policy {
  file: string;
  /** Significance level of `significant` and `confident` decisions (default 0.05). */
  alpha: number;
  test: PairedTest;
  correction: Correction;
  /** Resamples of randomization and bootstrap tests (default 10,000), and their seed. */
  samples: number;
  seed: number;
  /** Power at which the minimum detectable effect is computed (default 0.8). */
  power: number;
  /** The baseline file when the command line names none (relative to the policy file). */
  baseline?: string;
  rules: Rule[];
}

/** One rule applied to one system. */
export interface RuleOutcome {
  rule: string;
  kind: Rule['kind'] | 'system';
  system: string;
  /** What was measured: a measure name (R@5), `latency.total.p95`, `cost.perQuery`, `Judged@10`… */
  metric: string;
  level: Level;
  status: Status;
  observed: number | null;
  baseline: number | null;
  /** observed − baseline. */
  difference: number | null;
  /** Confidence interval of the difference (paired over queries); for a floor, of the observed mean. */
  ci: { low: number; high: number } | null;
  pValue: number | null;
  /** The p-value after the policy's multiple-comparison correction. */
  adjustedPValue: number | null;
  /** The threshold in words: "≥ 0.85", "drop ≤ 0.03", "p95 ≤ 250 ms". */
  threshold: string;
  /** One sentence: why this status. */
  reason: string;
}

/** The smallest true drop a maxDrop rule detects with the policy's power at its alpha. */
export interface DetectableEffect {
  system: string;
  metric: string;
  queries: number;
  /** Standard deviation of the per-query differences it was computed from. */
  sdDifference: number;
  value: number;
  threshold: number;
}

export interface Verdict {
  schemaVersion: 1;
  kind: 'gate-verdict';
  tool: { name: string; version: string };
  status: Status;
  policy: { file: string; alpha: number; test: PairedTest; correction: Correction; power: number };
  results: { dir: string; runId: string };
  dataset: { name: string; version: string; digest: string; judgedQueries: number };
  baseline: {
    source: string;
    runId: string;
    dataset: { name: string; version: string; digest: string };
  } | null;
  outcomes: RuleOutcome[];
  detectableEffects: DetectableEffect[];
  /** Unjudged documents in the top k of systems whose judged share is low: to send for annotation. */
  unjudged: { system: string; qid: string; docid: string; rank: number }[];
  warnings: string[];
}

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
  costPerQuery: number | null;
  /** For a live index: the judged-relevant documents it was found to lack when the run checked it. */
  missingRelevant?: { share: number; relevant: number; missing: string[] };
}

/** A run's results (reports/<run-id>/) or a baseline: what a gate compares. */
export interface MeasuredResults {
  /** Where they were read from: a folder, a file, or git:REF:PATH. */
  source: string;
  runId: string;
  dataset: { name: string; version: string; digest: string; judgedQueries: number };
  settings: EvaluationSettings;
  systems: MeasuredSystem[];
}
