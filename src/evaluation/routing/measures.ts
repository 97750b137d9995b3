import type { RouteOutcome, RoutePrices } from './types.js';

/** Outcomes indexed for repeated weighted passes (one per bootstrap resample). */
export interface IndexedOutcomes {
  labels: (string | null)[];
  expected: Int32Array;
  chosen: Int32Array;
  /** Per utterance: routing + path + fallback after a misroute; undefined when some path has no cost. */
  cost: Float64Array | undefined;
  /** Per utterance, when every outcome has a score: the score clamped to [0, 1], and whether the best route was right. */
  confidence: Float64Array | undefined;
  topCorrect: Uint8Array | undefined;
}

/** Index of a label: routes in their order, the fallback (null) last. */
export function indexOutcomes(
  outcomes: readonly RouteOutcome[],
  routeNames: readonly string[],
  prices: RoutePrices,
): IndexedOutcomes {
  const labels: (string | null)[] = [...routeNames, null];
  const at = new Map<string | null, number>(labels.map((label, i) => [label, i]));
  const indexOf = (label: string | null, id: string): number => {
    const index = at.get(label);
    if (index === undefined) throw new RangeError(`utterance ${id}: route '${label}' is not in the dataset`);
    return index;
  };
  const costs = pathCosts(prices);
  const scored = outcomes.length > 0 && outcomes.every((o) => o.score !== undefined);
  return {
    labels,
    expected: Int32Array.from(outcomes, (o) => indexOf(o.expected, o.id)),
    chosen: Int32Array.from(outcomes, (o) => indexOf(o.chosen, o.id)),
    cost: costs && Float64Array.from(outcomes, (o) => o.routingCost + pathCharge(o, costs)),
    confidence: scored
      ? Float64Array.from(outcomes, (o) => Math.min(1, Math.max(0, o.score as number)))
      : undefined,
    topCorrect: scored
      ? Uint8Array.from(outcomes, (o) => ((o.candidate ?? o.chosen) === o.expected ? 1 : 0))
      : undefined,
  };
}

/** Cost (or latency) of each path, when every path has one. */
export interface PathFigures {
  routes: ReadonlyMap<string, number>;
  fallback: number;
}

export function pathCosts(prices: RoutePrices): PathFigures | undefined {
  return pathFigures(prices, 'costPerCall');
}

export function pathLatencies(prices: RoutePrices): PathFigures | undefined {
  return pathFigures(prices, 'latencyMs');
}

function pathFigures(prices: RoutePrices, field: 'costPerCall' | 'latencyMs'): PathFigures | undefined {
  const fallback = prices.fallback[field];
  if (fallback === undefined) return undefined;
  const routes = new Map<string, number>();
  for (const [name, path] of prices.routes) {
    const value = path[field];
    if (value === undefined) return undefined;
    routes.set(name, value);
  }
  return { routes, fallback };
}

/**
 * What the path of one decision charges: the fallback's figure when it fell back; the route's when it was
 * right; the route's and then the fallback's when it was wrong (a misroute is served, found wanting, and sent on).
 */
export function pathCharge(
  decision: { expected: string | null; chosen: string | null },
  paths: PathFigures,
): number {
  if (decision.chosen === null) return paths.fallback;
  const route = paths.routes.get(decision.chosen) ?? 0;
  return decision.chosen === decision.expected ? route : route + paths.fallback;
}

/** The measures that are sums over utterances, on one weighting of them (all ones: the sample itself). */
export interface WeightedFigures {
  confusion: number[][];
  /** Per label (routes, then the fallback): precision, recall and F1 of this weighting. */
  classes: { support: number; predicted: number; precision: number; recall: number; f1: number }[];
  total: number;
  accuracy: number;
  fallbackRate: number;
  /** NaN when nothing took a route. */
  acceptedAccuracy: number;
  macroF1: number;
  /** NaN when no decision is correct or the paths have no costs. */
  costPerOutcome: number;
  /** NaN without scores. */
  ece: number;
}

export const RELIABILITY_BINS = 10;

