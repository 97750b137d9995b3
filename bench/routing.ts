import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { evaluateRouter } from '../src/evaluation/routing/evaluate.js';
import type { RouteOutcome } from '../src/evaluation/routing/types.js';
import { seededRandom } from '../src/metrics/random.js';
import { HashingEmbedder } from '../src/retrieve/providers/embedders/hashing.js';
import { EmbeddingRouter } from '../src/retrieve/providers/routers/embedding.js';

/**
 * Router evaluation at production-log size: 100,000 routed utterances over 10 routes (a synthetic mix of
 * right answers, misroutes and fallbacks, with scores) evaluated with 1,000 bootstrap resamples and a
 * 21-point threshold sweep. Then the routing an embedding router adds per utterance: a 2048-dimension hashing
 * router over 10 routes × 20 examples, utterances embedded once (the cache's cold path) and again (cached).
 */
export const name = 'routing';

const UTTERANCES = 100_000;
const ROUTES = Array.from({ length: 10 }, (_, i) => `route${i}`);
const SEED = 42;

export async function run(): Promise<void> {
  const random = seededRandom(SEED);
  const outcomes: RouteOutcome[] = Array.from({ length: UTTERANCES }, (_, i) => {
    const expected = random() < 0.15 ? null : (ROUTES[Math.floor(random() * ROUTES.length)] as string);
    const candidate =
      random() < 0.8 && expected !== null
        ? expected
        : (ROUTES[Math.floor(random() * ROUTES.length)] as string);
    const score = random();
    return {
      id: `u${i}`,
      expected,
      chosen: score >= 0.3 ? candidate : null,
      candidate,
      score,
      latencyMs: random() * 5,
      routingCost: 0.00001,
    };
  });
  const prices = {
    routes: new Map(ROUTES.map((r) => [r, { costPerCall: 0.001, latencyMs: 200 }])),
    fallback: { costPerCall: 0.01, latencyMs: 2000 },
  };
  const start = performance.now();
  const evaluation = evaluateRouter(outcomes, {
    routeNames: ROUTES,
    prices,
    bootstrap: { samples: 1000, confidence: 0.95, seed: SEED },
    sweepThresholds: Array.from({ length: 21 }, (_, i) => i / 20),
    requiredAccuracy: 0.6,
  });
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `evaluate ${UTTERANCES.toLocaleString('en')} decisions, 1,000 resamples, 21 thresholds: ${seconds.toFixed(2)} s (accuracy ${evaluation.accuracy.value?.toFixed(3)}; target < 10 s)`,
  );

  const examples = ROUTES.map((route, r) => ({
    name: route,
    examples: Array.from(
      { length: 20 },
      (_, e) => `example ${e} of topic ${r} with words w${r}x${e} and w${r}y`,
    ),
  }));
  const cacheDir = mkdtempSync(join(tmpdir(), 'rg-bench-routing-'));
  const router = await EmbeddingRouter.create({
    id: 'bench',
    embedder: new HashingEmbedder({ dimensions: 2048 }),
    routes: examples,
    method: 'centroid',
    k: 5,
    threshold: 0.2,
    cacheDir,
  });
  for (const pass of ['cold', 'cached']) {
    const latencies: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const decision = await router.route({
        id: `u${i}`,
        text: `a question about topic ${i % 10} number ${i}`,
      });
      latencies.push(decision.latencyMs ?? 0);
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `embedding router (hashing 2048 d, 10 centroids), ${pass}: p50 ${latencies[499]?.toFixed(3)} ms, p95 ${latencies[949]?.toFixed(3)} ms per utterance`,
    );
  }
  rmSync(cacheDir, { recursive: true, force: true });
}
