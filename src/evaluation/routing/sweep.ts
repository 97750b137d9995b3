import { indexOutcomes, weightedFigures } from './measures.js';
import type { RouteEvaluation, RouteOutcome, RoutePrices, SweepPoint } from './types.js';

/** The same utterances decided at another threshold: below it the router falls back, at or above it takes its best route. */
export function atThreshold(outcomes: readonly RouteOutcome[], threshold: number): RouteOutcome[] {
  return outcomes.map((o) => ({
    ...o,
    chosen: o.candidate !== undefined && (o.score as number) >= threshold ? o.candidate : null,
  }));
}

/**
 * The trade-off curve of one scored router: accuracy, fallback rate and cost per correct outcome at each
 * threshold, and the cheapest threshold whose accuracy reaches `requiredAccuracy` (ties: the more accurate,
 * then the lower threshold). Undefined when some outcome lacks a candidate or a score.
 */
export function thresholdSweep(
  outcomes: readonly RouteOutcome[],
  routeNames: readonly string[],
  prices: RoutePrices,
  thresholds: readonly number[],
  requiredAccuracy: number,
): RouteEvaluation['sweep'] {
  if (outcomes.length === 0 || outcomes.some((o) => o.candidate === undefined || o.score === undefined))
    return null;
  const points: SweepPoint[] = [...thresholds]
    .sort((a, b) => a - b)
    .map((threshold) => {
      const figures = weightedFigures(indexOutcomes(atThreshold(outcomes, threshold), routeNames, prices));
      return {
        threshold,
        accuracy: figures.accuracy,
        fallbackRate: figures.fallbackRate,
        costPerOutcome: Number.isNaN(figures.costPerOutcome) ? null : figures.costPerOutcome,
      };
    });
  let best: SweepPoint | undefined;
  for (const point of points) {
    if (point.accuracy < requiredAccuracy || point.costPerOutcome === null) continue;
    const cheaper = best === undefined || point.costPerOutcome < (best.costPerOutcome as number);
    const asCheapMoreAccurate =
      best !== undefined && point.costPerOutcome === best.costPerOutcome && point.accuracy > best.accuracy;
    if (cheaper || asCheapMoreAccurate) best = point;
  }
  return { points, requiredAccuracy, best: best?.threshold ?? null };
}
