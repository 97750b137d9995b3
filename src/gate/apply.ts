import type { Policy, Rule } from '../config/gate-policy.js';
import { annRecallName } from '../metrics/ann-recall.js';
import { bonferroniAdjust, holmAdjust } from '../metrics/significance.js';
import type { AuditFile } from '../results/audit.js';
import type { MeasuredResults } from '../results/measured.js';
import type { ReviewFigures } from '../results/review.js';
import {
  type DetectableEffect,
  type RuleOutcome,
  STATUS_ORDER,
  type Status,
  type Verdict,
} from '../results/verdict.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { baselineSystem } from './baseline-system.js';
import type { CoverageFigures } from './coverage.js';
import { dropFails } from './decide.js';
import { blank, gates, outcome } from './outcome.js';
import { annOutcome } from './rules/ann.js';
import { consistencyOutcome } from './rules/consistency.js';
import { costOutcomes } from './rules/cost.js';
import { coverageOutcomes, lowJudged } from './rules/coverage.js';
import { floorOutcome } from './rules/floor.js';
import { latencyOutcomes } from './rules/latency.js';
import {
  countConfidentDrops,
  detectable,
  dropOutcome,
  dropReason,
  type PendingDrop,
} from './rules/max-drop.js';
import { metricOf as reviewMetric, reviewOutcome } from './rules/review.js';

export interface GateInputs {
  policy: Policy;
  candidate: MeasuredResults;
  baseline: MeasuredResults | null;
  /** Why there is no baseline, said in the reason of every rule that needed one. */
  noBaselineReason?: string;
  /** Judged share and index coverage of a system's run at cutoff k; a string says why it is unavailable. */
  coverage: (system: string, k: number) => CoverageFigures | string;
  /** Things already known (e.g. the dataset changed since the baseline). */
  warnings?: string[];
  /** A migration review's figures: what agreement, completeness, readiness and compatibility rules read. */
  review?: ReviewFigures;
  /** An index audit: what consistency rules read (they gate the audited index, once per rule). */
  audit?: AuditFile;
}

/**
 * Applies a policy to a run's results: every rule × system becomes an outcome with the observed value, the
 * baseline, the difference and its CI, the p-value, the threshold and one sentence of why. Fails closed: a
 * failed system, a missing baseline or a metric that was not measured fails the rule, never passes it.
 */
export function applyPolicy(inputs: GateInputs): Verdict {
  const { policy, candidate, baseline } = inputs;
  const outcomes: RuleOutcome[] = [];
  const pending: PendingDrop[] = [];
  const warnings = [...(inputs.warnings ?? [])];
  const detectableEffects: DetectableEffect[] = [];
  const unjudged: Verdict['unjudged'] = [];
  const lowJudgedReasons = new Map<string, string>();
  const dropContext = {
    policy,
    noBaselineReason: inputs.noBaselineReason,
    confidentComparisons: countConfidentDrops(policy, candidate),
  };

  for (const rule of policy.rules) {
    for (const missing of (rule.systems ?? []).filter((id) => !candidate.systems.some((s) => s.id === id))) {
      outcomes.push(
        outcome(rule, missing, metricOf(rule), {
          status: 'fail',
          reason: `the results have no system '${missing}' (systems: ${candidate.systems.map((s) => s.id).join(', ')})`,
        }),
      );
    }
  }

  for (const system of candidate.systems) {
    if (system.status === 'failed') {
      outcomes.push({
        ...blank(system.id, 'system', 'run', 'error'),
        status: 'fail',
        threshold: 'runs',
        reason: `the system failed, so nothing it would be gated on was measured: ${system.error ?? 'unknown error'}`,
      });
      continue;
    }
    for (const rule of policy.rules.filter((r) => gates(r, system.id))) {
      const base = baselineSystem(rule, system, baseline);
      // A rule's baselineSystem is said in its outcomes, so that every output compares with the same system.
      const compared = (result: RuleOutcome): RuleOutcome =>
        base.id === system.id ? result : { ...result, baselineSystem: base.id };
      switch (rule.kind) {
        case 'floor':
          outcomes.push(floorOutcome(rule, system));
          break;
        case 'maxDrop': {
          const result = dropOutcome(rule, system, base, dropContext);
          if ('comparison' in result) {
            pending.push({ ...result, outcome: compared(result.outcome) });
            detectableEffects.push(detectable(result, system.id, policy));
          } else outcomes.push(compared(result));
          break;
        }
        case 'latency':
          outcomes.push(...latencyOutcomes(rule, system, base, inputs.noBaselineReason).map(compared));
          break;
        case 'cost':
          outcomes.push(...costOutcomes(rule, system, base, inputs.noBaselineReason).map(compared));
          break;
        case 'ann':
          outcomes.push(annOutcome(rule, system));
          break;
        case 'agreement':
        case 'completeness':
        case 'readiness':
        case 'compatibility':
          outcomes.push(reviewOutcome(rule, system.id, inputs.review));
          break;
        case 'consistency':
          break; // not per system: below
        case 'coverage': {
          const figures = inputs.coverage(system.id, rule.k);
          outcomes.push(...coverageOutcomes(rule, system, figures));
          const low = lowJudged(rule, figures);
          if (low) {
            lowJudgedReasons.set(system.id, low.reason);
            unjudged.push(...low.unjudged.map((doc) => ({ system: system.id, ...doc })));
          }
          break;
        }
      }
    }
  }

  for (const rule of policy.rules) {
    if (rule.kind === 'consistency') outcomes.push(consistencyOutcome(rule, inputs.audit));
  }
  outcomes.push(...decidePending(pending, policy, lowJudgedReasons));
  return {
    schemaVersion: 1,
    kind: 'gate-verdict',
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    status: overall(outcomes),
    policy: {
      file: policy.file,
      alpha: policy.alpha,
      test: policy.test,
      correction: policy.correction,
      power: policy.power,
    },
    results: { dir: candidate.source, runId: candidate.runId },
    dataset: candidate.dataset,
    baseline: baseline
      ? {
          source: baseline.source,
          runId: baseline.runId,
          dataset: {
            name: baseline.dataset.name,
            version: baseline.dataset.version,
            digest: baseline.dataset.digest,
          },
        }
      : null,
    outcomes: sortOutcomes(outcomes),
    detectableEffects,
    unjudged,
    warnings,
  };
}

