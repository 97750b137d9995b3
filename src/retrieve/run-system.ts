import { closeSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { SystemConfig } from '../config/types.js';
import type { QueryResults, Run } from '../metrics/types.js';
import type { QueryLoopFigures } from '../results/summary.js';
import type { RankedHit, RerankedHit, TraceRecord } from '../results/trace.js';
import type { TracedHits } from '../results/trace-reader.js';
import { inOrder } from './transport/in-order.js';
import type { Candidate, Hit, Index, QueryInput, Reranker } from './types.js';

/** The built parts of one system, ready to serve queries. */
export interface SystemComponents {
  /** Embeds queries; absent for text-only indexes. */
  /** `names` label queries in messages (an empty or over-long query is refused by name). */
  embedQueries?: (texts: string[], names: string[]) => Promise<QueryVectors>;
  index: Index;
  reranker?: Reranker;
}

/**
 * Query vectors with what each query's embedding cost: the duration of the call that embedded it and how
 * many texts that call held (null for vectors served from the cache).
 */
export interface QueryVectors {
  vectors: Float32Array;
  perQuery: { latencyMs: number | null; batchSize: number | null; tokens: number }[];
  /** Wall time of each embedding call made (one entry per call, however many queries it held). */
  callMs: number[];
  calls: number;
  tokens: number;
  retries: number;
  /** Names of queries cut to the model's input limit. */
  truncated?: string[];
}

export interface SystemQuery {
  id: string;
  text: string;
}

export interface SystemRunResult extends QueryLoopFigures {
  run: Run;
  /** The first-stage run, when the system reranks (for lift). */
  firstStage?: Run;
  /** The index's exact answer to the checked queries (the ANN check), or why it could not be had. */
  exact?: ExactCheck;
  /** Each query's top hits as its trace line has them, when asked for (`topHits`). */
  tops?: TracedHits[];
}

/**
 * An approximate index's exact top k, run `<id>~exact`, with the exact search's per-query latencies
 * (amortised over its batches, as the approximate search's are); or the error.
 */
export type ExactCheck = { run: Run; searchMs: number[] } | { error: string };

export interface RunSystemOptions {
  system: SystemConfig;
  components: SystemComponents;
  queries: SystemQuery[];
  /** Text of each document, for the reranker. */
  documentText: (docid: string) => string;
  /** trace.jsonl is written line by line, so an interrupted run keeps what it did. */
  tracePath: string;
  /** Cost of one query's tokens and of a reranker call, in config price units. */
  prices: { queryTokenPrice: number; rerankTokenPrice: number; rerankSearchUnitPrice: number };
  /**
   * Ids of the queries whose exact top k the index is also asked for, when it has `searchExact`: after the
   * approximate searches, so the exact scans do not slow the latencies measured.
   */
  annCheck?: readonly string[];
  /**
   * Keep the first `topHits` hits of each stage of every query, with its total latency, as readTraceTops
   * reads them from the trace: a report made by the run then need not read the trace back.
   */
  topHits?: number;
  onProgress?: (done: number) => void;
}

/** Executes one system over every query: embed (batched), search, rerank; times each stage separately. */
export async function runSystem(options: RunSystemOptions): Promise<SystemRunResult> {
  const { system, components, queries, prices } = options;
  const started = performance.now();
  const vectors = components.embedQueries
    ? await components.embedQueries(
        queries.map((q) => q.text),
        queries.map((q) => `query ${q.id}`),
      )
    : undefined;
  const dimensions = vectors ? vectors.vectors.length / Math.max(1, queries.length) : 0;
  const run: Run = { runId: system.id, queries: new Map() };
  const firstStage: Run | undefined = components.reranker
    ? { runId: `${system.id}~first-stage`, queries: new Map() }
    : undefined;
  const latencies: SystemRunResult['latencies'] = { embed: [], search: [], rerank: [], total: [] };
  const tops: TracedHits[] | undefined = options.topHits === undefined ? undefined : [];
  const batchLatencies: SystemRunResult['batchLatencies'] = { embed: vectors?.callMs ?? [], search: [] };
  const batchSizes = new Set<number>();
  let rerankTokens = 0;
  let rerankSearchUnits = 0;
  const searchBatches = batchesOf(queries.length, components.index.batchSize ?? 1);
  const searchSizes = new Set<number>();
  const firstBatch = searchBatches[0];
  if (components.index.warmUp && firstBatch) {
    await components.index.warmUp(
      Array.from({ length: firstBatch.end - firstBatch.start }, (_, i) => inputOf(firstBatch.start + i)),
      system.k,
    );
  }
  const trace = openSync(options.tracePath, 'w');
  try {
    // Searches run ahead (up to the index's concurrency), results are consumed in query order, so the
    // trace and the runs are the same whatever the timing.
    for await (const searched of batched(components.index, searchBatches, (range) => searchRange(range))) {
      searchSizes.add(searched.range.end - searched.range.start);
      batchLatencies.search.push(searched.ms);
      // Answers that arrived meanwhile are read first, so their freed slots send the next requests before
      // this batch's bookkeeping (traces, runs) holds the thread.
      await new Promise(setImmediate);
      for (let q = searched.range.start; q < searched.range.end; q++) {
        const hits = searched.hits[q - searched.range.start] ?? [];
        await finishQuery(q, hits, searched.ms, searched.range.end - searched.range.start);
      }
    }
  } finally {
    closeSync(trace);
  }

  function queryVector(q: number): Float32Array | undefined {
    return vectors ? vectors.vectors.subarray(q * dimensions, (q + 1) * dimensions) : undefined;
  }

  function inputOf(q: number): QueryInput {
    const query = queries[q] as SystemQuery;
    const vector = queryVector(q);
    return { id: query.id, text: query.text, ...(vector ? { vector } : {}) };
  }

  async function searchRange(
    range: QueryRange,
    search = (inputs: QueryInput[]) => components.index.search(inputs, system.k),
    order = (i: number) => i,
  ): Promise<SearchedRange> {
    const inputs = [];
    for (let i = range.start; i < range.end; i++) inputs.push(inputOf(order(i)));
    const began = performance.now();
    const hits = await search(inputs);
    const ms = performance.now() - began;
    if (hits.length !== inputs.length) {
      throw new Error(
        `index '${system.index.alias}' returned ${hits.length} result lists for ${inputs.length} queries`,
      );
    }
    return { range, hits, ms };
  }

  async function finishQuery(q: number, hits: Hit[], searchBatchMs: number, searchBatchSize: number) {
    const query = queries[q] as SystemQuery;
    const embedded = vectors?.perQuery[q];
    const embedBatchMs = embedded?.latencyMs ?? null;
    const embedMs = embedBatchMs === null ? null : embedBatchMs / (embedded?.batchSize ?? 1);
    if (embedMs !== null) latencies.embed.push(embedMs);
    if (embedded?.batchSize != null) batchSizes.add(embedded.batchSize);
    const searchMs = searchBatchMs / searchBatchSize;
    latencies.search.push(searchMs);

    let rerankMs: number | null = null;
    let reranked: RerankedHit[] | undefined;
    let queryRerankTokens = 0;
    let queryRerankUnits = 0;
    if (components.reranker && system.reranker) {
      const candidates: Candidate[] = hits
        .slice(0, system.reranker.depth)
        .map((hit) => ({ ...hit, text: hit.text ?? options.documentText(hit.docid) }));
      const rerankStart = performance.now();
      const result = await components.reranker.rerank({ id: query.id, text: query.text }, candidates);
      rerankMs = performance.now() - rerankStart;
      latencies.rerank.push(rerankMs);
      if (result.scores.length !== candidates.length) {
        throw new Error(
          `reranker '${components.reranker.id}' returned ${result.scores.length} scores for ${candidates.length} candidates`,
        );
      }
      queryRerankTokens = result.tokens ?? 0;
      queryRerankUnits = result.searchUnits ?? 0;
      reranked = rerankedOrder(hits, result.scores);
      (firstStage as Run).queries.set(query.id, resultsOf(hits));
    }
    rerankTokens += queryRerankTokens;
    rerankSearchUnits += queryRerankUnits;
    // A reranked list mixes reranker scores (top depth) and first-stage scores (the rest): the run file
    // carries rank-derived scores so every evaluator ranks it exactly in this order.
    run.queries.set(query.id, reranked ? rankScored(reranked) : resultsOf(hits));

    const total = (embedMs ?? 0) + searchMs + (rerankMs ?? 0);
    latencies.total.push(total);
    const record: TraceRecord = {
      qid: query.id,
      text: query.text,
      system: system.id,
      model: system.model ? { alias: system.model.alias, version: system.model.version } : null,
      index: { alias: system.index.alias, resolved: components.index.resolved },
      reranker: system.reranker?.alias ?? null,
      firstStage: ranked(hits),
      ...(reranked ? { reranked } : {}),
      latencyMs: { embed: embedMs, search: searchMs, rerank: rerankMs, total },
      batchLatencyMs: { embed: embedBatchMs, search: searchBatchMs },
      embedBatchSize: embedded?.batchSize ?? null,
      searchBatchSize,
      tokens: { query: embedded?.tokens ?? 0, rerank: queryRerankTokens },
      cost: {
        query: (embedded?.tokens ?? 0) * prices.queryTokenPrice,
        rerank: queryRerankTokens * prices.rerankTokenPrice + queryRerankUnits * prices.rerankSearchUnitPrice,
      },
    };
    writeSync(trace, `${JSON.stringify(record)}\n`);
    if (tops) {
      const top = options.topHits;
      tops.push({
        qid: query.id,
        firstStage: record.firstStage.slice(0, top),
        ...(reranked ? { reranked: reranked.slice(0, top) } : {}),
        latencyMs: { total },
      });
    }
    options.onProgress?.(q + 1);
  }

  /** The exact top k of the checked queries, searched as the approximate ones were (batches, concurrency). */
  async function exactCheck(
    searchExact: NonNullable<Index['searchExact']>,
    ids: readonly string[],
  ): Promise<ExactCheck> {
    const positions = new Map(queries.map((query, q) => [query.id, q]));
    const checked = ids.flatMap((id) => positions.get(id) ?? []);
    const exact: Run = { runId: `${system.id}~exact`, queries: new Map() };
    const searchMs: number[] = [];
    try {
      const batches = batchesOf(checked.length, components.index.batchSize ?? 1);
      for await (const searched of batched(components.index, batches, (range) =>
        searchRange(
          range,
          (inputs) => searchExact(inputs, system.k),
          (i) => checked[i] as number,
        ),
      )) {
        searched.hits.forEach((hits, i) => {
          const q = checked[searched.range.start + i] as number;
          exact.queries.set((queries[q] as SystemQuery).id, resultsOf(hits));
          searchMs.push(searched.ms / searched.hits.length);
        });
      }
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
    return { run: exact, searchMs };
  }

  const wallMs = performance.now() - started;
  const searchExact = components.index.searchExact?.bind(components.index);
  const exact = searchExact && options.annCheck ? await exactCheck(searchExact, options.annCheck) : undefined;
  return {
    run,
    ...(firstStage ? { firstStage } : {}),
    ...(exact ? { exact } : {}),
    ...(tops ? { tops } : {}),
    latencies,
    batchLatencies,
    wallMs,
    embedding: {
      calls: vectors?.calls ?? 0,
      tokens: vectors?.tokens ?? 0,
      retries: vectors?.retries ?? 0,
      truncated: vectors?.truncated ?? [],
      batchSizes: [...batchSizes].sort((a, b) => a - b),
    },
    searchBatchSizes: [...searchSizes].sort((a, b) => a - b),
    rerankTokens,
    rerankSearchUnits,
    queries: queries.length,
  };
}

interface QueryRange {
  start: number;
  end: number;
}

interface SearchedRange {
  range: QueryRange;
  hits: Hit[][];
  /** Wall time of the search call, shared by every query of the batch. */
  ms: number;
}

/**
 * The index's answers to `ranges`, in order: searched ahead up to its concurrency, or, for an index on this
 * thread, each range only once the one before was consumed (see Index.inProcess).
 */
function batched(
  index: Index,
  ranges: readonly QueryRange[],
  search: (range: QueryRange) => Promise<SearchedRange>,
): AsyncIterable<SearchedRange> {
  return index.inProcess ? oneByOne(ranges, search) : inOrder(ranges, index.concurrency ?? 1, search);
}

async function* oneByOne<T, R>(items: readonly T[], work: (item: T) => Promise<R>): AsyncGenerator<R> {
  for (const item of items) yield await work(item);
}

function batchesOf(count: number, size: number): QueryRange[] {
  const ranges: QueryRange[] = [];
  for (let start = 0; start < count; start += size)
    ranges.push({ start, end: Math.min(count, start + size) });
  return ranges;
}

function ranked(hits: Hit[]): RankedHit[] {
  return hits.map((hit, i) => ({ docid: hit.docid, score: hit.score, rank: i + 1 }));
}

function resultsOf(hits: Hit[]): QueryResults {
  return { docids: hits.map((h) => h.docid), scores: hits.map((h) => h.score) };
}

/** The reranked top (by reranker score; ties keep first-stage order), then the first-stage tail. */
export function rerankedOrder(hits: Hit[], scores: number[]): RerankedHit[] {
  const head = scores
    .map((score, i) => ({ i, score }))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map(({ i, score }) => ({
      hit: hits[i] as Hit,
      rerankScore: score as number | null,
      firstStageRank: i + 1,
    }));
  const tail = hits
    .slice(scores.length)
    .map((hit, j) => ({ hit, rerankScore: null, firstStageRank: scores.length + j + 1 }));
  return [...head, ...tail].map(({ hit, rerankScore, firstStageRank }, r) => ({
    docid: hit.docid,
    score: hit.score,
    rank: r + 1,
    rerankScore,
    firstStageRank,
  }));
}

function rankScored(hits: RerankedHit[]): QueryResults {
  return { docids: hits.map((h) => h.docid), scores: hits.map((h) => hits.length - h.rank + 1) };
}
