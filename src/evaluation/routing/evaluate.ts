import type { BootstrapOptions } from '../../metrics/bootstrap.js';
import { latencyFigures } from '../../metrics/percentile.js';
import { bootstrapStatistics } from '../../metrics/weighted-bootstrap.js';
import { indexOutcomes, pathCharge, pathLatencies, reliabilityBins, weightedFigures } from './measures.js';
import { thresholdSweep } from './sweep.js';
import type { Estimate, RouteEvaluation, RouteOutcome, RoutePrices } from './types.js';

export interface RouteEvaluationOptions {
  routeNames: readonly string[];
  prices: RoutePrices;
  bootstrap: BootstrapOptions;
  /** Thresholds of the trade-off curve, and the accuracy its best point must reach. */
  sweepThresholds: readonly number[];
  requiredAccuracy: number;
}

const CI_MEASURES = [
  'accuracy',
  'macroF1',
  'fallbackRate',
  'acceptedAccuracy',
  'costPerOutcome',
  'ece',
] as const;

/**
 * Every measure of one router on one route dataset, with percentile bootstrap intervals over utterances
 * (all measures on the same resamples). Pure: the same outcomes and seed give the same evaluation.
 */
export function evaluateRouter(
  outcomes: readonly RouteOutcome[],
  options: RouteEvaluationOptions,
): RouteEvaluation {
  if (outcomes.length === 0) throw new RangeError('evaluateRouter: no utterances');
  const indexed = indexOutcomes(outcomes, options.routeNames, options.prices);
  const figures = weightedFigures(indexed);
  const intervals = bootstrapStatistics(
    outcomes.length,
    (weights) => {
      const f = weightedFigures(indexed, weights);
      // Per-label precision and recall follow the scalar measures, in label order.
      return [...CI_MEASURES.map((name) => f[name]), ...f.classes.flatMap((c) => [c.precision, c.recall])];
    },
    options.bootstrap,
  );
  const estimate = (name: (typeof CI_MEASURES)[number]): Estimate => {
    const value = figures[name];
    const ci = intervals[CI_MEASURES.indexOf(name)];
    return { value: Number.isNaN(value) ? null : value, ci: Number.isNaN(value) ? null : (ci ?? null) };
  };
  const classInterval = (label: number, which: 0 | 1) =>
    intervals[CI_MEASURES.length + 2 * label + which] ?? null;
  const correctOutcomes = Math.round(figures.accuracy * figures.total);
  const paths = pathLatencies(options.prices);
  return {
    utterances: outcomes.length,
    labels: indexed.labels,
    confusion: figures.confusion,
    accuracy: estimate('accuracy'),
    macroF1: estimate('macroF1'),
    fallbackRate: estimate('fallbackRate'),
    acceptedAccuracy: estimate('acceptedAccuracy'),
    perRoute: figures.classes.map((c, i) => ({
      route: indexed.labels[i] as string | null,
      ...c,
      precisionCi: classInterval(i, 0),
      recallCi: classInterval(i, 1),
    })),
    calibration: indexed.confidence
      ? {
          ece: estimate('ece'),
          bins: reliabilityBins(indexed).map((bin) => ({
            ...bin,
            confidence: bin.count > 0 ? bin.confidence : null,
            accuracy: bin.count > 0 ? bin.accuracy : null,
          })),
        }
      : null,
    latency: latencyFigures(outcomes.map((o) => o.latencyMs)),
    pathLatency: paths ? latencyFigures(outcomes.map((o) => o.latencyMs + pathCharge(o, paths))) : null,
    cost: indexed.cost
      ? {
          perOutcome: estimate('costPerOutcome'),
          total: indexed.cost.reduce((a, b) => a + b, 0),
          routing: outcomes.reduce((sum, o) => sum + o.routingCost, 0),
          correctOutcomes,
        }
      : null,
    sweep: thresholdSweep(
      outcomes,
      options.routeNames,
      options.prices,
      options.sweepThresholds,
      options.requiredAccuracy,
    ),
  };
}
