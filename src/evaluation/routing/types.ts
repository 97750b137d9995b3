import type { RoutePath } from '../../dataset/route-dataset.js';
import type { Interval } from '../../metrics/bootstrap.js';
import type { LatencyFigures } from '../../metrics/percentile.js';

/** What a router decided for one utterance, beside what the dataset says was right. */
export interface RouteOutcome {
  id: string;
  /** The right route; null when no route fits and the fallback is right. */
  expected: string | null;
  /** The route taken; null when the router fell back. */
  chosen: string | null;
  /** The best route the router saw before its threshold, and that route's score (for calibration and the sweep). */
  candidate?: string;
  score?: number;
  /** What routing added to the request: embedding the utterance and comparing it, or the router's call. */
  latencyMs: number;
  /** What the routing decision itself cost (embedding tokens at the model's price, a router service's price). */
  routingCost: number;
}

/** The paths' costs and latencies, from routes.jsonl. */
export interface RoutePrices {
  routes: ReadonlyMap<string, RoutePath>;
  fallback: RoutePath;
}

/** A measure and its percentile bootstrap interval over utterances; value null when undefined (no denominator). */
export interface Estimate {
  value: number | null;
  ci: Interval | null;
}

export interface RouteClassFigures {
  /** The route's name; null for the fallback. */
  route: string | null;
  /** Utterances whose right answer it is. */
  support: number;
  /** Utterances sent to it. */
  predicted: number;
  precision: number;
  recall: number;
  f1: number;
  /** Bootstrap intervals over utterances. */
  precisionCi: Interval | null;
  recallCi: Interval | null;
}

export interface ReliabilityBin {
  low: number;
  high: number;
  count: number;
  /** Mean score in the bin; null when empty. */
  confidence: number | null;
  /** Share of the bin whose best route was the right one; null when empty. */
  accuracy: number | null;
}

export interface SweepPoint {
  threshold: number;
  accuracy: number;
  fallbackRate: number;
  /** Null when no decision is correct at this threshold, or the paths have no costs. */
  costPerOutcome: number | null;
}

export interface RouteEvaluation {
  utterances: number;
  /** Rows and columns of `confusion`: the routes in routes.jsonl order, then the fallback (null). */
  labels: (string | null)[];
  /** confusion[expected][chosen] = utterances. */
  confusion: number[][];
  accuracy: Estimate;
  macroF1: Estimate;
  fallbackRate: Estimate;
  /** Accuracy of the decisions that took a route (not the fallback). */
  acceptedAccuracy: Estimate;
  perRoute: RouteClassFigures[];
  /** Present when the router gave a score for every utterance. */
  calibration: { ece: Estimate; bins: ReliabilityBin[] } | null;
  /** The latency routing added. */
  latency: LatencyFigures;
  /** Routing plus the path taken (plus the fallback after a misroute), when every path has a latency. */
  pathLatency: LatencyFigures | null;
  /** Present when every path has a costPerCall. */
  cost: {
    /** (routing cost + the path taken + the fallback after a misroute) / correct decisions. */
    perOutcome: Estimate;
    total: number;
    routing: number;
    correctOutcomes: number;
  } | null;
  /** Present when the router gave a candidate and score for every utterance. */
  sweep: {
    points: SweepPoint[];
    requiredAccuracy: number;
    /** The threshold of least cost per outcome whose accuracy reaches requiredAccuracy; null when none does. */
    best: number | null;
  } | null;
}
