/**
 * The embedding cache: one entry per (embedder, text), shared by every caller. A query whose text was
 * embedded as a document, by this run or any earlier one, costs nothing; a run stopped by Ctrl-C, a crash or
 * kill -9 keeps every batch that finished and the next run embeds only the rest.
 *
 * Key: the namespace (the embedder's id, version and dimensions: `<cacheDir>/embeddings/<id>-<digest>/`)
 * and the sha256 of the text as given. The purpose is not part of the key: the Embedder interface has no
 * way to say that queries and documents embed differently, so an embedder whose vectors differ by purpose
 * (or by its truncation policy) must say so in its id or version. This replaces the chunk cache keyed by
 * the whole list of texts (`<cacheDir>/vectors/`, no longer read): that one served nothing once a single
 * text changed, and queries never met documents.
 *
 * Storage (cache/record.ts, cache/store.ts): append-only segment files, one per writing process, so
 * concurrent writers never interleave and need no lock; each batch is fsynced as it is appended. Choices
 * beyond the first design, and why:
 * - Records have a fixed size per namespace, so record i sits at i × size: a damaged header costs that one
 *   record, not the rest of its segment, and a partial record can only be a tail.
 * - A flag in each record says the text was truncated before embedding, so `truncated` also names texts
 *   whose vectors come from the cache.
 * - A text with several copies (two writers raced, or a damaged record was embedded again) keeps them all
 *   in the map: when one fails its checksum the next is tried, instead of paying for the text again.
 * - Each process keeps one open store per namespace and rescans only what others appended since, so calling
 *   embedAll once per batch of queries does not rescan 200k headers each time.
 * - `cache prune` (cache/maintenance.ts) compacts only segments whose process is gone, copy first and
 *   delete after; a reader whose segment vanished rescans and finds the record in its replacement.
 */
// A namespace import: a named import of `hash` would fail to link on Node < 20.12.
import * as crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Embedder, EmbeddingPurpose } from '../types.js';
import { type NamespaceIdentity, namespaceDir, touchNamespace } from './namespace.js';
import { EmbeddingStore } from './store.js';

export interface EmbedAllOptions {
  embedder: Embedder;
  texts: readonly string[];
  /** Labels for messages and `truncated`, e.g. "document d7"; default "text #i". */
  names?: readonly string[];
  purpose: EmbeddingPurpose;
  /** Root of the on-disk cache; vectors go under `<cacheDir>/embeddings/`. */
  cacheDir: string;
  /** Called after the cache is read and after each batch embedded: texts done (cached included), of total. */
  onProgress?: (done: number, total: number) => void;
}

/** What embedding one text cost in this call: nothing, for a vector read from the cache. */
export interface TextCost {
  /** Duration of the call that embedded it, or null when cached. */
  latencyMs: number | null;
  /** Texts in that call, or null when cached. */
  batchSize: number | null;
  /**
   * Its share of that call's tokens (the call's tokens split by text length); 0 when cached, and 0 for a
   * repeat of a text earlier in the same input (the first one bears the cost).
   */
  tokens: number;
}

export interface EmbedAllResult {
  /** Row-major, texts × embedder.dimensions, in the order of `texts`. */
  vectors: Float32Array;
  /** Distinct texts sent to the embedder (a text repeated in the input is embedded once). */
  embeddedCount: number;
  /** Texts served from the cache. */
  cachedCount: number;
  /** Embedding calls made (0 when everything came from the cache). */
  calls: number;
  tokens: number;
  /** Retries the calls needed. */
  retries: number;
  /** Wall time of each embedding call, in the order they finished (empty when everything was cached). */
  callMs: number[];
  /** Names of the texts whose vector was embedded from a truncated text (in this call or when cached). */
  truncated: string[];
  perText: TextCost[];
  /** The namespace folder. */
  dir: string;
}

/** One store per namespace and process, so that repeated calls rescan only what other processes added. */
const stores = new Map<string, EmbeddingStore>();

/**
 * Embeds texts through the cache: hashes them, serves what the cache holds, and sends the rest — each
 * distinct text once — through `embedder.prepare`, in the embedder's batches, with up to its `concurrency`
 * calls in flight. Each batch is written to the cache (and fsynced) as soon as it is back.
 */
