import type { RouterPolicy, RouterRule } from '../config/router-policy.js';
import type { RouteEvaluation, RouteOutcome } from '../evaluation/routing/types.js';
import type { RouteRuleOutcome, RouteRunFile, RouteVerdict } from '../results/route-run.js';
import { compareDrop, dropFails } from './decide.js';
import { fmt, pText } from './format.js';

/** A route run as the gate sees it: the file and each router's decisions. */
export interface GatedRouteRun {
  dir: string;
  file: RouteRunFile;
  decisions: ReadonlyMap<string, readonly RouteOutcome[]>;
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
      return dropOutcome(rule, router, candidate, baseline, policy, result);
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

/** Accuracy paired over the utterances both runs decided: the per-utterance 0/1 of being right. */
function dropOutcome(
  rule: Extract<RouterRule, { kind: 'maxDrop' }>,
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
  const mine = candidate.decisions.get(router) ?? [];
  const baseCorrect = new Map(base.map((o) => [o.id, o.chosen === o.expected ? 1 : 0]));
  const paired = mine.filter((o) => baseCorrect.has(o.id));
  if (paired.length === 0)
    return result('fail', null, 'the run and the baseline have no utterance in common');
  const comparison = compareDrop(
    Float64Array.from(paired, (o) => (o.chosen === o.expected ? 1 : 0)),
    Float64Array.from(paired, (o) => baseCorrect.get(o.id) as number),
    {
      threshold: { abs: rule.max },
      test: policy.test,
      samples: policy.samples,
      seed: policy.seed,
      confidence: rule.decide === 'confident' ? 1 - 2 * policy.alpha : 0.95,
    },
  );
  const failed = dropFails(comparison, rule.decide, comparison.pValue, policy.alpha);
  const change = `accuracy ${fmt(comparison.baselineMean)} → ${fmt(comparison.candidateMean)} over ${comparison.queries} utterances`;
  const noise = `p = ${pText(comparison.pValue)}, difference CI [${fmt(comparison.ci.low)}, ${fmt(comparison.ci.high)}]`;
  const reason = failed
    ? `${change}: a drop of ${fmt(comparison.drop)}, more than the allowed ${rule.max} (${noise})`
    : comparison.drop > rule.max
      ? `${change}: a drop of ${fmt(comparison.drop)}, more than the allowed ${rule.max}, but not beyond noise (${noise})`
      : `${change}: within the allowed drop ${rule.max} (${noise})`;
  return {
    ...result(failed ? 'fail' : 'pass', comparison.candidateMean, reason),
    baseline: comparison.baselineMean,
    ci: comparison.ci,
    pValue: comparison.pValue,
  };
}

/** The rule's name in verdicts: "floor accuracy ≥ 0.8", "budget latency.p95 ≤ 5", "maxDrop accuracy 0.02". */
export function routerRuleName(rule: RouterRule): string {
  switch (rule.kind) {
    case 'floor':
      return `floor ${rule.measure} ≥ ${rule.min}`;
    case 'budget':
      return `budget ${rule.measure} ≤ ${rule.max}`;
    case 'maxDrop':
      return `maxDrop ${rule.measure} ${rule.max} (${rule.decide})`;
  }
}
