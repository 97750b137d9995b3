import { schemaProblem } from '../schemas.js';
import { readUtf8File } from '../utf8.js';
import { failIn } from './fail.js';
import type { Decide, PairedTest } from './gate-policy.js';
import { parseLocatedYaml } from './locate.js';

export type RouterFloorMeasure = 'accuracy' | 'macroF1' | 'acceptedAccuracy';
/** What may drop against a baseline (higher is better) and what may rise (lower is better). */
export type RouterDropMeasure = RouterFloorMeasure;
export type RouterIncreaseMeasure = 'fallbackRate' | 'costPerOutcome';
export type RouterChangeMeasure = RouterDropMeasure | RouterIncreaseMeasure;
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
  const yaml = parseLocatedYaml(readUtf8File(file), file);
  const fail = failIn(file, yaml);
  const problem = schemaProblem('router-policy', yaml.value);
  if (problem) fail(problem.message, problem.path, problem.field);
  const raw = yaml.value as {
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
