import type { LatencyRule, LatencyStage } from '../../config/gate-policy.js';
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
    const incomparable = base.system ? incomparableBasis(stage, system, base.system) : undefined;
    if (why || incomparable || before === undefined || now === undefined) {
      results.push(
        outcome(rule, system.id, metric('p95'), {
          status: 'fail',
          threshold,
          reason:
            why ?? incomparable ?? (now === undefined ? unmeasured : `the baseline has no ${stage} latency`),
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

/**
 * Why the two systems' figures of `stage` cannot be compared: one records a query's share of its batched
 * call, the other (an earlier version's) the whole call's time, and the stage may have been batched in the
 * older one (embedding always is; Qdrant and pgvector searches are). Undefined when they can be.
 */
function incomparableBasis(
  stage: LatencyStage,
  system: MeasuredSystem,
  baseline: MeasuredSystem,
): string | undefined {
  const basis = (s: MeasuredSystem) => s.latencyPer ?? 'query';
  if (basis(system) === basis(baseline)) return undefined;
  const older = basis(system) === 'call' ? system : baseline;
  const embedBatched = older.description?.model != null;
  const searchBatched = ['qdrant', 'pgvector'].includes(older.description?.index.kind ?? '');
  const batched =
    stage === 'embed'
      ? embedBatched
      : stage === 'search'
        ? searchBatched
        : stage === 'total' && (embedBatched || searchBatched);
  if (!batched) return undefined;
  const which = older === baseline ? 'the baseline' : 'these results';
  return `${which} recorded ${stage} latency per batched call (by an earlier version: each query carried its whole call's time), the other per query (call time ÷ batch size); run ${older === baseline ? 'and save the baseline' : 'the system'} again to compare them`;
}
