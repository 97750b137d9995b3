import type { QueryVectors } from '../../src/retrieve/run-system.js';

/**
 * A system's query embedder that hands out vectors made beforehand, as a cache would: nothing embedded, no
 * latency, no tokens. For measuring or checking the search side alone.
 */
export function precomputedVectors(vectors: Float32Array, queryCount: number): () => Promise<QueryVectors> {
  return async () => ({
    vectors,
    perQuery: Array.from({ length: queryCount }, () => ({ latencyMs: null, batchSize: null, tokens: 0 })),
    callMs: [],
    calls: 0,
    tokens: 0,
    retries: 0,
  });
}
