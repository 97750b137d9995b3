/**
 * A gate policy (gates/*.yaml) as the gate applies it: rules with their defaults filled in. The loader
 * (load-policy.ts) reads and checks the file; the gate (src/gate/) only reads these values.
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
  /**
   * An increase of at most this many ms passes whatever `maxIncrease` says: sub-millisecond timings taken on
   * different machines differ by multiples, which a relative limit alone would flag.
   */
  ignoreBelowMs?: number;
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

/** ANN quality: the share of the exact top k an approximate index returns (ANNRecall@k, from the run's check). */
export interface AnnRule extends RuleBase {
  kind: 'ann';
  /** Cutoff of ANNRecall@k (default 10). */
  k: number;
  /** Least mean ANNRecall@k. */
  minRecall: number;
}

/**
 * Migration review only: how far the candidate's top k agrees with the live system's, over the judged
 * queries or the unjudged sample (`migrate review --queries`). A big disagreement on real traffic is a risk
 * the evaluation set does not see.
 */
export interface AgreementRule extends RuleBase {
  kind: 'agreement';
  /** Cutoff of the overlap (default 10). */
  k: number;
  /** Which queries (default judged). */
  queries: 'judged' | 'sample';
  /** Least mean top-k overlap. */
  minOverlap?: number;
  /** Least share of queries whose first document is the same. */
  minTop1?: number;
}

/** Migration review only: the candidate index against the corpus (shares of the corpus; default 0 each). */
export interface CompletenessRule extends RuleBase {
  kind: 'completeness';
  maxMissing: number;
  maxStale: number;
  /** Documents the index holds beyond the corpus; absent: not limited. */
  maxExtra?: number;
}

/** Migration review only: the candidate index is ready to serve (Qdrant green, pgvector ANN index valid). */
export interface ReadinessRule extends RuleBase {
  kind: 'readiness';
}

/** Migration review only: the candidate index records that the candidate's model and version built it. */
export interface CompatibilityRule extends RuleBase {
  kind: 'compatibility';
}

/** A limit on inconsistencies: a count, or a share of the source's live rows ("1%" in the policy). */
export type CountOrShare = { count: number } | { share: number };

/**
 * An index audit's consistency (`audit --gate`): limits on missing, orphaned, stale and foreign points, and
 * on how long the oldest missing or stale document has waited. Fails closed when no audit ran.
 */
export interface ConsistencyRule extends RuleBase {
  kind: 'consistency';
  maxMissing?: CountOrShare;
  maxOrphaned?: CountOrShare;
  maxStale?: CountOrShare;
  maxForeign?: CountOrShare;
  /** In ms ("24h" in the policy). */
  maxOldestUnresolved?: number;
}

/** Rules only a migration review can measure. */
export type ReviewRule = AgreementRule | CompletenessRule | ReadinessRule | CompatibilityRule;

export type Rule =
  | FloorRule
  | MaxDropRule
  | LatencyRule
  | CostRule
  | CoverageRule
  | AnnRule
  | ReviewRule
  | ConsistencyRule;

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

export const POLICY_DEFAULTS = {
  alpha: 0.05,
  test: 'randomization',
  correction: 'holm',
  samples: 10_000,
  seed: 42,
  power: 0.8,
} as const;

/** A rule's name in outputs: its own, or one derived from what it checks ("maxDrop R@5", "latency total"). */
export function ruleName(rule: Rule): string {
  if (rule.name) return rule.name;
  switch (rule.kind) {
    case 'floor':
    case 'maxDrop':
      return `${rule.kind} ${rule.metric}`;
    case 'latency':
      return `latency ${rule.stage}`;
    case 'cost':
      return 'cost';
    case 'coverage':
      return `coverage @${rule.k}`;
    case 'ann':
      return `ann @${rule.k}`;
    case 'agreement':
      return `agreement @${rule.k} (${rule.queries})`;
    case 'completeness':
    case 'readiness':
    case 'compatibility':
    case 'consistency':
      return rule.kind;
  }
}
