import type { Status, Verdict } from '../results/verdict.js';
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
  const colours: Record<string, Status> = {};
  for (const outcome of verdict?.outcomes ?? []) {
    if (outcome.system !== system) continue;
    const seen = colours[outcome.metric];
    if (seen === undefined || STATUS_ORDER[outcome.status] < STATUS_ORDER[seen]) {
      colours[outcome.metric] = outcome.status;
    }
  }
  return colours;
}
