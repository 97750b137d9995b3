import { performance } from 'node:perf_hooks';
import type { ModelConfig } from '../config/types.js';
import { embedAll } from '../retrieve/cache/vector-cache.js';
import { contentDigest } from '../retrieve/providers/sources/records.js';
import { inOrder } from '../retrieve/transport/in-order.js';
import type { CorpusDocument, Embedder, Progress } from '../retrieve/types.js';
import { modelStamp } from './compatibility.js';

/** A point to store: the document's vector and the digest of the text it was embedded from. */
export interface BuildPoint {
  docid: string;
  vector: Float32Array;
  contentSha256: string;
  /** modelStamp of the model that embedded it. */
  embeddedWith: string;
}

/** Where `index build` writes: a Qdrant collection, or only the embedding cache for the embedded index. */
export interface BuildTarget {
  /** For messages and the build record, e.g. "qdrant collection docs_te3-small_2024-01-25". */
  readonly description: string;
  /** Points per upsert request and requests in flight. */
  readonly batchSize: number;
  readonly parallel: number;
  /** Doc id → content digest of what is already stored (resuming skips unchanged documents). */
  existing(): Promise<Map<string, string>>;
  upsert(points: BuildPoint[]): Promise<void>;
  /** Waits until the index is ready to serve (Qdrant: status green) and records how it was built. */
  finish(record: IndexBuildRecord): Promise<void>;
}

export interface IndexBuildRecord {
  target: string;
  /** What the embedding cost is attributed to: a build, or a reindex (`index sync`). */
  purpose: 'index-build' | 'reindex';
  model: { alias: string; provider: string; model: string; version: string; dimensions: number };
  dataset: { name: string; version: string; digest: string };
  documents: number;
  /** Already stored with the same content: not embedded, not written. */
  unchanged: number;
  written: number;
  /** Of the written, how many vectors came from the embedding cache. */
  fromCache: number;
  embeddingCalls: number;
  retries: number;
  tokens: number;
  /** In the config's price units (pricePer1MTokens). */
  cost: number;
  truncated: string[];
  durationMs: number;
  builtAt: string;
}

export interface IndexBuildOptions {
  corpus: CorpusDocument[];
  embedder: Embedder;
  model: ModelConfig;
  dataset: IndexBuildRecord['dataset'];
  target: BuildTarget;
  cacheDir: string;
  progress?: Progress;
  /** Documents embedded per step: bounds memory (200k × 1536 floats would be 1.2 GB at once). */
  stepSize?: number;
  /** A reindex re-embeds every document given, stored digest or not (default: index-build, which skips them). */
  purpose?: IndexBuildRecord['purpose'];
  /**
   * False for one shard of a build (`index build --shard I/N`): its points are written, and readiness and the
   * index's build metadata are left to `index build --finish`, once every shard is in.
   */
  finish?: boolean;
}

const DEFAULT_STEP = 4096;

/**
 * Embeds the corpus with the model and writes it to the target: documents already stored with the same text
 * digest are skipped, vectors go through the embedding cache (an interrupted build resumes without paying
 * twice), points are upserted in batches with a few requests in flight, and the target is declared ready
 * only once it says so.
 */
export async function buildIndex(options: IndexBuildOptions): Promise<IndexBuildRecord> {
  const { corpus, embedder, model, target } = options;
  const began = performance.now();
  const purpose = options.purpose ?? 'index-build';
  const existing = purpose === 'reindex' ? new Map<string, string>() : await target.existing();
  const todo = corpus
    .map((doc) => ({ doc, digest: contentDigest(doc.text) }))
    .filter(({ doc, digest }) => existing.get(doc.id) !== digest);
  const record: IndexBuildRecord = {
    target: target.description,
    purpose,
    model: {
      alias: model.alias,
      provider: model.provider,
      model: model.model,
      version: model.version,
      dimensions: embedder.dimensions,
    },
    dataset: options.dataset,
    documents: corpus.length,
    unchanged: corpus.length - todo.length,
    written: 0,
    fromCache: 0,
    embeddingCalls: 0,
    retries: 0,
    tokens: 0,
    cost: 0,
    truncated: [],
    durationMs: 0,
    builtAt: '',
  };
  options.progress?.start(target.description, corpus.length);
  options.progress?.update(record.unchanged);
  const step = options.stepSize ?? DEFAULT_STEP;
  const embeddedWith = modelStamp(model.model, model.version);
  try {
    for (let first = 0; first < todo.length; first += step) {
      const slice = todo.slice(first, first + step);
      const embedded = await embedAll({
        embedder,
        texts: slice.map(({ doc }) => doc.text),
        names: slice.map(({ doc }) => `document ${doc.id}`),
        purpose,
        cacheDir: options.cacheDir,
      });
      record.fromCache += embedded.cachedCount;
      record.embeddingCalls += embedded.calls;
      record.retries += embedded.retries;
      record.tokens += embedded.tokens;
      record.truncated.push(...embedded.truncated);
      const dims = embedder.dimensions;
      const batches: BuildPoint[][] = [];
      for (let start = 0; start < slice.length; start += target.batchSize) {
        batches.push(
          slice.slice(start, start + target.batchSize).map(({ doc, digest }, j) => ({
            docid: doc.id,
            vector: embedded.vectors.subarray((start + j) * dims, (start + j + 1) * dims),
            contentSha256: digest,
            embeddedWith,
          })),
        );
      }
      for await (const written of inOrder(batches, target.parallel, async (points) => {
        await target.upsert(points);
        return points.length;
      })) {
        record.written += written;
        options.progress?.update(record.unchanged + record.written);
      }
    }
  } finally {
    options.progress?.stop();
  }
  record.cost = (record.tokens * model.pricePer1MTokens) / 1e6;
  record.builtAt = new Date().toISOString();
  record.durationMs = performance.now() - began;
  if (options.finish === false) return record;
  await target.finish(record);
  record.durationMs = performance.now() - began;
  return record;
}