export async function embedAll(options: EmbedAllOptions): Promise<EmbedAllResult> {
  const { embedder, texts, onProgress } = options;
  const dimensions = embedder.dimensions;
  const total = texts.length;
  const nameOf = (i: number) => options.names?.[i] ?? `text #${i}`;
  const vectors = new Float32Array(total * dimensions);
  const perText: TextCost[] = Array.from({ length: total }, () => ({
    latencyMs: null,
    batchSize: null,
    tokens: 0,
  }));
  const identity = { id: embedder.id, version: embedder.version, dimensions };
  const result: EmbedAllResult = {
    vectors,
    embeddedCount: 0,
    cachedCount: 0,
    calls: 0,
    tokens: 0,
    retries: 0,
    callMs: [],
    truncated: [],
    perText,
    dir: namespaceDir(options.cacheDir, identity),
  };
  if (total === 0) return result;

  // Distinct texts, each with the input positions that carry it.
  const keys: Buffer[] = [];
  const rows: number[][] = [];
  const seen = new Map<string, number>();
  texts.forEach((text, i) => {
    const key = sha256(text);
    const hex = key.toString('hex');
    const known = seen.get(hex);
    if (known === undefined) {
      seen.set(hex, keys.length);
      keys.push(key);
      rows.push([i]);
    } else {
      (rows[known] as number[]).push(i);
    }
  });
  const truncatedRows = new Uint8Array(total);
  const fill = (unique: number, vector: Float32Array, truncated: boolean) => {
    for (const row of rows[unique] as number[]) {
      vectors.set(vector, row * dimensions);
      if (truncated) truncatedRows[row] = 1;
    }
  };

  const store = openStore(options.cacheDir, identity);
  touchNamespace(store.dir);
  const cached = new Uint8Array(keys.length);
  store.read(
    keys.map((key) => key.toString('hex')),
    (unique, vector, truncated) => {
      cached[unique] = 1;
      fill(unique, vector, truncated);
      result.cachedCount += (rows[unique] as number[]).length;
    },
  );
  let done = result.cachedCount;
  onProgress?.(done, total);

  const missing: number[] = [];
  cached.forEach((hit, unique) => {
    if (!hit) missing.push(unique);
  });
  if (missing.length > 0) {
    const firstRow = (unique: number) => (rows[unique] as number[])[0] as number;
    const missingTexts = missing.map((unique) => texts[firstRow(unique)] as string);
    const missingNames = missing.map((unique) => nameOf(firstRow(unique)));
    const prepared = embedder.prepare?.(missingTexts, missingNames) ?? {
      texts: missingTexts,
      truncated: [],
    };
    if (prepared.texts.length !== missingTexts.length) {
      throw new Error(
        `embedder '${embedder.id}' prepared ${prepared.texts.length} texts out of ${missingTexts.length}`,
      );
    }
    const truncatedNames = new Set(prepared.truncated);
    const batches = planBatches(embedder, prepared.texts);

    await inFlightAtMost(embedder.concurrency ?? 1, batches, async ({ start, end }) => {
      const batchTexts = prepared.texts.slice(start, end);
      const began = performance.now();
      const batch = await embedder.embed(batchTexts, options.purpose);
      const latencyMs = performance.now() - began;
      checkBatch(embedder, batch.vectors, batchTexts.length, missingNames.slice(start, end));
      const records = batchTexts.map((_, j) => ({
        key: keys[missing[start + j] as number] as Buffer,
        vector: batch.vectors.subarray(j * dimensions, (j + 1) * dimensions),
        truncated: truncatedNames.has(missingNames[start + j] as string),
      }));
      store.append(records);
      result.calls++;
      result.callMs.push(latencyMs);
      result.tokens += batch.tokens;
      result.retries += batch.retries ?? 0;
      const shares = splitTokens(batch.tokens, batchTexts);
      records.forEach((record, j) => {
        const unique = missing[start + j] as number;
        fill(unique, record.vector, record.truncated);
        (rows[unique] as number[]).forEach((row, repeat) => {
          perText[row] = {
            latencyMs,
            batchSize: batchTexts.length,
            tokens: repeat === 0 ? (shares[j] as number) : 0,
          };
        });
        done += (rows[unique] as number[]).length;
      });
      result.embeddedCount += records.length;
      onProgress?.(done, total);
    });
  }
  truncatedRows.forEach((flag, row) => {
    if (flag) result.truncated.push(nameOf(row));
  });
  return result;
}

