import type { LatencyRule } from '../../config/gate-policy.js';
import type { MeasuredSystem } from '../../results/measured.js';
import type { RuleOutcome } from '../../results/verdict.js';
import { type BaselineLookup, missingBaseline } from '../baseline-system.js';
import { ms, thresholdText } from '../format.js';
import { outcome } from '../outcome.js';
import { increaseOutcome } from './increase.js';

/** A latency rule on one stage: absolute p95 and p99 limits, and the p95's increase over the baseline. */
export function latencyOutcomes(
  rule: LatencyRule,
  system: MeasuredSystem,
  base: BaselineLookup,
  noBaselineReason: string | undefined,
): RuleOutcome[] {
  const stage = rule.stage;
  const absent =
    (stage === 'rerank' && !system.description?.reranker) ||
    (stage === 'embed' && !system.description?.model);
  if (absent) return []; // a system without that stage: nothing to gate
  const figures = system.latencyMs?.[stage];
  const results: RuleOutcome[] = [];
  const metric = (p: string) => `latency.${stage}.${p}`;
  const unmeasured =
    stage === 'embed'
      ? 'embedding latency was not measured: every query embedding came from the cache (clear cacheDir to measure it)'
      : `${stage} latency was not measured`;
  for (const [p, max] of [
    ['p95', rule.p95MaxMs],
    ['p99', rule.p99MaxMs],
  ] as const) {
    if (max === undefined) continue;
    const threshold = `${p} ≤ ${max} ms`;
    const value = figures?.[p];
    results.push(
      value === undefined
        ? outcome(rule, system.id, metric(p), { status: 'fail', threshold, reason: unmeasured })
        : outcome(rule, system.id, metric(p), {
            status: value <= max ? 'pass' : 'fail',
            observed: value,
            threshold,
            reason: `${stage} ${p} latency ${ms(value)} ${value <= max ? 'is within' : 'exceeds'} ${ms(max)}`,
          }),
    );
  }
  if (rule.maxIncrease) {
    const floor = rule.ignoreBelowMs;
    const threshold = `${thresholdText('p95 increase', rule.maxIncrease, ' ms')}${floor === undefined ? '' : ` (or ≤ ${floor} ms)`}`;
    const why = missingBaseline(base, noBaselineReason);
    const before = base.system?.latencyMs?.[stage]?.p95;
    const now = figures?.p95;
    if (why || before === undefined || now === undefined) {
      results.push(
        outcome(rule, system.id, metric('p95'), {
          status: 'fail',
          threshold,
          reason: why ?? (now === undefined ? unmeasured : `the baseline has no ${stage} latency`),
        }),
      );
    } else {
      const decided = increaseOutcome(
        rule,
        system.id,
        metric('p95'),
        now,
        before,
        rule.maxIncrease,
        threshold,
        ms,
      );
      // Too large relative to the baseline, but no more than the rule's floor: noise between machines.
      const ignored = decided.status !== 'pass' && floor !== undefined && now - before <= floor;
      results.push(
        ignored
          ? {
              ...decided,
              status: 'pass',
              reason: `${ms(before)} → ${ms(now)}: more than the allowed increase, but by no more than the ${ms(floor)} the rule ignores`,
            }
          : decided,
      );
    }
  }
  return results;
}