function metricOf(rule: Rule): string {
  switch (rule.kind) {
    case 'floor':
    case 'maxDrop':
      return rule.metric;
    case 'latency':
      return `latency.${rule.stage}`;
    case 'cost':
      return 'cost.perQuery';
    case 'coverage':
      return `Judged@${rule.k}`;
    case 'ann':
      return annRecallName(rule.k);
    case 'consistency':
      return 'inconsistencies';
    default:
      return reviewMetric(rule);
  }
}

/**
 * Decides the maxDrop comparisons together: the p-values of `significant` rules are corrected for their
 * number (Holm by default); `confident` intervals were widened (Bonferroni) when they were computed.
 */
function decidePending(
  pending: PendingDrop[],
  policy: Policy,
  lowJudgedReasons: Map<string, string>,
): RuleOutcome[] {
  const tested = pending.filter((p) => p.rule.decide === 'significant');
  const adjust =
    policy.correction === 'holm'
      ? holmAdjust
      : policy.correction === 'bonferroni'
        ? bonferroniAdjust
        : (p: number[]) => p;
  const adjustedValues = adjust(tested.map((t) => t.comparison.pValue));
  const adjusted = new Map(tested.map((p, i) => [p, adjustedValues[i] ?? 1]));
  return pending.map((p) => {
    const { comparison, rule } = p;
    const adjustedPValue = adjusted.get(p) ?? null;
    const failed = dropFails(comparison, rule.decide, adjustedPValue ?? comparison.pValue, policy.alpha);
    const reason = dropReason(comparison, rule, failed, adjustedPValue, policy.alpha);
    const lowJudgedReason = lowJudgedReasons.get(p.outcome.system);
    let status: Status = failed ? (rule.level === 'warn' ? 'warn' : 'fail') : 'pass';
    if (failed && lowJudgedReason) status = 'warn';
    return {
      ...p.outcome,
      adjustedPValue,
      status,
      reason: failed && lowJudgedReason ? `${reason}; a warning only: ${lowJudgedReason}` : reason,
    };
  });
}

function overall(outcomes: RuleOutcome[]): Status {
  if (outcomes.some((o) => o.status === 'fail')) return 'fail';
  return outcomes.some((o) => o.status === 'warn') ? 'warn' : 'pass';
}

/** Failures first, then warnings; otherwise in the order of the systems and the policy's rules. */
function sortOutcomes(outcomes: RuleOutcome[]): RuleOutcome[] {
  return outcomes
    .map((o, i) => ({ o, i }))
    .sort((a, b) => STATUS_ORDER[a.o.status] - STATUS_ORDER[b.o.status] || a.i - b.i)
    .map(({ o }) => o);
}
