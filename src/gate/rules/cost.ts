import type { CostRule } from '../../config/gate-policy.js';
import type { MeasuredSystem } from '../../results/measured.js';
import type { RuleOutcome } from '../../results/verdict.js';
import { type BaselineLookup, missingBaseline } from '../baseline-system.js';
import { money, thresholdText } from '../format.js';
import { outcome } from '../outcome.js';
import { increaseOutcome } from './increase.js';

/** A cost rule: an absolute limit per query, and the increase over the baseline's cost. */
export function costOutcomes(
  rule: CostRule,
  system: MeasuredSystem,
  base: BaselineLookup,
  noBaselineReason: string | undefined,
): RuleOutcome[] {
  const results: RuleOutcome[] = [];
  const now = system.costPerQuery;
  const metric = 'cost.perQuery';
  if (rule.perQueryMax !== undefined) {
    const threshold = `≤ ${rule.perQueryMax} per query`;
    results.push(
      now === null
        ? outcome(rule, system.id, metric, { status: 'fail', threshold, reason: 'the cost was not measured' })
        : outcome(rule, system.id, metric, {
            status: now <= rule.perQueryMax ? 'pass' : 'fail',
            observed: now,
            threshold,
            reason: `${money(now)} per query ${now <= rule.perQueryMax ? 'is within' : 'exceeds'} ${money(rule.perQueryMax)}`,
          }),
    );
  }
  if (rule.maxIncrease) {
    const threshold = thresholdText('increase', rule.maxIncrease);
    const why = missingBaseline(base, noBaselineReason);
    const before = base.system?.costPerQuery ?? null;
    results.push(
      why || before === null || now === null
        ? outcome(rule, system.id, metric, {
            status: 'fail',
            threshold,
            reason: why ?? 'the cost was not measured in the results or the baseline',
          })
        : increaseOutcome(rule, system.id, metric, now, before, rule.maxIncrease, threshold, money),
    );
  }
  return results;
}
