import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createComponentFactory } from '../src/app/components.js';
import { writeReport } from '../src/app/report.js';
import { runConfig } from '../src/app/run.js';
import { loadConfig } from '../src/config/load.js';
import { loadDataset } from '../src/dataset/native.js';
import type { DocumentRecord, QueryRecord } from '../src/dataset/types.js';
import { writeDataset } from '../src/dataset/write.js';
import { seededRandom } from '../src/metrics/random.js';
import type { Qrels } from '../src/metrics/types.js';
import type { SystemSummary } from '../src/results/summary.js';
import type { TraceRecord } from '../src/results/trace.js';
import { embedAll } from '../src/retrieve/cache/vector-cache.js';
import { HashingEmbedder } from '../src/retrieve/providers/embedders/hashing.js';
import { ExactIndex } from '../src/retrieve/providers/indexes/exact.js';
import { zipfSampler } from './bm25.js';

/**
 * A whole `run` at the size of a large evaluation: 50,000 synthetic documents (~60 Zipf words each) and
 * 2,000 queries (5 words of one document, which is the query's relevant one), three systems: bm25,
 * hash-512@exact and hash-512@exact+lexical (top 50 reranked). Prints the wall time of `run` and `report`
 * and each stage's share: index builds, query embedding, search, rerank, and what follows retrieval
 * (evaluation, run files, summary, report; the report made as `run` makes it, from the dataset, runs and
 * top hits the run already holds). Then the exact index's own batched search of the same query vectors, the
 * floor for the run's exact searches. Targets: exact search in the run at most 1.2× that floor; the
 * post-retrieval part under 10 % of the run (see the README's row for the figures and where the time goes).
 */
export const name = 'run-e2e';

