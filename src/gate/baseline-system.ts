import type { Rule } from '../config/gate-policy.js';
import type { MeasuredResults, MeasuredSystem } from '../results/measured.js';

/** The baseline system a rule compares `system` with: its `baselineSystem`, else the one of the same id. */
export function baselineSystem(rule: Rule, system: MeasuredSystem, baseline: MeasuredResults | null) {
  const id = 'baselineSystem' in rule && rule.baselineSystem ? rule.baselineSystem : system.id;
  return { id, system: baseline?.systems.find((s) => s.id === id) };
}

export type BaselineLookup = ReturnType<typeof baselineSystem>;

/** Why a rule that needs a baseline has none; undefined when it has one it can use. */
export function missingBaseline(
  base: BaselineLookup,
  noBaselineReason: string | undefined,
): string | undefined {
  if (noBaselineReason) return `no baseline to compare with (${noBaselineReason})`;
  if (!base.system) return `the baseline has no system '${base.id}'`;
  if (base.system.status === 'failed') return `the baseline system '${base.id}' failed`;
  return undefined;
}
