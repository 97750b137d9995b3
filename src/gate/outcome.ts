import { type Rule, ruleName } from '../config/gate-policy.js';
import type { RuleOutcome, Status } from '../results/verdict.js';

/** An outcome with no figures yet: what every rule's outcome starts from. */
export function blank(
  system: string,
  kind: RuleOutcome['kind'],
  metric: string,
  level: RuleOutcome['level'],
) {
  return {
    rule: kind === 'system' ? 'system ran' : '',
    kind,
    system,
    metric,
    level,
    observed: null,
    baseline: null,
    difference: null,
    ci: null,
    pValue: null,
    adjustedPValue: null,
  };
}

/** An outcome of `rule` on `system`; a failed check takes the rule's level (error → fail, warn → warn). */
export function outcome(
  rule: Rule,
  system: string,
  metric: string,
  fields: Partial<RuleOutcome> & { status: Status; reason: string },
): RuleOutcome {
  const status = fields.status === 'fail' && rule.level === 'warn' ? 'warn' : fields.status;
  return {
    ...blank(system, rule.kind, metric, rule.level),
    rule: ruleName(rule),
    threshold: '',
    ...fields,
    status,
  };
}

/** Whether `rule` gates the system `id`: a rule without `systems:` gates every system. */
export function gates(rule: Rule, id: string): boolean {
  return !rule.systems || rule.systems.includes(id);
}

export function notMeasured(metric: string): string {
  return `${metric} was not measured in these results (add it to the config's measures)`;
}
