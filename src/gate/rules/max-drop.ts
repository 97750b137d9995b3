import type { MaxDropRule, Policy } from '../../config/gate-policy.js';
import { minimumDetectableEffect } from '../../metrics/significance.js';
import type { MeasuredResults, MeasuredSystem } from '../../results/measured.js';
import type { DetectableEffect, RuleOutcome } from '../../results/verdict.js';
import { type BaselineLookup, missingBaseline } from '../baseline-system.js';
import { pairQueries } from '../compare.js';
import { compareDrop, type DropComparison } from '../decide.js';
import { fmt, pText, thresholdText } from '../format.js';
import { gates, notMeasured, outcome } from '../outcome.js';

/** A maxDrop comparison whose verdict waits for the multiple-comparison correction. */
export interface PendingDrop {
  outcome: RuleOutcome;
  rule: MaxDropRule;
  comparison: DropComparison;
  /** The baseline's per-query values of the paired queries. */
  baselineValues: Float64Array;
}

export interface DropContext {
  policy: Policy;
  /** Why there is no baseline, when there is none. */
  noBaselineReason: string | undefined;
  /** How many `confident` comparisons the policy makes: their intervals are widened for that number. */
  confidentComparisons: number;
}

/**
 * Compares one system with its baseline on the rule's metric. A comparison that could be made waits for
 * the correction (decided with the others); one that could not fails at once.
 */
export function dropOutcome(
  rule: MaxDropRule,
  system: MeasuredSystem,
  base: BaselineLookup,
  context: DropContext,
): RuleOutcome | PendingDrop {
  const threshold = thresholdText('drop', rule.maxDrop);
  const fail = (reason: string) =>
    outcome(rule, system.id, rule.metric, { status: 'fail', threshold, reason });
  const why = missingBaseline(base, context.noBaselineReason);
  if (why || !base.system) return fail(why ?? '');
  if (!system.perQuery.values[rule.metric]) return fail(notMeasured(rule.metric));
  if (!base.system.perQuery.values[rule.metric]) return fail(`the baseline did not measure ${rule.metric}`);
  const paired = pairQueries(system, base.system, rule.metric);
  if (paired.qids.length === 0) return fail('the results and the baseline have no query in common');
  const { policy } = context;
  const correctedAlpha =
    policy.correction === 'none' ? policy.alpha : policy.alpha / Math.max(1, context.confidentComparisons);
  const comparison = compareDrop(paired.candidate, paired.baseline, {
    threshold: rule.maxDrop,
    test: policy.test,
    samples: policy.samples,
    seed: policy.seed,
    // Two-sided 1 − 2α: its upper end is a one-sided bound at α, the error 'confident' controls.
    confidence: rule.decide === 'confident' ? 1 - 2 * correctedAlpha : 0.95,
  });
  const result = outcome(rule, system.id, rule.metric, {
    status: 'pass',
    threshold: `${threshold} (${rule.decide})`,
    reason: '',
    observed: comparison.candidateMean,
    baseline: comparison.baselineMean,
    difference: comparison.difference,
    ci: comparison.ci,
    pValue: comparison.pValue,
  });
  return { outcome: result, rule, comparison, baselineValues: paired.baseline };
}

export function countConfidentDrops(policy: Policy, candidate: MeasuredResults): number {
  let count = 0;
  for (const rule of policy.rules) {
    if (rule.kind !== 'maxDrop' || rule.decide !== 'confident') continue;
    count += candidate.systems.filter((s) => s.status === 'ok' && gates(rule, s.id)).length;
  }
  return count;
}

export function dropReason(
  c: DropComparison,
  rule: MaxDropRule,
  failed: boolean,
  adjustedPValue: number | null,
  alpha: number,
): string {
  const change =
    c.difference === 0
      ? 'did not change'
      : `${c.drop > 0 ? 'dropped' : 'rose'} ${fmt(Math.abs(c.difference))}`;
  const observed = `${rule.metric} ${change} (${fmt(c.baselineMean)} → ${fmt(c.candidateMean)}, ${c.queries} queries)`;
  const limit = `the allowed drop is ${fmt(c.threshold)}`;
  const ci = `[${fmt(c.ci.low)}, ${fmt(c.ci.high)}]`;
  if (c.drop <= c.threshold) return `${observed}; ${limit}`;
  switch (rule.decide) {
    case 'point':
      return `${observed}, more than ${limit.replace('the allowed drop is ', '')}`;
    case 'significant': {
      const p = `p = ${pText(adjustedPValue ?? c.pValue)}${adjustedPValue === null ? '' : ' after correction'}`;
      return failed
        ? `${observed}, more than the allowed ${fmt(c.threshold)}, and the drop is significant (${p} < ${alpha})`
        : `${observed}, more than the allowed ${fmt(c.threshold)}, but that is within noise (${p} ≥ ${alpha})`;
    }
    case 'confident':
      return failed
        ? `${observed}: the whole interval of the difference ${ci} lies beyond the allowed drop ${fmt(c.threshold)}`
        : `${observed}, but the interval of the difference ${ci} reaches inside the allowed drop ${fmt(c.threshold)}: not confidently beyond it`;
  }
}

/**
 * The smallest true drop the rule detects. Identical runs have differences with no spread, which says
 * nothing about the noise of a real change: then the spread of the baseline's own values stands in (the
 * spread of a difference between two systems whose per-query values correlate at 0.5).
 */
export function detectable(p: PendingDrop, system: string, policy: Policy): DetectableEffect {
  const { comparison } = p;
  const sdDifference =
    comparison.sdDifference > 0 ? comparison.sdDifference : standardDeviation(p.baselineValues);
  return {
    system,
    metric: p.rule.metric,
    queries: comparison.queries,
    sdDifference,
    value: minimumDetectableEffect({
      sdDifference,
      queries: comparison.queries,
      alpha: policy.alpha,
      power: policy.power,
    }),
    threshold: comparison.threshold,
  };
}

function standardDeviation(values: Float64Array): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
}
