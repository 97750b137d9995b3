import type { DropThreshold, Rule } from '../../config/gate-policy.js';
import type { RuleOutcome } from '../../results/verdict.js';
import { outcome } from '../outcome.js';

/** Latency and cost alike: `now` may exceed the baseline's `before` by at most `limit`. */
export function increaseOutcome(
  rule: Rule,
  system: string,
  metric: string,
  now: number,
  before: number,
  limit: DropThreshold,
  threshold: string,
  show: (x: number) => string,
): RuleOutcome {
  const allowed = allowedIncrease(limit, before);
  const passed = now - before <= allowed;
  return outcome(rule, system, metric, {
    status: passed ? 'pass' : 'fail',
    observed: now,
    baseline: before,
    difference: now - before,
    threshold,
    reason: `${show(before)} → ${show(now)}: ${passed ? 'within' : 'more than'} the allowed increase of ${show(allowed)}`,
  });
}

/** The allowed increase over `base`: absolute in the figure's units, or a share of it. */
function allowedIncrease(threshold: DropThreshold, base: number): number {
  return 'abs' in threshold ? threshold.abs : threshold.rel * base;
}
