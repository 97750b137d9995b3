import type { Distance, Hit, Index, QueryInput } from '../../types.js';
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
}

/** Queries scored together: the corpus streams through the cache once per block (a multiple of TILE_QUERIES). */
const BLOCK_QUERIES = 60;
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

/** A slice of the corpus in its own WebAssembly memory: [query block | score block | corpus rows]. */
interface Shard {
  /** Index of its first document in the corpus. */
  start: number;
  count: number;
  memory: WebAssembly.Memory;
  corpusAt: number;
  scoresAt: number;
  /** Scores TILE_QUERIES query rows at `queries` against `count` document rows at `docs`, into `out`. */
  tile: KernelFunction;
  /** The same for one query row. */
  single: KernelFunction;
}

type KernelFunction = (queries: number, docs: number, count: number, out: number) => void;

function createShard(
  kernel: WebAssembly.Module,
  start: number,
  count: number,
  rowBytes: number,
  blockDocs: number,
): Shard {
  const scoresAt = BLOCK_QUERIES * rowBytes;
  const corpusAt = align16(scoresAt + BLOCK_QUERIES * blockDocs * 4);
  const bytes = corpusAt + count * rowBytes;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const { exports } = new WebAssembly.Instance(kernel, { env: { memory } });
  return {
    start,
    count,
    memory,
    corpusAt,
    scoresAt,
    tile: exports.tile as KernelFunction,
    single: exports.single as KernelFunction,
  };
}

function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
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

// ---------------------------------------------------------------------------------------------------------
// The SIMD kernel, written as WebAssembly bytecode for one row width (dimensions rounded up to 4 floats):
// with the width and the score-block stride constant, every load and store takes its offset as an
// immediate and the inner loop advances just two pointers. No toolchain is needed to build it.

/**
 * Query rows per register tile: each document row loaded once feeds 6 accumulators, which with the loaded
 * values stay within x64's 16 vector registers. Of the tiles tried (1–8 queries × 1–4 documents, loops
 * unrolled 1–16 times), 6 × 1 without unrolling was fastest: ~45–50 GFLOP/s on one core of an AVX-512 EPYC.
 */
const TILE_QUERIES = 6;

// lib ES2023 and @types/node 20 carry no WebAssembly types (they come with the DOM lib); the few used here.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    constructor(descriptor: { initial: number });
    readonly buffer: ArrayBuffer;
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
}

const kernels = new Map<string, WebAssembly.Module>();

function compileKernel(rowFloats: number, blockDocs: number, euclidean: boolean): WebAssembly.Module {
  const key = `${rowFloats}/${blockDocs}/${euclidean}`;
  let kernel = kernels.get(key);
  if (!kernel) {
    kernel = new WebAssembly.Module(kernelBytes(rowFloats * 4, blockDocs * 4, euclidean));
    kernels.set(key, kernel);
  }
  return kernel;
}

/**
 * A module importing env.memory and exporting `tile` (TILE_QUERIES queries) and `single` (one query), both
 * (queries, docs, count, out): for each of `count` consecutive document rows, each query row's score goes
 * to out[query * stride + document].
 */
function kernelBytes(rowBytes: number, strideBytes: number, euclidean: boolean): Uint8Array {
  const i32 = 0x7f;
  const type = [0x60, ...vector([[i32], [i32], [i32], [i32]]), 0x00];
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, 0x00];
  const exported = (label: string, index: number) => [...name(label), 0x00, index];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([type])),
    ...section(2, vector([memoryImport])),
    ...section(3, vector([[0], [0]])),
    ...section(7, vector([exported('tile', 0), exported('single', 1)])),
    ...section(
      10,
      vector([
        sized(tileFunction(TILE_QUERIES, rowBytes, strideBytes, euclidean)),
        sized(tileFunction(1, rowBytes, strideBytes, euclidean)),
      ]),
    ),
  ];
  return new Uint8Array(bytes);
}

