import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runSystem, type SystemQuery } from '../src/retrieve/run-system.js';
import type { Hit, Index } from '../src/retrieve/types.js';

export const name = 'runner-overhead';

const QUERIES = 10_000;
const K = 100;

/**
 * Harness overhead per query: 10,000 queries through an in-process index that answers at once with 100
 * fixed hits. Everything the runner does around the search (vector slicing, trace records, run building,
 * timing) is overhead; the target is well under 1 ms per query.
 */
export async function run(): Promise<void> {
  const hits: Hit[] = Array.from({ length: K }, (_, i) => ({ docid: `doc${i}`, score: K - i }));
  const index: Index = {
    resolved: 'instant',
    needsVectors: false,
    search: async (queries) => queries.map(() => hits),
  };
  const queries: SystemQuery[] = Array.from({ length: QUERIES }, (_, i) => ({
    id: `q${i}`,
    text: `query number ${i}`,
  }));
  const figures: number[] = [];
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    const result = await runSystem({
      system: { id: 'instant', index: { alias: 'instant', kind: 'bm25', k1: 0.9, b: 0.4 }, k: K },
      components: { index },
      queries,
      documentText: () => '',
      tracePath: join(tmpdir(), 'retrieval-gate-bench-trace.jsonl'),
      prices: { queryTokenPrice: 0, rerankTokenPrice: 0, rerankSearchUnitPrice: 0 },
    });
    const wall = performance.now() - start;
    const searching = result.latencies.search.reduce((a, b) => a + b, 0);
    figures.push((wall - searching) / QUERIES);
  }
  figures.sort((a, b) => a - b);
  console.log(
    `${QUERIES} queries × top-${K}, 0 ms index: harness overhead ${figures[1]?.toFixed(3)} ms/query median (${figures[0]?.toFixed(3)}–${figures[2]?.toFixed(3)}), trace included`,
  );
  console.log('  target: well under 1 ms per query');
}