export function weightedFigures(indexed: IndexedOutcomes, weights?: Float64Array): WeightedFigures {
  const k = indexed.labels.length;
  const fallback = k - 1;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let total = 0;
  let correct = 0;
  let cost = 0;
  for (let i = 0; i < indexed.expected.length; i++) {
    const w = weights ? (weights[i] as number) : 1;
    if (w === 0) continue;
    const e = indexed.expected[i] as number;
    const c = indexed.chosen[i] as number;
    (confusion[e] as number[])[c] = ((confusion[e] as number[])[c] as number) + w;
    total += w;
    if (e === c) correct += w;
    if (indexed.cost) cost += w * (indexed.cost[i] as number);
  }
  let fellBack = 0;
  for (let e = 0; e < k; e++) fellBack += (confusion[e] as number[])[fallback] as number;
  const acceptedCorrect = correct - ((confusion[fallback] as number[])[fallback] as number);
  const classes = classFigures(confusion);
  return {
    confusion,
    classes,
    total,
    accuracy: correct / total,
    fallbackRate: fellBack / total,
    acceptedAccuracy: total - fellBack > 0 ? acceptedCorrect / (total - fellBack) : Number.NaN,
    macroF1: macroF1(classes),
    costPerOutcome: indexed.cost && correct > 0 ? cost / correct : Number.NaN,
    ece: indexed.confidence ? expectedCalibrationError(reliabilityBins(indexed, weights)) : Number.NaN,
  };
}

/** Per label of a confusion matrix: support, predictions, precision, recall and F1 (0 where undefined, as scikit-learn's zero_division=0). */
export function classFigures(
  confusion: number[][],
): { support: number; predicted: number; precision: number; recall: number; f1: number }[] {
  return confusion.map((row, j) => {
    const tp = row[j] as number;
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((sum, r) => sum + (r[j] as number), 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { support, predicted, precision, recall, f1 };
  });
}

/** Mean F1 over the labels that occur, as right answers or as decisions (a label in neither says nothing). */
export function macroF1(classes: { support: number; predicted: number; f1: number }[]): number {
  const present = classes.filter((c) => c.support > 0 || c.predicted > 0);
  return present.length === 0 ? Number.NaN : present.reduce((sum, c) => sum + c.f1, 0) / present.length;
}

/** Equal-width bins of the score over [0, 1] (a score of 1 falls in the last bin). */
export function reliabilityBins(
  indexed: IndexedOutcomes,
  weights?: Float64Array,
): { low: number; high: number; count: number; confidence: number; accuracy: number }[] {
  const bins = Array.from({ length: RELIABILITY_BINS }, (_, b) => ({
    low: b / RELIABILITY_BINS,
    high: (b + 1) / RELIABILITY_BINS,
    count: 0,
    confidence: 0,
    accuracy: 0,
  }));
  const { confidence, topCorrect } = indexed;
  if (!confidence || !topCorrect) return bins;
  for (let i = 0; i < confidence.length; i++) {
    const w = weights ? (weights[i] as number) : 1;
    const score = confidence[i] as number;
    const bin = bins[
      Math.min(RELIABILITY_BINS - 1, Math.floor(score * RELIABILITY_BINS))
    ] as (typeof bins)[number];
    bin.count += w;
    bin.confidence += w * score;
    bin.accuracy += w * (topCorrect[i] as number);
  }
  for (const bin of bins) {
    if (bin.count === 0) continue;
    bin.confidence /= bin.count;
    bin.accuracy /= bin.count;
  }
  return bins;
}

/** ECE = Σ over bins of (its share of utterances) × |accuracy − mean confidence|. */
export function expectedCalibrationError(
  bins: { count: number; confidence: number; accuracy: number }[],
): number {
  const total = bins.reduce((sum, bin) => sum + bin.count, 0);
  if (total === 0) return Number.NaN;
  return bins.reduce((sum, bin) => sum + (bin.count / total) * Math.abs(bin.accuracy - bin.confidence), 0);
}
