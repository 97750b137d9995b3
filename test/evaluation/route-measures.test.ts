import { describe, expect, it } from 'vitest';
import { evaluateRouter } from '../../src/evaluation/routing/evaluate.js';
import type { RouteOutcome, RoutePrices } from '../../src/evaluation/routing/types.js';

// Six utterances worked by hand. Routes: billing (0.001 a call, 100 ms), password (0.002, 50 ms); the
// fallback costs 0.01 and takes 1000 ms; each routing decision costs 0.0001. The router's threshold was 0.5.
const prices: RoutePrices = {
  routes: new Map([
    ['billing', { costPerCall: 0.001, latencyMs: 100 }],
    ['password', { costPerCall: 0.002, latencyMs: 50 }],
  ]),
  fallback: { costPerCall: 0.01, latencyMs: 1000 },
};
const outcome = (
  id: string,
  expected: string | null,
  chosen: string | null,
  candidate: string,
  score: number,
  latencyMs: number,
): RouteOutcome => ({ id, expected, chosen, candidate, score, latencyMs, routingCost: 0.0001 });
const outcomes = [
  outcome('u1', 'billing', 'billing', 'billing', 0.88, 10), // right
  outcome('u2', 'billing', 'password', 'password', 0.7, 20), // misroute
  outcome('u3', 'password', 'password', 'password', 0.8, 30), // right
  outcome('u4', 'password', null, 'password', 0.4, 40), // needless fallback
  outcome('u5', null, null, 'billing', 0.3, 50), // right: out of scope, fell back
  outcome('u6', null, 'password', 'password', 0.6, 60), // misroute of an out-of-scope utterance
];
const options = {
  routeNames: ['billing', 'password'],
  prices,
  bootstrap: { samples: 500, confidence: 0.95, seed: 7 },
  sweepThresholds: [1, 0.5, 0, 0.75],
  requiredAccuracy: 0.6,
};
const evaluation = evaluateRouter(outcomes, options);

