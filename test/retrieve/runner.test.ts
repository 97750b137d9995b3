import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuildComponents, type BuiltSystem, runConfig } from '../../src/app/run.js';
import type { RunConfig, SystemConfig } from '../../src/config/types.js';
import { pairedBootstrap } from '../../src/metrics/paired.js';
import { percentile } from '../../src/metrics/percentile.js';
import { seededRandom } from '../../src/metrics/random.js';
import type { TraceRecord } from '../../src/results/trace.js';
import { summarizeLatency } from '../../src/retrieve/latency.js';
import { BM25_BATCH_SIZE, BM25_DEFAULTS, Bm25Index } from '../../src/retrieve/providers/indexes/bm25.js';
import { EXACT_BATCH_SIZE, ExactIndex } from '../../src/retrieve/providers/indexes/exact.js';
import { rerankedOrder, runSystem } from '../../src/retrieve/run-system.js';
import type { Hit, Index, Reranker } from '../../src/retrieve/types.js';
import { importMiniDataset } from '../helpers/fixtures.js';
import { precomputedVectors } from '../helpers/precomputed-vectors.js';
import { tempDir } from '../helpers/tmp.js';

/** Fixed rankings per query for the mini dataset (q1: d1, d2 relevant; q2: d3; q3: d6). */
const RANKINGS: Record<string, string[]> = {
  q1: ['d5', 'd4', 'd1', 'd2'],
  q2: ['d4', 'd3'],
  q3: ['d6', 'd1'],
};

function fixedIndex(): Index {
  return {
    resolved: 'fixed:test',
    needsVectors: false,
    async search(queries, k) {
      return queries.map((q) =>
        (RANKINGS[q.id] ?? []).slice(0, k).map((docid, i): Hit => ({ docid, score: 10 - i })),
      );
    },
  };
}

/** Puts relevant documents first: a perfect reranker for this dataset. */
const RELEVANT = new Set(['q1/d1', 'q1/d2', 'q2/d3', 'q3/d6']);
function oracleReranker(): Reranker {
  return {
    id: 'oracle',
    async rerank(query, candidates) {
      return { scores: candidates.map((c) => (RELEVANT.has(`${query.id}/${c.docid}`) ? 1 : 0)) };
    },
  };
}

const build =
  (failing: string): BuildComponents =>
  async (system): Promise<BuiltSystem> => {
    if (system.id === failing) throw new Error('connection refused by the index');
    return {
      index: fixedIndex(),
      ...(system.reranker ? { reranker: oracleReranker() } : {}),
      indexBuild: { embeddingCalls: 0, tokens: 0 },
      close: async () => {},
    };
  };

let datasetDir: string;
let configFile: string;
beforeAll(() => {
  const root = tempDir();
  datasetDir = join(root, 'mini');
  expect(importMiniDataset(datasetDir).status).toBe(0);
  configFile = join(root, 'retrieval-gate.yaml');
  writeFileSync(configFile, '# written by the test\n');
});

function config(systems: SystemConfig[]): RunConfig {
  return {
    file: configFile,
    dir: tempDir(),
    dataset: datasetDir,
    measures: ['RR', 'P@1', 'NumRet'],
    cacheDir: tempDir(),
    models: [],
    indexes: [],
    sources: [],
    systems,
  };
}

const index = { alias: 'fixed', kind: 'bm25', k1: 0.9, b: 0.4 } as const;
const reranker = { alias: 'oracle', kind: 'lexical', depth: 2, k1: 0.9, b: 0.4 } as const;

