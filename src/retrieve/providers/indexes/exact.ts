import type { Distance, Hit, Index, QueryInput } from '../../types.js';
import { batchSizeOf } from './batch-size.js';
import { BLOCK_QUERIES, compileKernel, createShard, type Shard, TILE_QUERIES } from './exact-kernel.js';
import { idRanksOf, TopK } from './topk.js';

/** Documents of one query, best first: indexes into the index's `ids`, and their scores. */
export interface RankedDocs {
  docs: Int32Array;
  scores: Float64Array;
}

export interface ExactIndexOptions {
  /**
   * Largest corpus slice held in one WebAssembly memory (bytes, default 1 GiB). Memories are 32-bit, so a
   * larger corpus is split into shards searched one after the other; tests lower this to cover that path.
   */
  maxShardBytes?: number;
  /** Queries per `search` call the runner sends (default EXACT_BATCH_SIZE). */
  batchSize?: number;
}

/**
 * Queries per runner batch: a multiple of the kernel's query block, so every corpus pass scores a full
 * block (a pass costs the same for 1 query as for BLOCK_QUERIES). Searching one query at a time was 4.6×
 * slower per query at 50,000 × 512.
 */
export const EXACT_BATCH_SIZE = 4 * BLOCK_QUERIES;

/** Documents scored per kernel call: ~256 KiB of vectors, which stay in L2 while the block's queries pass. */
const BLOCK_BYTES = 256 * 1024;
const DEFAULT_MAX_SHARD_BYTES = 1 << 30;
/** WebAssembly memories hold up to 4 GiB; staying under 2 GiB keeps every address a positive i32. */
const MAX_SHARD_BYTES = 2 ** 31 - 2 ** 24;

/**
 * Exact nearest-neighbour search: every query is scored against every document, so this index is the ground
 * truth that approximate indexes are measured against (recall@k of an ANN index = overlap with these lists).
 *
 * Scores, higher is better:
 * - cosine: the dot product of L2-normalised vectors (documents normalised once at build, each query at
 *   search); a zero vector stays zero and scores 0 with everything.
 * - dot: the raw inner product.
 * - euclidean: −‖q − x‖², the negated *squared* distance, summed from the differences (not from norms and
 *   dot products, which cancel catastrophically for near neighbours). Squared, not its root, because the
 *   score shown is the value ranked on: a root could map two different squared distances to one number,
 *   and trec_eval would then reorder them by id.
 *
 * Equal scores rank by document id, descending in byte order (trec_eval's order), so results are
 * deterministic and a run file evaluates in the order it was ranked.
 *
 * The corpus lives in WebAssembly memory (rows padded to a multiple of 4 floats) and is scored by a SIMD
 * kernel generated for its dimensions: a blocked matrix product, BLOCK_QUERIES queries × ~256 KiB of
 * documents at a time, in register tiles of TILE_QUERIES queries × 1 document. Arithmetic is float32 with a
 * fixed order (four lanes over the dimensions, then (l0 + l1) + (l2 + l3)), so a query scores the same
 * whatever block or batch it comes in. Each block's scores then pass a per-query bounded heap: one
 * comparison per score once the heap is full.
 */
export class ExactIndex implements Index {
  readonly needsVectors = true;
  readonly batchSize: number;
  /** One thread: batches run one after the other. */
  readonly concurrency = 1;
  readonly inProcess = true;
  readonly resolved: string;
  readonly ids: readonly string[];
  readonly dimensions: number;
  readonly distance: Distance;

  private readonly idRanks: Int32Array;
  private readonly rowFloats: number;
  private readonly blockDocs: number;
  private readonly shards: Shard[] = [];

  constructor(
    ids: readonly string[],
    vectors: Float32Array,
    dimensions: number,
    distance: Distance = 'cosine',
    resolved = `embedded:exact:${distance}`,
    options: ExactIndexOptions = {},
  ) {
    if (!(Number.isInteger(dimensions) && dimensions > 0)) {
      throw new RangeError(`dimensions must be a positive integer, got ${dimensions}`);
    }
    if (distance !== 'cosine' && distance !== 'dot' && distance !== 'euclidean') {
      throw new RangeError(`unknown distance '${String(distance)}' (cosine, dot or euclidean)`);
    }
    if (vectors.length !== ids.length * dimensions) {
      throw new RangeError(
        `${ids.length} documents × ${dimensions} dimensions need ${ids.length * dimensions} numbers, got ${vectors.length}`,
      );
    }
    this.ids = ids;
    this.dimensions = dimensions;
    this.distance = distance;
    this.resolved = resolved;
    this.batchSize = batchSizeOf(options.batchSize ?? EXACT_BATCH_SIZE);
    this.idRanks = idRanksOf(ids);
    this.rowFloats = Math.ceil(dimensions / 4) * 4;
    const rowBytes = this.rowFloats * 4;
    this.blockDocs = Math.max(16, Math.min(1024, Math.floor(BLOCK_BYTES / rowBytes)));

    const kernel = compileKernel(this.rowFloats, this.blockDocs, distance === 'euclidean');
    const shardBytes = Math.min(options.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES, MAX_SHARD_BYTES);
    const shardDocs = Math.max(1, Math.floor(shardBytes / rowBytes));
    for (let start = 0; start < ids.length; start += shardDocs) {
      const count = Math.min(shardDocs, ids.length - start);
      const shard = createShard(kernel, start, count, rowBytes, this.blockDocs);
      const rows = new Float32Array(shard.memory.buffer, shard.corpusAt, count * this.rowFloats);
      for (let i = 0; i < count; i++) {
        const doc = start + i;
        const source = vectors.subarray(doc * dimensions, (doc + 1) * dimensions);
        if (!allFinite(source)) throw new Error(`document '${ids[doc]}' has a non-finite vector component`);
        copyRow(source, rows, i * this.rowFloats, distance === 'cosine');
      }
      this.shards.push(shard);
    }
  }