describe('router measures, worked by hand', () => {
  it('counts the confusion matrix with the fallback as the last label', () => {
    expect(evaluation.labels).toEqual(['billing', 'password', null]);
    expect(evaluation.confusion).toEqual([
      [1, 1, 0],
      [0, 1, 1],
      [0, 1, 1],
    ]);
  });

  it('gives accuracy, fallback rate and the accuracy of accepted decisions', () => {
    expect(evaluation.accuracy.value).toBe(3 / 6);
    expect(evaluation.fallbackRate.value).toBe(2 / 6);
    expect(evaluation.acceptedAccuracy.value).toBe(2 / 4); // u1, u2, u3, u6 took a route; u1, u3 were right
  });

  it('gives per-route precision, recall, F1 and their macro mean', () => {
    const [billing, password, fallback] = evaluation.perRoute;
    expect(billing).toMatchObject({
      route: 'billing',
      support: 2,
      predicted: 1,
      precision: 1,
      recall: 0.5,
      f1: 2 / 3,
    });
    expect(password?.precision).toBeCloseTo(1 / 3, 12);
    expect(password?.recall).toBe(0.5);
    expect(password?.f1).toBeCloseTo(0.4, 12); // 2 · (1/3 · 1/2) / (1/3 + 1/2)
    expect(fallback).toMatchObject({
      route: null,
      support: 2,
      predicted: 2,
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
    });
    expect(evaluation.macroF1.value).toBeCloseTo((2 / 3 + 0.4 + 0.5) / 3, 12);
    // Each route's precision and recall carry bootstrap intervals around them.
    for (const c of evaluation.perRoute) {
      expect(c.precisionCi?.low).toBeLessThanOrEqual(c.precision);
      expect(c.precisionCi?.high).toBeGreaterThanOrEqual(c.precision);
      expect(c.recallCi?.low).toBeLessThanOrEqual(c.recall);
      expect(c.recallCi?.high).toBeGreaterThanOrEqual(c.recall);
    }
    expect(billing?.recallCi?.low).toBeLessThan(billing?.recallCi?.high as number);
  });

  it('charges a misroute its route and then the fallback, and divides by the correct decisions', () => {
    // u1 0.0011, u2 0.0001+0.002+0.01, u3 0.0021, u4 and u5 0.0101, u6 0.0121: 0.0476 for 3 correct.
    expect(evaluation.cost?.total).toBeCloseTo(0.0476, 12);
    expect(evaluation.cost?.routing).toBeCloseTo(0.0006, 12);
    expect(evaluation.cost?.correctOutcomes).toBe(3);
    expect(evaluation.cost?.perOutcome.value).toBeCloseTo(0.0476 / 3, 12);
  });

  it('bins scores for the reliability diagram and computes the expected calibration error', () => {
    const bins = evaluation.calibration?.bins ?? [];
    expect(bins).toHaveLength(10);
    expect(bins[8]).toMatchObject({ count: 2, accuracy: 1 }); // u1 0.88 and u3 0.8
    expect(bins[8]?.confidence).toBeCloseTo(0.84, 12);
    expect(bins[3]).toMatchObject({ count: 1, confidence: 0.3, accuracy: 0 }); // u5: best route billing, wrong
    expect(bins[0]).toMatchObject({ count: 0, confidence: null, accuracy: null });
    // (|0−0.3| + |1−0.4| + |0−0.6| + |0−0.7|) / 6 + 2/6 · |1−0.84|
    expect(evaluation.calibration?.ece.value).toBeCloseTo(2.52 / 6, 12);
  });

  it('reports added latency and latency through the path taken as nearest-rank percentiles', () => {
    expect(evaluation.latency).toEqual({ count: 6, p50: 30, p95: 60, p99: 60, mean: 35, max: 60 });
    // 110, 1070, 80, 1040, 1050, 1110 ms
    expect(evaluation.pathLatency).toMatchObject({ p50: 1040, p95: 1110, max: 1110 });
  });

  it('sweeps thresholds and marks the cheapest one that reaches the required accuracy', () => {
    const points = evaluation.sweep?.points ?? [];
    expect(points.map((p) => p.threshold)).toEqual([0, 0.5, 0.75, 1]);
    expect(points[0]).toMatchObject({ accuracy: 0.5, fallbackRate: 0 });
    expect(points[0]?.costPerOutcome).toBeCloseTo(0.0406 / 3, 12);
    // At 0.75 u2, u4, u5 and u6 fall back: u1, u3, u5, u6 are right, for 0.0011 + 0.0021 + 4 × 0.0101.
    expect(points[2]?.accuracy).toBeCloseTo(4 / 6, 12);
    expect(points[2]?.fallbackRate).toBeCloseTo(4 / 6, 12);
    expect(points[2]?.costPerOutcome).toBeCloseTo(0.0436 / 4, 12);
    expect(points[3]).toMatchObject({ accuracy: 2 / 6, fallbackRate: 1 });
    expect(points[3]?.costPerOutcome).toBeCloseTo(0.0606 / 2, 12);
    expect(evaluation.sweep?.best).toBe(0.75); // the only threshold with accuracy ≥ 0.6
    expect(evaluateRouter(outcomes, { ...options, requiredAccuracy: 0.7 }).sweep?.best).toBeNull();
    // At 0.5 every threshold but 1 qualifies, and 0.75 is still the cheapest per correct outcome.
    expect(evaluateRouter(outcomes, { ...options, requiredAccuracy: 0.5 }).sweep?.best).toBe(0.75);
  });

  it('gives seeded bootstrap intervals around each measure, the same for the same seed', () => {
    for (const measure of ['accuracy', 'macroF1', 'fallbackRate', 'acceptedAccuracy'] as const) {
      const { value, ci } = evaluation[measure];
      expect(ci?.low).toBeLessThanOrEqual(value as number);
      expect(ci?.high).toBeGreaterThanOrEqual(value as number);
      expect(ci?.low).toBeGreaterThanOrEqual(0);
      expect(ci?.high).toBeLessThanOrEqual(1);
    }
    expect(evaluation.accuracy.ci?.low).toBeLessThan(evaluation.accuracy.ci?.high as number);
    expect(evaluateRouter(outcomes, options)).toEqual(evaluation);
  });

  it('leaves cost out when a path has no cost, and calibration and the sweep when the router gives no score', () => {
    const unpriced = evaluateRouter(outcomes, {
      ...options,
      prices: { routes: prices.routes, fallback: { latencyMs: 1000 } },
    });
    expect(unpriced.cost).toBeNull();
    const unscored = evaluateRouter(
      outcomes.map(({ id, expected, chosen, latencyMs, routingCost }) => ({
        id,
        expected,
        chosen,
        latencyMs,
        routingCost,
      })),
      options,
    );
    expect(unscored.calibration).toBeNull();
    expect(unscored.sweep).toBeNull();
    expect(unscored.accuracy.value).toBe(0.5);
  });
});
