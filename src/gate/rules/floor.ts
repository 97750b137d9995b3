import type { FloorRule } from '../../config/gate-policy.js';
import type { MeasuredSystem } from '../../results/measured.js';
import type { RuleOutcome } from '../../results/verdict.js';
import { fmt } from '../format.js';
import { notMeasured, outcome } from '../outcome.js';

/** A floor: the system's mean of the metric must reach `min`; no baseline is involved. */
export function floorOutcome(rule: FloorRule, system: MeasuredSystem): RuleOutcome {
  const measured = system.measures[rule.metric];
  const threshold = `≥ ${rule.min}`;
  if (!measured) {
    return outcome(rule, system.id, rule.metric, {
      status: 'fail',
      threshold,
      reason: notMeasured(rule.metric),
    });
  }
  const passed = measured.value >= rule.min;
  return outcome(rule, system.id, rule.metric, {
    status: passed ? 'pass' : 'fail',
    observed: measured.value,
    ci:
      measured.ciLow === null || measured.ciHigh === null
        ? null
        : { low: measured.ciLow, high: measured.ciHigh },
    threshold,
    reason: passed
      ? `${rule.metric} ${fmt(measured.value)} is at or above the floor ${rule.min}`
      : `${rule.metric} ${fmt(measured.value)} is below the floor ${rule.min}`,
  });
}
