// The WebAssembly side of the exact index (exact.ts): the shards of corpus memory it searches, and the SIMD
// kernel that scores them, written as WebAssembly bytecode for one row width (dimensions rounded up to 4
// floats): with the width and the score-block stride constant, every load and store takes its offset as an
// immediate and the inner loop advances just two pointers. No toolchain is needed to build it.

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

/** Queries scored together: the corpus streams through the cache once per block (a multiple of TILE_QUERIES). */
export const BLOCK_QUERIES = 60;
/**
 * Query rows per register tile: each document row loaded once feeds 6 accumulators, which with the loaded
 * values stay within x64's 16 vector registers. Of the tiles tried (1–8 queries × 1–4 documents, loops
 * unrolled 1–16 times), 6 × 1 without unrolling was fastest: ~45–50 GFLOP/s on one core of an AVX-512 EPYC.
 */
export const TILE_QUERIES = 6;

/** A slice of the corpus in its own WebAssembly memory: [query block | score block | corpus rows]. */
export interface Shard {
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

export function createShard(
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

const kernels = new Map<string, WebAssembly.Module>();

export function compileKernel(rowFloats: number, blockDocs: number, euclidean: boolean): WebAssembly.Module {
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
