import type { RouterChangeMeasure } from '../config/router-policy.js';
import { indexOutcomes, weightedFigures } from '../evaluation/routing/measures.js';
import type { RouteOutcome, RoutePrices } from '../evaluation/routing/types.js';
import { pairedStatisticBootstrap } from '../metrics/weighted-bootstrap.js';
import { type CompareDropOptions, compareDrop, type DropComparison } from './decide.js';

/** Measures where less is better: their rules limit a rise, which is a drop of the negated measure. */
const LOWER_IS_BETTER: ReadonlySet<RouterChangeMeasure> = new Set(['fallbackRate', 'costPerOutcome']);

export function lowerIsBetter(measure: RouterChangeMeasure): boolean {
  return LOWER_IS_BETTER.has(measure);
}

/**
 * One router's measure against the same router's baseline, paired over utterances. The comparison is oriented
 * so that `drop` is what the rule limits (a rise for fallbackRate and costPerOutcome: their values are negated),
 * so dropFails decides every rule alike; `scope` says which utterances were paired.
 */
/** A router rule's limit is in points of its measure (no share of the baseline: a negated baseline has none). */
export type RouteCompareOptions = CompareDropOptions & { threshold: { abs: number } };

export interface RouteComparison {
  comparison: DropComparison;
  scope: string;
}

/**
 * Pairs the candidate's decisions with the baseline's by utterance id and compares one measure:
 * - accuracy and fallbackRate: the per-utterance 0/1 of being right (falling back), with the policy's test;
 * - acceptedAccuracy: the 0/1 of being right over the utterances both routers accepted (took a route), so
 *   the comparison is of how well each routes what it does route, on the same utterances;
 * - macroF1 and costPerOutcome, which are not means over utterances: a paired bootstrap that resamples
 *   utterance ids and recomputes both routers' figure on the same resample (its shift-method p-value).
 * Returns a sentence instead when the measure cannot be compared (the gate fails the rule on it).
 */
export function compareRouters(
  measure: RouterChangeMeasure,
  mine: readonly RouteOutcome[],
  base: readonly RouteOutcome[],
  context: { routeNames: readonly string[]; prices: RoutePrices | undefined },
  options: RouteCompareOptions,
): RouteComparison | string {
  const byId = new Map(base.map((o) => [o.id, o]));
  const candidate = mine.filter((o) => byId.has(o.id));
  if (candidate.length === 0) return 'the run and the baseline have no utterance in common';
  const baseline = candidate.map((o) => byId.get(o.id) as RouteOutcome);
  const over = `over ${candidate.length} utterances`;
  switch (measure) {
    case 'accuracy':
      return { comparison: compareDrop(right(candidate), right(baseline), options), scope: over };
    case 'fallbackRate':
      return {
        comparison: compareDrop(fellBack(candidate), fellBack(baseline), options),
        scope: over,
      };
    case 'acceptedAccuracy': {
      const both = candidate.flatMap((o, i) =>
        o.chosen !== null && (baseline[i] as RouteOutcome).chosen !== null ? [i] : [],
      );
      if (both.length === 0) return 'no utterance was accepted (routed) by both the router and its baseline';
      return {
        comparison: compareDrop(
          right(both.map((i) => candidate[i] as RouteOutcome)),
          right(both.map((i) => baseline[i] as RouteOutcome)),
          options,
        ),
        scope: `over the ${both.length} of ${candidate.length} utterances both accepted`,
      };
    }
    case 'macroF1':
    case 'costPerOutcome':
      return ratioComparison(measure, candidate, baseline, context, options, over);
  }
}

function ratioComparison(
  measure: 'macroF1' | 'costPerOutcome',
  candidate: readonly RouteOutcome[],
  baseline: readonly RouteOutcome[],
  context: { routeNames: readonly string[]; prices: RoutePrices | undefined },
  options: RouteCompareOptions,
  scope: string,
): RouteComparison | string {
  const prices = context.prices ?? { routes: new Map(), fallback: {} };
  const mine = indexOutcomes(candidate, context.routeNames, prices);
  const theirs = indexOutcomes(baseline, context.routeNames, prices);
  if (measure === 'costPerOutcome' && !mine.cost)
    return 'costPerOutcome was not measured (paths without costs)';
  const sign = lowerIsBetter(measure) ? -1 : 1;
  const paired = pairedStatisticBootstrap(
    candidate.length,
    (weights) => sign * weightedFigures(mine, weights)[measure],
    (weights) => sign * weightedFigures(theirs, weights)[measure],
    { samples: options.samples, seed: options.seed, confidence: options.confidence },
  );
  if (!paired) return `${measure} is undefined for the router or its baseline (no correct decision)`;
  return {
    comparison: {
      candidateMean: paired.candidate,
      baselineMean: paired.baseline,
      difference: paired.difference,
      drop: -paired.difference,
      threshold: options.threshold.abs,
      ci: paired.ci,
      pValue: paired.pValue,
      queries: candidate.length,
      // Not a mean of per-utterance differences: no standard deviation of them to report.
      sdDifference: Number.NaN,
    },
    scope,
  };
}

function right(outcomes: readonly RouteOutcome[]): Float64Array {
  return Float64Array.from(outcomes, (o) => (o.chosen === o.expected ? 1 : 0));
}

/** −1 per fallback: a rise in the fallback rate is a drop of this, as compareDrop reads drops. */
function fellBack(outcomes: readonly RouteOutcome[]): Float64Array {
  return Float64Array.from(outcomes, (o) => (o.chosen === null ? -1 : 0));
}
