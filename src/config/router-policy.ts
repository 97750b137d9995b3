import { type PlainProblem, readCheckedYaml } from './fail.js';
import type { Decide, PairedTest } from './gate-policy.js';

export type RouterFloorMeasure = 'accuracy' | 'macroF1' | 'acceptedAccuracy';
/** What may drop against a baseline (higher is better) and what may rise (lower is better). */
export type RouterDropMeasure = RouterFloorMeasure;
export type RouterIncreaseMeasure = 'fallbackRate' | 'costPerOutcome';
export type RouterChangeMeasure = RouterDropMeasure | RouterIncreaseMeasure;

const CHANGE_MEASURES = {
  maxDrop: ['accuracy', 'acceptedAccuracy', 'macroF1'],
  maxIncrease: ['fallbackRate', 'costPerOutcome'],
} as const;
export type RouterBudgetMeasure =
  | 'fallbackRate'
  | 'ece'
  | 'costPerOutcome'
  | `${'latency' | 'pathLatency'}.${'p50' | 'p95' | 'p99'}`;

/** A rule applies to the routers it names, or to every router. */
interface RouterRuleBase {
  routers?: string[];
}

export type RouterRule =
  | (RouterRuleBase & { kind: 'floor'; measure: RouterFloorMeasure; min: number })
  | (RouterRuleBase & { kind: 'budget'; measure: RouterBudgetMeasure; max: number })
  | (RouterRuleBase & { kind: 'maxDrop'; measure: RouterDropMeasure; max: number; decide: Decide })
  | (RouterRuleBase & { kind: 'maxIncrease'; measure: RouterIncreaseMeasure; max: number; decide: Decide });

export interface RouterPolicy {
  file: string;
  rules: RouterRule[];
  alpha: number;
  test: PairedTest;
  samples: number;
  seed: number;
}

type RawRule = {
  floor?: RouterFloorMeasure;
  budget?: RouterBudgetMeasure;
  maxDrop?: RouterDropMeasure;
  maxIncrease?: RouterIncreaseMeasure;
} & {
  min?: number;
  max?: number;
  decide?: Decide;
  routers?: string[];
};

/** Reads a router gate policy (`kind: router`), naming file, line and field of any problem. */
export function loadRouterPolicy(file: string): RouterPolicy {
  // A limit on the wrong measure is named before the schema's less telling 'field is missing'.
  const { value } = readCheckedYaml(file, 'router-policy', changeRuleProblem);
  const raw = value as {
    rules: RawRule[];
    alpha?: number;
    test?: PairedTest;
    samples?: number;
    seed?: number;
  };
  const rules = raw.rules.map((rule): RouterRule => {
    const routers = rule.routers ? { routers: rule.routers } : {};
    if (rule.floor) return { kind: 'floor', measure: rule.floor, min: rule.min as number, ...routers };
    if (rule.budget) return { kind: 'budget', measure: rule.budget, max: rule.max as number, ...routers };
    const change = { max: rule.max as number, decide: rule.decide ?? 'significant', ...routers };
    if (rule.maxIncrease) return { kind: 'maxIncrease', measure: rule.maxIncrease, ...change };
    return { kind: 'maxDrop', measure: rule.maxDrop as RouterDropMeasure, ...change };
  });
  return {
    file,
    rules,
    alpha: raw.alpha ?? 0.05,
    test: raw.test ?? 'randomization',
    samples: raw.samples ?? 2000,
    seed: raw.seed ?? 42,
  };
}

/**
 * The schema's oneOf over rule shapes would only say a floor is missing; a drop or rise on the wrong measure
 * (or a drop no share can make) is said in words first.
 */
function changeRuleProblem(value: unknown): PlainProblem {
  const rules = (value as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) return undefined;
  for (const [i, rule] of rules.entries()) {
    if (typeof rule !== 'object' || rule === null) continue;
    for (const kind of ['maxDrop', 'maxIncrease'] as const) {
      if (!(kind in rule)) continue;
      const measure = (rule as Record<string, unknown>)[kind];
      const allowed: readonly unknown[] = CHANGE_MEASURES[kind];
      if (!allowed.includes(measure)) {
        const other = kind === 'maxDrop' ? 'maxIncrease' : 'maxDrop';
        const hint = (CHANGE_MEASURES[other] as readonly unknown[]).includes(measure)
          ? ` (${String(measure)} is limited by ${other}: ${other === 'maxIncrease' ? 'less' : 'more'} is better)`
          : '';
        return {
          message: `${kind} takes ${allowed.join(', ')}, not '${String(measure)}'${hint}`,
          path: ['rules', i, kind],
        };
      }
      const max = (rule as Record<string, unknown>).max;
      if (kind === 'maxDrop' && typeof max === 'number' && max > 1)
        return {
          message: `a drop of ${max} points of ${String(measure)} can never happen: it lies in [0, 1], so max must be at most 1`,
          path: ['rules', i, 'max'],
        };
    }
  }
  return undefined;
}
