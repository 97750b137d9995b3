import { performance } from 'node:perf_hooks';
import { embedAll } from '../../cache/vector-cache.js';
import type { Embedder, RouteDecision, Router } from '../../types.js';

export interface RouteExamples {
  name: string;
  examples: string[];
}

export interface EmbeddingRouterOptions {
  id: string;
  embedder: Embedder;
  routes: readonly RouteExamples[];
  /** nearest centroid of each route's examples, or a vote of the k nearest examples. */
  method: 'centroid' | 'knn';
  k: number;
  /** Below this cosine the router falls back. */
  threshold: number;
  cacheDir: string;
  /**
   * The tokens a provider bills for an utterance, counted whether or not its vector came from the cache, so
   * that a second run prices routing as the first did; without it, the tokens the embedding call reported.
   */
  countTokens?: (text: string) => number;
}

/**
 * A router that embeds the utterance (through the embedding cache) and compares it by cosine with the routes'
 * example utterances: with the mean of each route's normalised example vectors (nearest centroid), or with the
 * k nearest examples (the route with most of them wins, ties to the larger summed similarity; its score is the
 * mean similarity of its examples among them).
 */
export class EmbeddingRouter implements Router {
  readonly id: string;
  private constructor(
    private readonly options: EmbeddingRouterOptions,
    /** Unit vectors: one per route (centroid) or one per example (knn), and the route each belongs to. */
    private readonly vectors: Float32Array[],
    private readonly owners: number[],
  ) {
    this.id = options.id;
  }

  /** Embeds every route's examples (cached: a second run embeds nothing) and builds the router. */
  static async create(options: EmbeddingRouterOptions): Promise<EmbeddingRouter> {
    const texts = options.routes.flatMap((route) => route.examples);
    const owners = options.routes.flatMap((route, r) => route.examples.map(() => r));
    const embedded = await embedAll({
      embedder: options.embedder,
      texts,
      names: options.routes.flatMap((route) =>
        route.examples.map((_, i) => `example ${i + 1} of route ${route.name}`),
      ),
      purpose: 'index-build',
      cacheDir: options.cacheDir,
    });
    const dims = options.embedder.dimensions;
    const examples = texts.map((_, i) => normalised(embedded.vectors.subarray(i * dims, (i + 1) * dims)));
    if (options.method === 'knn') return new EmbeddingRouter(options, examples, owners);
    const centroids = options.routes.map((_, r) => {
      const sum = new Float32Array(dims);
      examples.forEach((vector, i) => {
        if (owners[i] === r)
          for (let d = 0; d < dims; d++) sum[d] = (sum[d] as number) + (vector[d] as number);
      });
      return normalised(sum);
    });
    return new EmbeddingRouter(
      options,
      centroids,
      options.routes.map((_, r) => r),
    );
  }

  async route(utterance: { id: string; text: string }): Promise<RouteDecision> {
    const embedded = await embedAll({
      embedder: this.options.embedder,
      texts: [utterance.text],
      names: [`utterance ${utterance.id}`],
      purpose: 'query',
      cacheDir: this.options.cacheDir,
    });
    const start = performance.now();
    const query = normalised(embedded.vectors);
    const similarities = this.vectors.map((vector) => dot(query, vector));
    const { route, score } =
      this.options.method === 'knn' ? this.vote(similarities) : this.nearest(similarities);
    const name = (this.options.routes[route] as RouteExamples).name;
    return {
      route: score >= this.options.threshold ? name : null,
      candidate: name,
      score,
      tokens: this.options.countTokens ? this.options.countTokens(utterance.text) : embedded.tokens,
      // A vector read from the cache took no embedding call: only the comparison is counted for it.
      latencyMs: (embedded.perText[0]?.latencyMs ?? 0) + performance.now() - start,
    };
  }

  private nearest(similarities: number[]): { route: number; score: number } {
    let best = 0;
    similarities.forEach((s, i) => {
      if (s > (similarities[best] as number)) best = i;
    });
    return { route: this.owners[best] as number, score: similarities[best] as number };
  }

  private vote(similarities: number[]): { route: number; score: number } {
    const nearest = similarities
      .map((similarity, i) => ({ similarity, route: this.owners[i] as number }))
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, this.options.k);
    const tally = new Map<number, { votes: number; sum: number }>();
    for (const { route, similarity } of nearest) {
      const entry = tally.get(route) ?? { votes: 0, sum: 0 };
      tally.set(route, { votes: entry.votes + 1, sum: entry.sum + similarity });
    }
    let winner: [number, { votes: number; sum: number }] | undefined;
    for (const entry of tally) {
      if (
        !winner ||
        entry[1].votes > winner[1].votes ||
        (entry[1].votes === winner[1].votes && entry[1].sum > winner[1].sum)
      )
        winner = entry;
    }
    const [route, { votes, sum }] = winner as [number, { votes: number; sum: number }];
    return { route, score: sum / votes };
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

/** The vector scaled to length 1 (a zero vector stays zero: it is similar to nothing). */
function normalised(vector: Float32Array): Float32Array {
  const norm = Math.sqrt(dot(vector, vector));
  return norm === 0 ? Float32Array.from(vector) : Float32Array.from(vector, (x) => x / norm);
}
