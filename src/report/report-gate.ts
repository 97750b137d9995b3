import type { RuleOutcome, Status, Verdict } from '../results/verdict.js';
import { STATUS_ORDER } from '../results/verdict.js';
import type { ReportVerdict } from './report-data.types.js';

/** What the report shows of a verdict: the rest of gate.json (detectable effects, unjudged docs) is the gate's. */
export function reportVerdict(verdict: Verdict): ReportVerdict {
  return {
    status: verdict.status,
    policy: verdict.policy.file,
    outcomes: verdict.outcomes,
    warnings: verdict.warnings,
  };
}

/** Per metric, the worst status the gate gave `system` on it, so the page can colour that figure. */
export function gateColours(verdict: Verdict | null, system: string): Record<string, Status> {
  return Object.fromEntries(
    [...worstOutcomes(verdict, system)].map(([metric, outcome]) => [metric, outcome.status]),
  );
}

/**
 * Per metric, the baseline system the gate compared `system` with where a rule's `baselineSystem` named
 * another than its own id: the outcome the cell is coloured by decides, so its Δ is the difference the gate
 * judged.
 */
export function gateBaselines(verdict: Verdict | null, system: string): Record<string, string> {
  const baselines: Record<string, string> = {};
  for (const [metric, outcome] of worstOutcomes(verdict, system)) {
    if (outcome.baselineSystem !== undefined) baselines[metric] = outcome.baselineSystem;
  }
  return baselines;
}

/**
 * The measures of a system grouped by the baseline system each is compared with: its own id unless the gate
 * compared that measure with another (`baselines`, from gateBaselines). Groups in first-measure order.
 */
export function measuresByBaseline(
  measures: readonly string[],
  system: string,
  baselines: Readonly<Record<string, string>>,
): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const measure of measures) {
    const id = baselines[measure] ?? system;
    groups.set(id, [...(groups.get(id) ?? []), measure]);
  }
  return groups;
}

/** Per metric, the first of the worst outcomes the gate gave `system` on it. */
function worstOutcomes(verdict: Verdict | null, system: string): Map<string, RuleOutcome> {
  const worst = new Map<string, RuleOutcome>();
  for (const outcome of verdict?.outcomes ?? []) {
    if (outcome.system !== system) continue;
    const seen = worst.get(outcome.metric);
    if (seen === undefined || STATUS_ORDER[outcome.status] < STATUS_ORDER[seen.status]) {
      worst.set(outcome.metric, outcome);
    }
  }
  return worst;
}
