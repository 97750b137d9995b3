import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { seededRandom } from '../src/metrics/random.js';
import { ExactIndex } from '../src/retrieve/providers/indexes/exact.js';
import type { QueryInput } from '../src/retrieve/types.js';

/**
 * The exact (brute-force) index on 100,000 × 384 random vectors, 1,000 queries, top-100: seconds and
 * effective GFLOP/s (2·n·d·q / s, the multiply-adds of the matrix product). When Python has numpy, its
 * `queries @ corpus.T` + argpartition top-100 on the same shapes runs beside it, with its default BLAS
 * threads and with one; the ratio says how far the WebAssembly kernel is from BLAS (target: within 3×).
 * Also one query per call, as the runner searches with `batchSize: 1` (it sends EXACT_BATCH_SIZE by default).
 */
export const name = 'exact-search';

const DOCUMENTS = 100_000;
const DIMENSIONS = 384;
const QUERIES = 1_000;
const K = 100;
const SEED = 7;
const FLOPS = 2 * DOCUMENTS * DIMENSIONS * QUERIES;

export async function run(): Promise<void> {
  const random = seededRandom(SEED);
  const corpus = new Float32Array(DOCUMENTS * DIMENSIONS);
  for (let i = 0; i < corpus.length; i++) corpus[i] = random() * 2 - 1;
  const queries = new Float32Array(QUERIES * DIMENSIONS);
  for (let i = 0; i < queries.length; i++) queries[i] = random() * 2 - 1;
  const ids = Array.from({ length: DOCUMENTS }, (_, i) => `doc${i}`);

  const buildStart = performance.now();
  const indexes = {
    dot: new ExactIndex(ids, corpus, DIMENSIONS, 'dot'),
    cosine: new ExactIndex(ids, corpus, DIMENSIONS, 'cosine'),
    euclidean: new ExactIndex(ids, corpus, DIMENSIONS, 'euclidean'),
  };
  const buildSeconds = (performance.now() - buildStart) / 1000 / 3;
  console.log(
    `${DOCUMENTS.toLocaleString('en')} × ${DIMENSIONS} corpus, ${QUERIES.toLocaleString('en')} queries, top-${K}; build ${buildSeconds.toFixed(2)} s per index`,
  );

  let dotSeconds = 0;
  for (const [distance, index] of Object.entries(indexes)) {
    await index.searchVectors(queries.subarray(0, 60 * DIMENSIONS), K); // warm-up
    const seconds = await bestOf(2, () => index.searchVectors(queries, K));
    if (distance === 'dot') dotSeconds = seconds;
    console.log(
      `  ${distance.padEnd(9)} ${seconds.toFixed(2)} s, ${(FLOPS / seconds / 1e9).toFixed(1)} GFLOP/s effective (1 thread)`,
    );
  }

  const single: QueryInput[] = Array.from({ length: 20 }, (_, q) => ({
    id: `q${q}`,
    text: '',
    vector: queries.subarray(q * DIMENSIONS, (q + 1) * DIMENSIONS),
  }));
  await indexes.dot.search(single.slice(0, 2), K);
  const singleStart = performance.now();
  for (const query of single) await indexes.dot.search([query], K);
  const perQueryMs = (performance.now() - singleStart) / single.length;
  console.log(`  one query per call (batchSize: 1): ${perQueryMs.toFixed(1)} ms per query (dot)`);

  if (!hasNumpy()) {
    console.log('  numpy: not available (python3 -c "import numpy" failed), no comparison');
    return;
  }
  const threads = availableParallelism();
  for (const blasThreads of [undefined, 1]) {
    const seconds = numpySeconds(blasThreads);
    const label = blasThreads === undefined ? `default BLAS threads, ${threads} cores` : '1 BLAS thread';
    console.log(
      `  numpy (${label}): ${seconds.toFixed(2)} s, ${(FLOPS / seconds / 1e9).toFixed(1)} GFLOP/s; ours (dot) takes ${(dotSeconds / seconds).toFixed(2)}× its time`,
    );
  }
}

async function bestOf(times: number, work: () => Promise<unknown>): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await work();
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return best;
}

function hasNumpy(): boolean {
  const result = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
  return result.status === 0;
}

/** numpy's matrix product + argpartition top-k, best of 3 after a warm-up, in seconds. */
function numpySeconds(blasThreads: number | undefined): number {
  const script = `
import time, numpy as np
rng = np.random.default_rng(${SEED})
corpus = rng.uniform(-1, 1, (${DOCUMENTS}, ${DIMENSIONS})).astype(np.float32)
queries = rng.uniform(-1, 1, (${QUERIES}, ${DIMENSIONS})).astype(np.float32)
def search():
    scores = queries @ corpus.T
    return np.argpartition(-scores, ${K}, axis=1)[:, :${K}]
search()
best = float('inf')
for _ in range(3):
    start = time.perf_counter()
    search()
    best = min(best, time.perf_counter() - start)
print(best)
`;
  const env = { ...process.env };
  if (blasThreads !== undefined) {
    for (const variable of ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS']) {
      env[variable] = String(blasThreads);
    }
  }
  const result = spawnSync('python3', ['-c', script], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`numpy benchmark failed:\n${result.stderr}`);
  return Number(result.stdout.trim());
}