const DOCUMENTS = 50_000;
const QUERIES = 2_000;
const VOCABULARY = 30_000;
const K = 100;
const SEED = 11;

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'retrieval-gate-bench-e2e-'));
  try {
    writeSyntheticDataset(join(dir, 'dataset'));
    const configFile = join(dir, 'retrieval-gate.yaml');
    writeFileSync(configFile, CONFIG);
    const config = loadConfig(configFile);

    // Read apart, to take dataset loading out of the post-retrieval remainder.
    let start = performance.now();
    loadDataset(join(dir, 'dataset'));
    const loadMs = performance.now() - start;

    const components = createComponentFactory();
    const cpuBefore = process.cpuUsage();
    let buildMs = 0;
    start = performance.now();
    const outcome = await runConfig({
      config,
      reportsDir: join(dir, 'reports'),
      runId: 'bench',
      build: async (system, context) => {
        const began = performance.now();
        const built = await components(system, context);
        buildMs += performance.now() - began;
        return built;
      },
    });
    const runMs = performance.now() - start;
    start = performance.now();
    // As `run` makes it: from the dataset, runs and top hits the run already holds.
    await writeReport({ resultsDir: outcome.dir, loadedDataset: outcome.dataset, held: outcome.held });
    const reportMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuBefore);

    const stages = { embed: 0, search: 0, rerank: 0 };
    let loopMs = 0;
    let exactSearchMs = 0;
    for (const system of outcome.summary.systems) {
      if (system.status !== 'ok') throw new Error(`system ${system.id} failed: ${system.error}`);
      const sums = traceSums(join(outcome.dir, system.files?.trace as string));
      stages.embed += sums.embed;
      stages.search += sums.search;
      stages.rerank += sums.rerank;
      loopMs += loopWallMs(system);
      if (system.id === 'hash-512@exact') exactSearchMs = sums.search;
    }
    const totalMs = runMs + reportMs;
    const evaluationMs = runMs - loadMs - buildMs - loopMs;
    const postMs = evaluationMs + reportMs;
    const share = (ms: number) => `${(ms / 1000).toFixed(2)} s (${((100 * ms) / totalMs).toFixed(1)} %)`;
    console.log(
      `${DOCUMENTS.toLocaleString('en')} documents × ${QUERIES.toLocaleString('en')} queries, bm25 + hash-512@exact + hash-512@exact+lexical, top-${K}`,
    );
    console.log(
      `  run ${(runMs / 1000).toFixed(2)} s + report ${(reportMs / 1000).toFixed(2)} s = ${(totalMs / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU (shares below are of the wall time)`,
    );
    console.log(`  dataset load      ${share(loadMs)}`);
    console.log(`  index builds      ${share(buildMs)} (corpus embedding, exact and bm25 indexes)`);
    console.log(`  query embedding   ${share(stages.embed)}`);
    console.log(`  search            ${share(stages.search)} (all three systems)`);
    console.log(`  rerank            ${share(stages.rerank)}`);
    console.log(`  runner, traces    ${share(loopMs - stages.embed - stages.search - stages.rerank)}`);
    console.log(
      `  post-retrieval    ${share(postMs)} (target < 10 %): evaluation, run files, summary ${share(evaluationMs)}; report ${share(reportMs)}`,
    );

    const floorMs = await batchedExactMs(outcome.dataset.queries, outcome.dataset.corpus, join(dir, 'cache'));
    console.log(
      `  hash-512@exact search ${(exactSearchMs / 1000).toFixed(2)} s in the run; the index's batched search of the same queries ${(floorMs / 1000).toFixed(2)} s: ${(exactSearchMs / floorMs).toFixed(2)}× (target ≤ 1.2×)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CONFIG = `dataset: ./dataset
measures: [nDCG@10, R@100, RR]
cacheDir: ./cache
models:
  hash-512: { provider: hashing, dimensions: 512 }
indexes:
  exact: { kind: embedded, distance: cosine }
  bm25: { kind: bm25, k1: 0.9, b: 0.4 }
rerankers:
  lexical: { kind: lexical, depth: 50 }
systems:
  - { id: bm25, index: bm25, k: ${K} }
  - { id: hash-512@exact, model: hash-512, index: exact, k: ${K} }
  - { id: hash-512@exact+lexical, model: hash-512, index: exact, reranker: lexical, k: ${K} }
`;

function writeSyntheticDataset(dir: string): void {
  const random = seededRandom(SEED);
  const word = zipfSampler(random, VOCABULARY);
  const corpus = new Map<string, DocumentRecord>();
  const words: string[][] = [];
  for (let d = 0; d < DOCUMENTS; d++) {
    const text = Array.from({ length: 30 + Math.floor(random() * 61) }, word);
    words.push(text);
    const id = `d${String(d).padStart(6, '0')}`;
    corpus.set(id, { id, text: text.join(' ') });
  }
  const queries = new Map<string, QueryRecord>();
  const qrels: Qrels = new Map();
  for (let q = 0; q < QUERIES; q++) {
    const d = Math.floor(random() * DOCUMENTS);
    const source = words[d] as string[];
    const text = Array.from({ length: 5 }, () => source[Math.floor(random() * source.length)] as string);
    const id = `q${String(q).padStart(5, '0')}`;
    queries.set(id, { id, text: text.join(' ') });
    qrels.set(id, new Map([[`d${String(d).padStart(6, '0')}`, 1]]));
  }
  writeDataset(
    dir,
    { queries, corpus, qrels },
    { name: 'synthetic-e2e', version: '1.0.0', description: 'bench', source: 'bench', licence: 'CC0-1.0' },
  );
}

/** Stage time a system's trace records: each query carries its share of its call, so the shares add up. */
function traceSums(path: string): { embed: number; search: number; rerank: number } {
  const sums = { embed: 0, search: 0, rerank: 0 };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const record = JSON.parse(line) as TraceRecord;
    sums.embed += record.latencyMs.embed ?? 0;
    sums.search += record.latencyMs.search ?? 0;
    sums.rerank += record.latencyMs.rerank ?? 0;
  }
  return sums;
}

/** The wall time of a system's query loop, from its queries per second. */
function loopWallMs(system: SystemSummary): number {
  return system.queriesPerSecond ? (QUERIES * 1000) / system.queriesPerSecond : 0;
}

/** The exact index's batched search of every query at once, from the run's cached vectors; best of 3. */
async function batchedExactMs(
  queries: Map<string, QueryRecord>,
  corpus: Map<string, DocumentRecord> | undefined,
  cacheDir: string,
): Promise<number> {
  const embedder = new HashingEmbedder({ dimensions: 512 });
  const docs = [...(corpus ?? new Map()).values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const docVectors = await embedAll({
    embedder,
    texts: docs.map((doc) => doc.text),
    purpose: 'index-build',
    cacheDir,
  });
  const index = new ExactIndex(
    docs.map((doc) => doc.id),
    docVectors.vectors,
    512,
  );
  const texts = [...queries.keys()].sort().map((id) => queries.get(id)?.text ?? '');
  const queryVectors = await embedAll({ embedder, texts, purpose: 'query', cacheDir });
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    await index.searchVectors(queryVectors.vectors, K);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}
