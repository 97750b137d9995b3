import type { RouterPolicy, RouterRule } from '../config/router-policy.js';
import type { RouteEvaluation, RouteOutcome, RoutePrices } from '../evaluation/routing/types.js';
import type { RouteRuleOutcome, RouteRunFile, RouteVerdict } from '../results/route-run.js';
import { dropFails } from './decide.js';
import { fmt, pText } from './format.js';
import { compareRouters, lowerIsBetter } from './route-compare.js';

/** A route run as the gate sees it: the file, each router's decisions and its dataset's path costs. */
export interface GatedRouteRun {
  dir: string;
  file: RouteRunFile;
  decisions: ReadonlyMap<string, readonly RouteOutcome[]>;
  /** The candidate's paths (the baseline is on the same dataset version): what a paired costPerOutcome needs. */
  prices?: RoutePrices;
}

/**
 * Applies a router policy to a route run (pure). Fails closed: a measure that could not be computed, a
 * missing baseline or router, a baseline on another dataset version or with no utterance in common fails its rule.
 */
export function gateRouteRun(
  candidate: GatedRouteRun,
  policy: RouterPolicy,
  baseline: GatedRouteRun | undefined,
): RouteVerdict {
  const outcomes: RouteRuleOutcome[] = [];
  for (const rule of policy.rules) {
    for (const router of candidate.file.routers) {
      if (rule.routers && !rule.routers.includes(router.id)) continue;
      outcomes.push(ruleOutcome(rule, router.id, router.evaluation, candidate, baseline, policy));
    }
  }
  return {
    kind: 'route-verdict',
    status: outcomes.some((o) => o.status === 'fail') ? 'fail' : 'pass',
    policy: policy.file,
    runId: candidate.file.runId,
    baseline: baseline ? { runId: baseline.file.runId, dir: baseline.dir } : null,
    outcomes,
  };
}

function ruleOutcome(
  rule: RouterRule,
  router: string,
  evaluation: RouteEvaluation,
  candidate: GatedRouteRun,
  baseline: GatedRouteRun | undefined,
  policy: RouterPolicy,
): RouteRuleOutcome {
  const name = routerRuleName(rule);
  const result = (status: 'pass' | 'fail', observed: number | null, reason: string): RouteRuleOutcome => ({
    rule: name,
    router,
    status,
    observed,
    reason,
  });
  switch (rule.kind) {
    case 'floor': {
      const value = evaluation[rule.measure].value;
      if (value === null) return result('fail', null, `${rule.measure} is undefined for this router`);
      return value >= rule.min
        ? result('pass', value, `${rule.measure} ${fmt(value)} ≥ ${rule.min}`)
        : result('fail', value, `${rule.measure} ${fmt(value)} is below the floor ${rule.min}`);
    }
    case 'budget': {
      const value = budgetValue(evaluation, rule.measure);
      if (value === null)
        return result(
          'fail',
          null,
          `${rule.measure} was not measured (no scores, or paths without costs or latencies)`,
        );
      return value <= rule.max
        ? result('pass', value, `${rule.measure} ${fmt(value)} ≤ ${rule.max}`)
        : result('fail', value, `${rule.measure} ${fmt(value)} is over the budget ${rule.max}`);
    }
    case 'maxDrop':
    case 'maxIncrease':
      return changeOutcome(rule, router, candidate, baseline, policy, result);
  }
}

function budgetValue(evaluation: RouteEvaluation, measure: string): number | null {
  const [group, stat] = measure.split('.') as [string, 'p50' | 'p95' | 'p99' | undefined];
  if (group === 'latency' && stat) return evaluation.latency[stat];
  if (group === 'pathLatency' && stat) return evaluation.pathLatency?.[stat] ?? null;
  if (group === 'ece') return evaluation.calibration?.ece.value ?? null;
  if (group === 'costPerOutcome') return evaluation.cost?.perOutcome.value ?? null;
  return evaluation.fallbackRate.value;
}

/** A maxDrop or maxIncrease: the router against the same router in the baseline, paired over utterances. */
function changeOutcome(
  rule: Extract<RouterRule, { kind: 'maxDrop' | 'maxIncrease' }>,
  router: string,
  candidate: GatedRouteRun,
  baseline: GatedRouteRun | undefined,
  policy: RouterPolicy,
  result: (status: 'pass' | 'fail', observed: number | null, reason: string) => RouteRuleOutcome,
): RouteRuleOutcome {
  if (!baseline) return result('fail', null, 'no baseline to compare with (pass --baseline DIR)');
  if (baseline.file.dataset.digest !== candidate.file.dataset.digest)
    return result(
      'fail',
      null,
      `the baseline was measured on ${baseline.file.dataset.name}@${baseline.file.dataset.version} (${baseline.file.dataset.digest.slice(0, 19)}…), not on this dataset version`,
    );
  const base = baseline.decisions.get(router);
  if (!base) return result('fail', null, `the baseline has no router '${router}'`);
  const labels = candidate.file.routers.find((r) => r.id === router)?.evaluation.labels ?? [];
  const compared = compareRouters(
    rule.measure,
    candidate.decisions.get(router) ?? [],
    base,
    { routeNames: labels.filter((label): label is string => label !== null), prices: candidate.prices },
    {
      threshold: { abs: rule.max },
      test: policy.test,
      samples: policy.samples,
      seed: policy.seed,
      confidence: rule.decide === 'confident' ? 1 - 2 * policy.alpha : 0.95,
    },
  );
  if (typeof compared === 'string') return result('fail', null, compared);
  const { comparison, scope } = compared;
  const failed = dropFails(comparison, rule.decide, comparison.pValue, policy.alpha);
  // Rules on a measure where less is better compared its negation: report it in its own units.
  const rise = lowerIsBetter(rule.measure);
  const natural = (x: number): number => (rise ? 0 - x : x); // 0 − x: no −0 in the verdict
  const observed = natural(comparison.candidateMean);
  const before = natural(comparison.baselineMean);
  const ci = rise ? { low: natural(comparison.ci.high), high: natural(comparison.ci.low) } : comparison.ci;
  const change = `${rule.measure} ${fmt(before)} → ${fmt(observed)} ${scope}`;
  const what = rise ? 'a rise' : 'a drop';
  const noise = `p = ${pText(comparison.pValue)}, difference CI [${fmt(ci.low)}, ${fmt(ci.high)}]`;
  const reason = failed
    ? `${change}: ${what} of ${fmt(comparison.drop)}, more than the allowed ${rule.max} (${noise})`
    : comparison.drop > rule.max
      ? `${change}: ${what} of ${fmt(comparison.drop)}, more than the allowed ${rule.max}, but not beyond noise (${noise})`
      : `${change}: within the allowed ${rise ? 'rise' : 'drop'} ${rule.max} (${noise})`;
  return {
    ...result(failed ? 'fail' : 'pass', observed, reason),
    baseline: before,
    ci,
    pValue: comparison.pValue,
  };
}

/** The rule's name in verdicts: "floor accuracy ≥ 0.8", "budget latency.p95 ≤ 5", "maxDrop accuracy 0.02 (significant)". */
export function routerRuleName(rule: RouterRule): string {
  switch (rule.kind) {
    case 'floor':
      return `floor ${rule.measure} ≥ ${rule.min}`;
    case 'budget':
      return `budget ${rule.measure} ≤ ${rule.max}`;
    case 'maxDrop':
    case 'maxIncrease':
      return `${rule.kind} ${rule.measure} ${rule.max} (${rule.decide})`;
  }
}