  get size(): number {
    return this.ids.length;
  }

  async search(queries: QueryInput[], k: number): Promise<Hit[][]> {
    const matrix = new Float32Array(queries.length * this.dimensions);
    queries.forEach((query, q) => {
      const { vector } = query;
      if (!vector) throw new Error(`query '${query.id}' has no vector; the exact index searches by vector`);
      if (vector.length !== this.dimensions) {
        throw new Error(
          `query '${query.id}' has a vector of ${vector.length} dimensions; the index has ${this.dimensions}`,
        );
      }
      if (!allFinite(vector)) throw new Error(`query '${query.id}' has a non-finite vector component`);
      matrix.set(vector, q * this.dimensions);
    });
    const ranked = await this.searchVectors(matrix, k);
    return ranked.map(({ docs, scores }) =>
      Array.from(docs, (doc, i): Hit => ({ docid: this.ids[doc] as string, score: scores[i] as number })),
    );
  }

  /**
   * The top k documents of each query in a row-major matrix (queries × dimensions), best first. Yields to
   * the event loop between query blocks, so signals and progress are handled during long searches.
   */
  async searchVectors(queries: Float32Array, k: number): Promise<RankedDocs[]> {
    const { dimensions, rowFloats, blockDocs } = this;
    if (queries.length % dimensions !== 0) {
      throw new RangeError(`a query matrix of ${dimensions} columns cannot hold ${queries.length} numbers`);
    }
    const queryCount = queries.length / dimensions;
    for (let q = 0; q < queryCount; q++) {
      if (!allFinite(queries.subarray(q * dimensions, (q + 1) * dimensions))) {
        throw new Error(`query row ${q} has a non-finite vector component`);
      }
    }
    const limit = Math.min(Math.floor(k), this.size);
    if (!(limit > 0))
      return Array.from({ length: queryCount }, () => ({
        docs: new Int32Array(0),
        scores: new Float64Array(0),
      }));
    const selections = Array.from({ length: queryCount }, () => new TopK(limit, this.idRanks));
    const rowBytes = rowFloats * 4;

    for (let first = 0; first < queryCount; first += BLOCK_QUERIES) {
      if (first > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const count = Math.min(BLOCK_QUERIES, queryCount - first);
      for (const shard of this.shards) {
        const floats = new Float32Array(shard.memory.buffer);
        const block = floats.subarray(0, BLOCK_QUERIES * rowFloats);
        block.fill(0);
        for (let q = 0; q < count; q++) {
          const source = queries.subarray((first + q) * dimensions, (first + q + 1) * dimensions);
          copyRow(source, block, q * rowFloats, this.distance === 'cosine');
        }
        const scores = floats.subarray(shard.scoresAt / 4, shard.scoresAt / 4 + BLOCK_QUERIES * blockDocs);
        for (let start = 0; start < shard.count; start += blockDocs) {
          const docs = Math.min(blockDocs, shard.count - start);
          const docsAt = shard.corpusAt + start * rowBytes;
          let q = 0;
          for (; q + TILE_QUERIES <= count; q += TILE_QUERIES) {
            shard.tile(q * rowBytes, docsAt, docs, shard.scoresAt + q * blockDocs * 4);
          }
          for (; q < count; q++) shard.single(q * rowBytes, docsAt, docs, shard.scoresAt + q * blockDocs * 4);
          const base = shard.start + start;
          for (let r = 0; r < count; r++) {
            select(selections[first + r] as TopK, scores, r * blockDocs, docs, base);
          }
        }
      }
    }
    return selections.map((selection) => selection.drain());
  }
}

/** Offers scores[from .. from + count) as documents first, first + 1, …: one comparison each once full. */
function select(selection: TopK, scores: Float32Array, from: number, count: number, first: number): void {
  let threshold = selection.threshold;
  for (let c = 0; c < count; c++) {
    const score = scores[from + c] as number;
    if (score >= threshold) {
      selection.offer(score, first + c);
      threshold = selection.threshold;
    }
  }
}

function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (value - value !== 0) return false; // NaN and ±∞
  }
  return true;
}

/** Writes `source` into `target` at `offset`, L2-normalised when asked (a zero vector stays zero). */
function copyRow(source: Float32Array, target: Float32Array, offset: number, normalise: boolean): void {
  if (!normalise) {
    target.set(source, offset);
    return;
  }
  let sum = 0;
  for (let i = 0; i < source.length; i++) sum += (source[i] as number) ** 2;
  const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  for (let i = 0; i < source.length; i++) target[offset + i] = (source[i] as number) * scale;
}
