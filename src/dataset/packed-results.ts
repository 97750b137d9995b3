import { ID_ENCODING } from '../metrics/order.js';
import type { ResultColumns } from '../metrics/rank.js';
import type { QueryResults } from '../metrics/types.js';

// How a run's queries are kept once read: as strings (QueryResults), or as exact-size columns held in slabs.

/**
 * Hands out exact-size copies as views of large blocks: thousands of queries then cost a few big
 * allocations instead of three ArrayBuffers each (whose allocation and GC bookkeeping dominated).
 */
class Slab<T extends Uint8Array | Int32Array | Float64Array> {
  private block: T;
  private used = 0;

  constructor(
    private readonly make: (length: number) => T,
    private readonly blockLength: number,
  ) {
    this.block = make(0);
  }

  copy(source: T): T {
    const length = source.length;
    if (this.used + length > this.block.length) {
      this.block = this.make(Math.max(this.blockLength, length));
      this.used = 0;
    }
    const view = this.block.subarray(this.used, this.used + length) as T;
    view.set(source);
    this.used += length;
    return view;
  }
}

interface ColumnSlabs {
  bytes: Slab<Uint8Array>;
  ends: Slab<Int32Array>;
  scores: Slab<Float64Array>;
}

/** Exact-size copies of a builder's view, held in the slabs. */
export function copyColumns(results: ResultColumns, slabs: ColumnSlabs): ResultColumns {
  return {
    idBytes: slabs.bytes.copy(results.idBytes),
    idEnds: slabs.ends.copy(results.idEnds),
    scores: slabs.scores.copy(results.scores),
  };
}

export function columnSlabs(): ColumnSlabs {
  const elements = 1 << 20;
  return {
    bytes: new Slab((n) => new Uint8Array(n), 16 * elements),
    ends: new Slab((n) => new Int32Array(n), elements),
    scores: new Slab((n) => new Float64Array(n), elements),
  };
}

/** Encodes string results as columns. */
export function toColumns(results: QueryResults): ResultColumns {
  const { docids } = results;
  const idEnds = new Int32Array(docids.length);
  let end = 0;
  docids.forEach((docid, i) => {
    end += Buffer.byteLength(docid, ID_ENCODING);
    idEnds[i] = end;
  });
  const idBytes = Buffer.allocUnsafe(end);
  docids.forEach((docid, i) => {
    idBytes.write(docid, i === 0 ? 0 : (idEnds[i - 1] as number), ID_ENCODING);
  });
  return { idBytes, idEnds, scores: Float64Array.from(results.scores) };
}

/** Decodes columns to string results; their bytes are UTF-8, checked when they were read. */
export function toResults(columns: ResultColumns): QueryResults {
  const { idBytes, idEnds, scores } = columns;
  const bytes = Buffer.from(idBytes.buffer, idBytes.byteOffset, idBytes.length);
  const docids = Array.from(idEnds, (end, i) =>
    bytes.toString(ID_ENCODING, i === 0 ? 0 : idEnds[i - 1], end),
  );
  return { docids, scores: Array.from(scores) };
}