/** One-shot crypto.hash (Node ≥ 20.12) is twice as fast as createHash for short texts. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'buffer') => Buffer }).hash;
function sha256(text: string): Buffer {
  return oneShot
    ? oneShot('sha256', text, 'buffer')
    : crypto.createHash('sha256').update(text, 'utf8').digest();
}

/** Closes every namespace this process opened; the next `embedAll` scans them again from disk. */
export function closeEmbeddingStores(): void {
  for (const store of stores.values()) store.close();
  stores.clear();
}

function openStore(cacheDir: string, identity: NamespaceIdentity): EmbeddingStore {
  const dir = namespaceDir(cacheDir, identity);
  const open = stores.get(dir);
  if (open) {
    open.refresh();
    return open;
  }
  const store = EmbeddingStore.open(cacheDir, identity);
  stores.set(dir, store);
  return store;
}

/** [start, end) of each call: the embedder's plan for its per-request limits, or runs of maxBatchSize. */
function planBatches(embedder: Embedder, texts: readonly string[]): { start: number; end: number }[] {
  const sizes =
    embedder.batchSizes?.(texts) ??
    Array.from({ length: Math.ceil(texts.length / embedder.maxBatchSize) }, (_, i) =>
      Math.min(embedder.maxBatchSize, texts.length - i * embedder.maxBatchSize),
    );
  const batches: { start: number; end: number }[] = [];
  let start = 0;
  for (const size of sizes) {
    if (!(Number.isInteger(size) && size > 0)) {
      throw new Error(`embedder '${embedder.id}' planned a batch of ${size} texts`);
    }
    batches.push({ start, end: start + size });
    start += size;
  }
  if (start !== texts.length) {
    throw new Error(`embedder '${embedder.id}' planned batches of ${start} texts for ${texts.length}`);
  }
  return batches;
}

/**
 * Runs `work` over the items with at most `limit` in flight, in order of start. After a failure no new item
 * starts; those in flight finish (their batches are cached) and the first error is thrown.
 */
async function inFlightAtMost<T>(limit: number, items: readonly T[], work: (item: T) => Promise<void>) {
  let next = 0;
  let failed = false;
  let failure: unknown;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        if (!failed) failure = error;
        failed = true;
      }
    }
  };
  const workers = Math.min(limit >= 1 ? Math.floor(limit) : 1, items.length);
  await Promise.all(Array.from({ length: workers }, worker));
  if (failed) throw failure;
}

function checkBatch(embedder: Embedder, vectors: Float32Array, count: number, names: string[]): void {
  if (vectors.length !== count * embedder.dimensions) {
    throw new Error(
      `embedder '${embedder.id}' returned ${vectors.length} numbers for ${count} texts × ${embedder.dimensions} dimensions`,
    );
  }
  for (let i = 0; i < vectors.length; i++) {
    const value = vectors[i] as number;
    if (value - value !== 0) {
      throw new Error(
        `embedder '${embedder.id}' returned a non-finite number for ${names[Math.floor(i / embedder.dimensions)]}`,
      );
    }
  }
}

/**
 * The call's tokens shared among its texts in proportion to their length, as whole numbers when the call's
 * count is one (largest remainders get the leftovers, earlier texts first on ties), so they add up exactly.
 */
export function splitTokens(tokens: number, texts: readonly string[]): number[] {
  const lengths = texts.map((text) => text.length);
  const totalLength = lengths.reduce((sum, length) => sum + length, 0);
  const exact = lengths.map((length) =>
    totalLength > 0 ? (tokens * length) / totalLength : tokens / Math.max(1, texts.length),
  );
  if (!Number.isInteger(tokens)) return exact;
  const shares = exact.map(Math.floor);
  let left = tokens - shares.reduce((sum, share) => sum + share, 0);
  const remainder = (i: number) => (exact[i] as number) - (shares[i] as number);
  const order = exact.map((_, i) => i).sort((a, b) => remainder(b) - remainder(a) || a - b);
  for (const i of order) {
    if (left <= 0) break;
    shares[i] = (shares[i] as number) + 1;
    left--;
  }
  return shares;
}
