import type { Correction, Level, PairedTest, Rule } from '../config/gate-policy.js';

/**
 * The gate's verdict on one run's results (and a baseline), as gate.json holds it: what every CI output
 * (Markdown, JUnit XML, JSON, GitHub annotations) and the report render.
 */

export type Status = 'pass' | 'warn' | 'fail';

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
  /**
   * The baseline system the rule compared with, when it is not the one of the same id (the rule's
   * `baselineSystem`); absent otherwise.
   */
  baselineSystem?: string;
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

/** Failures first, then warnings, then passes: the order outputs list outcomes in. */
export const STATUS_ORDER: Record<Status, number> = { fail: 0, warn: 1, pass: 2 };