/**
 * (queries, docs, count, out), count ≥ 0:
 *
 *   while count > 0:
 *     acc[r] = 0 (f32x4) for each query row r
 *     for each 4-float step j of the row: x = docs[j]; acc[r] += q_r[j] * x   (euclidean: (q_r[j] − x)²)
 *     out[r * stride] = (acc[r].0 + acc[r].1) + (acc[r].2 + acc[r].3)           (euclidean: negated)
 *     docs += rowBytes; out += 4; count -= 1
 */
function tileFunction(rows: number, rowBytes: number, strideBytes: number, euclidean: boolean): number[] {
  const [queries, docs, count, out] = [0, 1, 2, 3];
  const [q, x, end] = [4, 5, 6];
  const acc = Array.from({ length: rows }, (_, r) => 7 + r);
  const [doc, diff] = [7 + rows, 8 + rows];
  const body: number[] = [];
  const emit = (...code: number[]) => body.push(...code);

  emit(op.block, op.void, ...get(count), op.i32eqz, op.brIf, 0, op.loop, op.void);
  for (const a of acc) emit(...op.v128zero, ...set(a));
  emit(...get(queries), ...set(q), ...get(docs), ...set(x));
  emit(...get(queries), ...i32const(rowBytes), op.i32add, ...set(end));
  emit(op.loop, op.void);
  emit(...get(x), ...load(0), ...set(doc));
  for (let r = 0; r < rows; r++) {
    emit(...get(acc[r] as number), ...get(q), ...load(r * rowBytes));
    emit(...get(doc), ...(euclidean ? [...op.f32x4sub, ...tee(diff), ...get(diff)] : []));
    emit(...op.f32x4mul, ...op.f32x4add, ...set(acc[r] as number));
  }
  emit(...get(x), ...i32const(16), op.i32add, ...set(x));
  emit(...get(q), ...i32const(16), op.i32add, ...tee(q), ...get(end), op.i32ne, op.brIf, 0, op.end);
  for (let r = 0; r < rows; r++) {
    const a = acc[r] as number;
    emit(...get(out));
    emit(...get(a), ...lane(0), ...get(a), ...lane(1), op.f32add);
    emit(...get(a), ...lane(2), ...get(a), ...lane(3), op.f32add, op.f32add);
    if (euclidean) emit(op.f32neg);
    emit(op.f32store, 2, ...uleb(r * strideBytes));
  }
  emit(...get(docs), ...i32const(rowBytes), op.i32add, ...set(docs));
  emit(...get(out), ...i32const(4), op.i32add, ...set(out));
  emit(...get(count), ...i32const(1), op.i32sub, ...tee(count), op.brIf, 0, op.end, op.end, op.end);

  const locals = vector([
    [...uleb(3), 0x7f],
    [...uleb(rows + 1 + (euclidean ? 1 : 0)), 0x7b],
  ]);
  return [...locals, ...body];
}

const SIMD = 0xfd;
const op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  brIf: 0x0d,
  void: 0x40,
  i32eqz: 0x45,
  i32ne: 0x47,
  i32add: 0x6a,
  i32sub: 0x6b,
  f32neg: 0x8c,
  f32add: 0x92,
  f32store: 0x38,
  v128zero: [SIMD, 0x0c, ...new Array<number>(16).fill(0)],
  f32x4add: [SIMD, ...uleb(0xe4)],
  f32x4sub: [SIMD, ...uleb(0xe5)],
  f32x4mul: [SIMD, ...uleb(0xe6)],
};
const get = (local: number) => [0x20, ...uleb(local)];
const set = (local: number) => [0x21, ...uleb(local)];
const tee = (local: number) => [0x22, ...uleb(local)];
const i32const = (value: number) => [0x41, ...sleb(value)];
/** v128.load with 16-byte alignment and an immediate offset. */
const load = (offset: number) => [SIMD, 0x00, 4, ...uleb(offset)];
const lane = (index: number) => [SIMD, 0x1f, index];

function uleb(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    const byte = rest & 0x7f;
    rest >>>= 7;
    out.push(rest === 0 ? byte : byte | 0x80);
  } while (rest !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function sized(bytes: number[]): number[] {
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, content: number[]): number[] {
  return [id, ...sized(content)];
}

function name(text: string): number[] {
  return sized([...Buffer.from(text, 'utf8')]);
}
