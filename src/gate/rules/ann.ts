import type { AnnRule } from '../../config/gate-policy.js';
import { annRecallName } from '../../metrics/ann-recall.js';
import type { MeasuredSystem } from '../../results/measured.js';
import type { AnnCheck } from '../../results/summary.js';
import type { RuleOutcome } from '../../results/verdict.js';
import { fmt, percent } from '../format.js';
import { outcome } from '../outcome.js';

/** Index kinds that score every document: their top k is the exact top k. */
const EXHAUSTIVE_KINDS = new Set(['embedded', 'bm25']);

/**
 * An ann rule: the mean ANNRecall@k of the run's ANN check must reach `minRecall`. Fails closed: a check that
 * did not run, or a system whose index could not be checked, fails; only an index that searches exactly
 * passes without figures, since it loses no neighbours by construction.
 */
export function annOutcome(rule: AnnRule, system: MeasuredSystem): RuleOutcome {
  const metric = annRecallName(rule.k);
  const threshold = `≥ ${rule.minRecall}`;
  const check = system.annCheck;
  const decided = (status: 'pass' | 'fail', reason: string, fields: Partial<RuleOutcome> = {}) =>
    outcome(rule, system.id, metric, { status, threshold, reason, ...fields });
  if (!check) {
    const kind = system.description?.index.kind ?? 'unknown';
    return EXHAUSTIVE_KINDS.has(kind)
      ? decided('pass', `${metric} is 1 by construction: the ${kind} index scores every document`, {
          observed: 1,
        })
      : decided(
          'fail',
          `no ANN check was recorded: the ${kind} index gave no exact answer to compare with, so the neighbours it loses are unknown`,
        );
  }
  if (check.status === 'exact') {
    return decided('pass', `${metric} is 1 by construction: the index searches exactly (exact: true)`, {
      observed: 1,
    });
  }
  if (check.status === 'failed') {
    return decided('fail', `the exact check did not run, so ANN quality is unknown: ${check.error}`);
  }
  const measured = check.recall[metric];
  if (!measured) {
    return decided(
      'fail',
      `${metric} was not measured: the run's ANN check measured ${Object.keys(check.recall).join(', ')} (exact top ${check.k})`,
    );
  }
  const passed = measured.value >= rule.minRecall;
  const share = `${percent(measured.value)} of the exact top ${rule.k}`;
  const figures = `${metric} ${fmt(measured.value)} over ${queriesText(check)}`;
  return decided(
    passed ? 'pass' : 'fail',
    passed
      ? `the index returns ${share} (${figures})`
      : `the index returns only ${share} (${figures})${exactGain(system, check)}`,
    {
      observed: measured.value,
      ci:
        measured.ciLow === null || measured.ciHigh === null
          ? null
          : { low: measured.ciLow, high: measured.ciHigh },
    },
  );
}

function queriesText(check: Extract<AnnCheck, { status: 'ok' }>): string {
  return check.sample
    ? `a sample of ${check.queries} queries (seed ${check.sample.seed})`
    : `${check.queries} queries`;
}

/** The headline measure with exact search beside the system's own: what the index's loss costs. */
function exactGain(system: MeasuredSystem, check: Extract<AnnCheck, { status: 'ok' }>): string {
  // A sample's exact measures are over other queries than the system's own: not comparable.
  if (check.sample) return '';
  const headline = Object.keys(system.measures).find((name) => check.exactMeasures[name]);
  const approximate = headline ? system.measures[headline] : undefined;
  const exact = headline ? check.exactMeasures[headline] : undefined;
  if (!headline || !approximate || !exact) return '';
  return `; exact search gives ${headline} ${fmt(exact.value)} against ${fmt(approximate.value)}`;
}
