import { evaluateRun } from '../metrics/evaluate.js';
import { pairedBootstrap } from '../metrics/paired.js';
import { makeMeasure, parseMeasure } from '../metrics/registry.js';
import type { Qrels, Run } from '../metrics/types.js';
import { evaluateOptions } from './evaluate-runs.js';
import type { EvaluationSettings, RunResult } from './types.js';

export interface MeasureLift {
  /** Mean per-query difference, reranked − first stage. */
  mean: number;
  ciLow: number;
  ciHigh: number;
}

export interface RerankerLift {
  /** Per measure (sums and geometric means excluded): how much the reranker moved it, with a paired bootstrap interval. */
  measures: Record<string, MeasureLift>;
  /**
   * What the reranker cannot exceed: the first stage's recall at the rerank depth. A reranker only reorders
   * the top `depth` candidates, so relevant documents below it stay out of reach.
   */
  ceiling: { measure: string; value: number };
}

/** Reranker lift from the per-query values of the reranked and the first-stage evaluations of one system. */
export function rerankerLift(
  reranked: RunResult,
  firstStage: RunResult,
  firstStageRun: Run,
  qrels: Qrels,
  depth: number,
  settings: EvaluationSettings,
): RerankerLift {
  const measures: Record<string, MeasureLift> = {};
  for (const name of settings.measures) {
    const a = reranked.perQuery.values[name];
    const b = firstStage.perQuery.values[name];
    // A lift is a mean per-query difference: it says nothing of a sum or a geometric mean.
    if (!a || !b || parseMeasure(name).aggregate !== 'mean') continue;
    const difference = pairedBootstrap(a, b, settings.bootstrap);
    measures[name] = { mean: difference.mean, ciLow: difference.ci.low, ciHigh: difference.ci.high };
  }
  const recallAtDepth = makeMeasure('R', depth);
  const ceiling = evaluateRun(qrels, firstStageRun, [recallAtDepth], evaluateOptions(settings));
  return { measures, ceiling: { measure: recallAtDepth.name, value: ceiling.aggregates[0] ?? 0 } };
}