describe('runConfig', () => {
  it('isolates a failed system: recorded with its error, the others measured, nothing invented', async () => {
    const reports = tempDir();
    const outcome = await runConfig({
      config: config([
        { id: 'broken', index, k: 10 },
        { id: 'plain', index, k: 10 },
      ]),
      reportsDir: reports,
      runId: 'r1',
      build: build('broken'),
    });
    const [broken, plain] = outcome.summary.systems;
    expect(broken).toMatchObject({
      id: 'broken',
      status: 'failed',
      error: 'connection refused by the index',
    });
    expect(broken?.measures).toBeUndefined();
    expect(plain?.status).toBe('ok');
    // q1: first relevant at rank 3; q2: rank 2; q3: rank 1.
    expect(plain?.measures?.RR?.value).toBeCloseTo((1 / 3 + 1 / 2 + 1) / 3, 12);
    expect(outcome.evaluation.runs.map((r) => r.name)).toEqual(['plain']);
    expect(JSON.parse(readFileSync(join(reports, 'r1', 'summary.json'), 'utf8')).systems[0].status).toBe(
      'failed',
    );
  });

  it('writes runs, traces and evaluations under reports/<run-id>/', async () => {
    const reports = tempDir();
    await runConfig({
      config: config([{ id: 'plain', index, k: 10 }]),
      reportsDir: reports,
      runId: 'r2',
      build: build(''),
    });
    const dir = join(reports, 'r2');
    for (const file of [
      'config.yaml',
      'summary.json',
      'evaluation.json',
      'systems/plain/run.trec',
      'systems/plain/run.jsonl',
    ]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    expect(readFileSync(join(dir, 'systems/plain/run.trec'), 'utf8').split('\n')[0]).toBe(
      'q1 Q0 d5 1 10 plain',
    );
    const traces = readFileSync(join(dir, 'systems/plain/trace.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TraceRecord);
    expect(traces.map((t) => t.qid)).toEqual(['q1', 'q2', 'q3']);
    expect(traces[0]).toMatchObject({
      system: 'plain',
      index: { alias: 'fixed', resolved: 'fixed:test' },
      reranker: null,
    });
    expect(traces[0]?.firstStage[2]).toEqual({ docid: 'd1', score: 8, rank: 3 });
    expect(traces[0]?.latencyMs.search).toBeGreaterThanOrEqual(0);
    expect(traces[0]?.latencyMs.embed).toBeNull();
  });

  it('evaluates the first stage and the reranked run and reports the lift with its ceiling', async () => {
    const outcome = await runConfig({
      config: config([{ id: 'plain+oracle', index, reranker, k: 10 }]),
      reportsDir: tempDir(),
      runId: 'r3',
      build: build(''),
    });
    const system = outcome.summary.systems[0];
    // Depth 2: the oracle can lift q2 (d3 at rank 2 → 1) but cannot reach d1/d2 of q1 at ranks 3-4.
    expect(system?.firstStage?.['P@1']?.value).toBeCloseTo(1 / 3, 12);
    expect(system?.measures?.['P@1']?.value).toBeCloseTo(2 / 3, 12);
    expect(system?.lift?.measures['P@1']?.mean).toBeCloseTo(1 / 3, 12);
    expect(system?.lift?.measures.NumRet).toBeUndefined(); // counts have no lift
    // Ceiling: first-stage recall at depth 2 = (0/2 + 1/1 + 1/1) / 3.
    expect(system?.lift?.ceiling).toEqual({ measure: 'R@2', value: 2 / 3 });
    expect(outcome.evaluation.runs.map((r) => r.name)).toEqual(['plain+oracle', 'plain+oracle~first-stage']);
  });
});

describe('batched search', () => {
  it('sends batches of the index batch size, at most its concurrency in flight, and keeps query order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const sizes: number[] = [];
    const batched: BuildComponents = async (system, context) => {
      const plain = fixedIndex();
      return {
        ...(await build('')(system, context)),
        index: {
          ...plain,
          batchSize: 2,
          concurrency: 2,
          retries: () => 3,
          async search(queries, k) {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            sizes.push(queries.length);
            // The first batch answers last: results must still come out in query order.
            await new Promise((resolve) => setTimeout(resolve, queries[0]?.id === 'q1' ? 30 : 1));
            inFlight--;
            return plain.search(queries, k);
          },
        },
      };
    };
    const reports = tempDir();
    const outcome = await runConfig({
      config: config([{ id: 'batched', index, k: 10 }]),
      reportsDir: reports,
      runId: 'b1',
      build: batched,
    });
    expect(sizes).toEqual([2, 1]);
    expect(maxInFlight).toBe(2);
    const system = outcome.summary.systems[0];
    expect(system?.measures?.RR?.value).toBeCloseTo((1 / 3 + 1 / 2 + 1) / 3, 12);
    expect(system?.batchSizes?.search).toEqual([1, 2]);
    expect(system?.retries).toEqual({ embed: 0, search: 3, rerank: 0 });
    const traces = readFileSync(join(reports, 'b1', 'systems/batched/trace.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TraceRecord);
    expect(traces.map((t) => [t.qid, t.searchBatchSize])).toEqual([
      ['q1', 2],
      ['q2', 2],
      ['q3', 1],
    ]);
    // Each query carries its share of its batch's time; the batch's own time stands beside it.
    for (const trace of traces) {
      const batchMs = trace.batchLatencyMs?.search as number;
      expect(batchMs).toBeGreaterThan(0);
      expect(trace.latencyMs.search).toBeCloseTo(batchMs / (trace.searchBatchSize as number), 9);
    }
    expect(traces[0]?.batchLatencyMs?.search).toBe(traces[1]?.batchLatencyMs?.search);
    expect(system?.latencyMs?.search?.count).toBe(3);
    expect(system?.batchLatencyMs?.search?.count).toBe(2);
    expect(system?.batchLatencyMs?.search?.max).toBeGreaterThanOrEqual(system?.latencyMs?.search?.max ?? 0);
    expect(outcome.summary.schemaVersion).toBe(2);
  });

  it('reports embedding per call and per query: a call of 3 queries taking 30 ms is 10 ms per query', async () => {
    const embedding: BuildComponents = async (system, context) => ({
      ...(await build('')(system, context)),
      embedQueries: async (texts) => ({
        vectors: new Float32Array(texts.length),
        perQuery: texts.map(() => ({ latencyMs: 30, batchSize: 3, tokens: 2 })),
        callMs: [30],
        calls: 1,
        tokens: 6,
        retries: 0,
      }),
    });
    const reports = tempDir();
    const outcome = await runConfig({
      config: config([{ id: 'embedded', index, k: 10 }]),
      reportsDir: reports,
      runId: 'e1',
      build: embedding,
    });
    const system = outcome.summary.systems[0];
    expect(system?.latencyMs?.embed).toEqual({ count: 3, p50: 10, p95: 10, p99: 10, mean: 10, max: 10 });
    expect(system?.batchLatencyMs?.embed).toEqual({ count: 1, p50: 30, p95: 30, p99: 30, mean: 30, max: 30 });
    const traces = readFileSync(join(reports, 'e1', 'systems/embedded/trace.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TraceRecord);
    for (const trace of traces) {
      expect(trace.latencyMs.embed).toBe(10);
      expect(trace.batchLatencyMs?.embed).toBe(30);
      expect(trace.embedBatchSize).toBe(3);
      expect(trace.latencyMs.total).toBeCloseTo(10 + (trace.latencyMs.search as number), 9);
    }
  });

  it('fails the system when a batch fails, and reports nothing of it as measured', async () => {
    const failing: BuildComponents = async (system, context) => ({
      ...(await build('')(system, context)),
      index: {
        ...fixedIndex(),
        batchSize: 1,
        concurrency: 3,
        async search(queries, k) {
          if (queries[0]?.id === 'q2') throw new Error('index went away');
          return fixedIndex().search(queries, k);
        },
      },
    });
    const outcome = await runConfig({
      config: config([{ id: 'flaky', index, k: 10 }]),
      reportsDir: tempDir(),
      runId: 'b2',
      build: failing,
    });
    expect(outcome.summary.systems[0]).toMatchObject({ status: 'failed', error: 'index went away' });
    expect(outcome.summary.systems[0]?.measures).toBeUndefined();
  });
});

describe('in-process indexes through the runner', () => {
  const random = seededRandom(3);
  const DIMENSIONS = 8;
  const ids = Array.from({ length: 300 }, (_, i) => `d${i}`);
  const corpus = Float32Array.from({ length: ids.length * DIMENSIONS }, () => random() * 2 - 1);
  const queries = Array.from({ length: 130 }, (_, i) => ({ id: `q${i}`, text: `w${i % 7} w${i % 11}` }));
  const queryVectors = Float32Array.from({ length: queries.length * DIMENSIONS }, () => random() * 2 - 1);
  const documents = ids.map((id, i) => ({ id, text: `w${i % 7} w${i % 13} w${i % 5}` }));

  async function searched(index: Index, vectors: boolean) {
    return runSystem({
      system: { id: 's', index: { alias: 'i', kind: 'bm25', k1: 0.9, b: 0.4 }, k: 10 },
      components: {
        index,
        ...(vectors
          ? {
              embedQueries: precomputedVectors(queryVectors, queries.length),
            }
          : {}),
      },
      queries,
      documentText: () => '',
      tracePath: join(tempDir(), 'trace.jsonl'),
      prices: { queryTokenPrice: 0, rerankTokenPrice: 0, rerankSearchUnitPrice: 0 },
    });
  }

  it('searches the exact index in batches of its batch size, with the same run as one query per call', async () => {
    const batched = await searched(
      new ExactIndex(ids, corpus, DIMENSIONS, 'cosine', 'e', { batchSize: 60 }),
      true,
    );
    const single = await searched(
      new ExactIndex(ids, corpus, DIMENSIONS, 'cosine', 'e', { batchSize: 1 }),
      true,
    );
    expect(batched.searchBatchSizes).toEqual([10, 60]);
    expect(batched.batchLatencies.search).toHaveLength(3);
    expect(single.searchBatchSizes).toEqual([1]);
    expect(batched.run.queries).toEqual(single.run.queries);
    expect(new ExactIndex(ids, corpus, DIMENSIONS).batchSize).toBe(EXACT_BATCH_SIZE);
  });

  it('sends an in-process index its next batch only after the last one is recorded; a remote one ahead', async () => {
    const startedAfter = async (inProcess: boolean) => {
      let recorded = 0;
      const starts: number[] = [];
      const index: Index = {
        resolved: 'r',
        needsVectors: false,
        batchSize: 10,
        concurrency: 2,
        inProcess,
        async search(inputs) {
          starts.push(recorded);
          await new Promise(setImmediate);
          return inputs.map(() => []);
        },
      };
      await runSystem({
        system: { id: 's', index: { alias: 'i', kind: 'bm25', k1: 0.9, b: 0.4 }, k: 10 },
        components: { index },
        queries: queries.slice(0, 30),
        documentText: () => '',
        tracePath: join(tempDir(), 'trace.jsonl'),
        prices: { queryTokenPrice: 0, rerankTokenPrice: 0, rerankSearchUnitPrice: 0 },
        onProgress: (done) => {
          recorded = done;
        },
      });
      return starts;
    };
    // Its calls' time is then the search's alone, not the recording of the batch before.
    expect(await startedAfter(true)).toEqual([0, 10, 20]);
    expect((await startedAfter(false)).slice(0, 2)).toEqual([0, 0]);
    expect(new Bm25Index(documents).inProcess).toBe(true);
    expect(new ExactIndex(ids, corpus, DIMENSIONS).inProcess).toBe(true);
  });

  it('searches BM25 in batches of its batch size, with the same run as one query per call', async () => {
    const batched = await searched(new Bm25Index(documents), false);
    const single = await searched(new Bm25Index(documents, BM25_DEFAULTS, 1), false);
    expect(batched.searchBatchSizes).toEqual([2, BM25_BATCH_SIZE]);
    expect(batched.batchLatencies.search).toHaveLength(3);
    expect(batched.run.queries).toEqual(single.run.queries);
    expect(() => new Bm25Index(documents, BM25_DEFAULTS, 0)).toThrow(RangeError);
  });
});

describe('document text for rerankers', () => {
  it('takes the text an index returns with a hit (a payload field) over the corpus', async () => {
    const seen: string[] = [];
    const withText: BuildComponents = async (system, context) => ({
      ...(await build('')(system, context)),
      index: {
        ...fixedIndex(),
        async search(queries, k) {
          const lists = await fixedIndex().search(queries, k);
          return lists.map((hits) => hits.map((hit) => ({ ...hit, text: `payload of ${hit.docid}` })));
        },
      },
      reranker: {
        id: 'recorder',
        async rerank(_query, candidates) {
          seen.push(...candidates.map((c) => c.text));
          return { scores: candidates.map(() => 0) };
        },
      },
    });
    await runConfig({
      config: config([{ id: 'texts', index, reranker, k: 10 }]),
      reportsDir: tempDir(),
      runId: 't1',
      build: withText,
    });
    expect(seen.slice(0, 2)).toEqual(['payload of d5', 'payload of d4']);
  });
});

describe('rerank cost', () => {
  it('prices an http reranker by the search units and tokens it reports', async () => {
    const http = {
      alias: 'cohere',
      kind: 'http',
      api: 'cohere',
      model: 'rerank-v3.5',
      depth: 2,
      pricePerSearchUnit: 0.002,
      pricePer1kTokens: 0.5,
    } as const;
    const billed: BuildComponents = async (system, context) => ({
      ...(await build('')(system, context)),
      reranker: {
        id: 'billed',
        async rerank(_query, candidates) {
          return { scores: candidates.map(() => 0), searchUnits: 1, tokens: 100 };
        },
      },
    });
    const outcome = await runConfig({
      config: config([{ id: 'plain+cohere', index, reranker: http, k: 10 }]),
      reportsDir: tempDir(),
      runId: 'r4',
      build: billed,
    });
    const system = outcome.summary.systems[0];
    expect(system?.tokens?.rerank).toBe(300);
    // 3 queries × (1 unit × 0.002 + 100 tokens × 0.5 / 1000).
    expect(system?.cost?.rerank).toBeCloseTo(3 * (0.002 + 0.05), 12);
  });
});

describe('reranked order', () => {
  it('reorders the top depth by reranker score (ties keep first-stage order) and keeps the tail', () => {
    const hits = ['a', 'b', 'c', 'd'].map((docid, i) => ({ docid, score: 4 - i }));
    expect(
      rerankedOrder(hits, [0.1, 0.9, 0.1]).map((h) => [h.docid, h.rerankScore, h.firstStageRank]),
    ).toEqual([
      ['b', 0.9, 2],
      ['a', 0.1, 1],
      ['c', 0.1, 3],
      ['d', null, 4],
    ]);
  });
});

describe('statistics of lift and latency', () => {
  const options = { samples: 2000, confidence: 0.95, seed: 1 };

  it('a constant per-query difference has a zero-width interval at that value', () => {
    const lift = pairedBootstrap([0.7, 0.5, 0.9], [0.5, 0.3, 0.7], options);
    expect(lift.mean).toBeCloseTo(0.2, 12);
    expect(lift.ci.low).toBeCloseTo(0.2, 12);
    expect(lift.ci.high).toBeCloseTo(0.2, 12);
  });

  it('a hand-computed case: differences [1, 0, 0, 1] have mean 0.5 and an interval inside [0, 1] around it', () => {
    const lift = pairedBootstrap([1, 0, 1, 1], [0, 0, 1, 0], options);
    expect(lift.mean).toBe(0.5);
    expect(lift.ci.low).toBeGreaterThanOrEqual(0);
    expect(lift.ci.low).toBeLessThan(0.5);
    expect(lift.ci.high).toBeGreaterThan(0.5);
    expect(lift.ci.high).toBeLessThanOrEqual(1);
    expect(pairedBootstrap([1, 0, 1, 1], [0, 0, 1, 0], options)).toEqual(lift); // seeded
  });

  it('latency percentiles are nearest-rank over the measured queries', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarizeLatency(values)).toMatchObject({
      count: 100,
      p50: 50,
      p95: 95,
      p99: 99,
      max: 100,
      mean: 50.5,
    });
    expect(percentile(Float64Array.from([3]), 99)).toBe(3);
    expect(summarizeLatency([])).toBeUndefined();
  });
});
