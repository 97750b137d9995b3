import { type InputLocation, UserError } from '../errors.js';
import { grown, IdPool } from '../metrics/id-pool.js';
import type { ColumnRun, IdEncoding, ResultColumns } from '../metrics/rank.js';
import type { QueryResults, Run } from '../metrics/types.js';
import { scanFields } from './lines.js';
import { parseDecimal } from './numbers.js';

export type { ColumnRun, IdEncoding } from '../metrics/rank.js';

/**
 * Reads a TREC run (`qid Q0 docid rank score tag`, whitespace-separated, extra columns ignored) in one
 * streaming pass. Lines starting with `#` and blank lines are skipped. The rank column must be a number but
 * plays no part in ranking (trec_eval orders by score, then doc id). A doc id twice in one query is refused.
 */
export function readTrecRun(path: string, encoding: IdEncoding = 'utf8'): Run {
  const collector = new QueryCollector<QueryResults>(
    (results) => toResults(results, encoding),
    (results) => toColumns(results, encoding),
  );
  const runId = scanRun(path, encoding, (qid) => collector.enter(qid));
  return { runId, queries: collector.finish() };
}

/** readTrecRun without a string per doc id: the form for runs of millions of lines. */
export function readTrecRunColumns(path: string, encoding: IdEncoding = 'utf8'): ColumnRun {
  const slabs = columnSlabs();
  const collector = new QueryCollector<ResultColumns>(
    (results) => copyColumns(results, slabs),
    (columns) => columns,
  );
  const runId = scanRun(path, encoding, (qid) => collector.enter(qid));
  return { runId, encoding, queries: collector.finish() };
}

/**
 * Reads the run one query block at a time, for runs that list each query's lines together (as nearly all
 * do): `onQuery` gets each block's results when the block ends, as views that are valid during the call
 * only, so memory stays flat however large the file. At the first query that comes back after another,
 * reading stops and the result is undefined: such a file must be read whole (readTrecRunColumns).
 */
export function readTrecRunBlocks(
  path: string,
  encoding: IdEncoding,
  onQuery: (qid: string, results: ResultColumns) => void,
): { runId: string } | undefined {
  const seen = new Set<string>();
  const builder = new QueryBuilder();
  let qid = undefined as string | undefined;
  let grouped = true;
  const runId = scanRun(path, encoding, (next) => {
    if (seen.has(next)) {
      grouped = false;
      return undefined;
    }
    if (qid !== undefined) onQuery(qid, builder.view());
    seen.add(next);
    qid = next;
    builder.clear();
    return builder;
  });
  if (!grouped) return undefined;
  if (qid !== undefined) onQuery(qid, builder.view());
  return { runId };
}

/**
 * Parses the run's lines in file order; consecutive lines of one query form a block. `enter(qid)` is called
 * at the start of each block and returns the builder its results go to, or undefined to stop reading.
 * Returns the run tag of the last line read.
 */
function scanRun(
  path: string,
  encoding: IdEncoding,
  enter: (qid: string) => QueryBuilder | undefined,
): string {
  let builder: QueryBuilder | undefined;
  let qid = '';
  let qidBytes = Buffer.alloc(0);
  let runIdBytes = Buffer.alloc(0);
  let lines = 0;

  scanFields(path, 6, (buf, _start, _end, fields, count, lineNumber) => {
    if (count === 0 || buf[fields[0] as number] === 35) return true; // blank or '#' comment
    if (count < 6) {
      throw new UserError(
        `expected 6 columns 'qid Q0 docid rank score tag', found ${count}`,
        at(path, lineNumber, 'line'),
      );
    }
    const q0 = fields[0] as number;
    const q1 = fields[1] as number;
    if (builder === undefined || !sameBytes(buf, q0, q1, qidBytes)) {
      qid = buf.toString(encoding, q0, q1);
      builder = enter(qid);
      if (builder === undefined) return false;
      qidBytes = Buffer.from(buf.subarray(q0, q1));
    }
    const r0 = fields[6] as number;
    const r1 = fields[7] as number;
    if (Number.isNaN(parseDecimal(buf, r0, r1))) {
      throw new UserError(
        `rank is not a number: '${buf.toString(encoding, r0, r1)}'`,
        at(path, lineNumber, 'rank'),
      );
    }
    const s0 = fields[8] as number;
    const s1 = fields[9] as number;
    const score = parseDecimal(buf, s0, s1);
    if (Number.isNaN(score)) {
      throw new UserError(
        `score is not a number: '${buf.toString(encoding, s0, s1)}'`,
        at(path, lineNumber, 'score'),
      );
    }
    const d0 = fields[4] as number;
    const d1 = fields[5] as number;
    const first = builder.add(buf, d0, d1, score, lineNumber);
    if (first !== undefined) {
      const where = first > 0 ? ` (first at line ${first})` : '';
      throw new UserError(
        `document '${buf.toString(encoding, d0, d1)}' appears twice in the results of query '${qid}'${where}`,
        at(path, lineNumber, 'docid'),
      );
    }
    const t0 = fields[10] as number;
    const t1 = fields[11] as number;
    if (!sameBytes(buf, t0, t1, runIdBytes)) runIdBytes = Buffer.from(buf.subarray(t0, t1));
    lines++;
    return true;
  });
  if (lines === 0) throw new UserError('the run has no results', { file: path });
  return runIdBytes.toString(encoding);
}

/**
 * Keeps every query of the run, each packed (as columns or strings) when its block ends. Most runs hold
 * each query in one block, read into one shared scratch builder. A query that comes back (an interleaved
 * file) is unpacked into a builder of its own, kept to the end.
 */
class QueryCollector<Packed> {
  private readonly queries = new Map<string, { packed?: Packed; builder?: QueryBuilder }>();
  private readonly scratch = new QueryBuilder();
  private current: { packed?: Packed; builder?: QueryBuilder } | undefined;

  constructor(
    private readonly pack: (results: ResultColumns) => Packed,
    private readonly unpack: (packed: Packed) => ResultColumns,
  ) {}

  enter(qid: string): QueryBuilder {
    this.leaveCurrent();
    let query = this.queries.get(qid);
    if (query === undefined) {
      this.scratch.clear();
      query = { builder: this.scratch };
      this.queries.set(qid, query);
    } else if (query.builder === undefined) {
      query.builder = QueryBuilder.from(this.unpack(query.packed as Packed));
      query.packed = undefined;
    }
    this.current = query;
    return query.builder as QueryBuilder;
  }

  /** Every query, in order of first appearance. */
  finish(): Map<string, Packed> {
    this.leaveCurrent();
    const queries = new Map<string, Packed>();
    for (const [qid, query] of this.queries) {
      queries.set(qid, query.packed ?? this.pack((query.builder as QueryBuilder).view()));
    }
    return queries;
  }

  private leaveCurrent(): void {
    if (this.current?.builder !== this.scratch) return;
    this.current.packed = this.pack(this.scratch.view());
    this.current.builder = undefined;
  }
}

/** A query's results as they are read: ids (numbered in file order, deduplicated), scores, and lines. */
class QueryBuilder {
  private readonly ids = new IdPool(1024);
  private scores = new Float64Array(1024);
  /** The line of each result, for "first at line N"; 0 when unknown (a reloaded query). */
  private lines = new Int32Array(1024);

  static from(columns: ResultColumns): QueryBuilder {
    const builder = new QueryBuilder();
    const { idBytes, idEnds, scores } = columns;
    for (let i = 0; i < idEnds.length; i++) {
      const start = i === 0 ? 0 : (idEnds[i - 1] as number);
      builder.add(idBytes, start, idEnds[i] as number, scores[i] as number, 0);
    }
    return builder;
  }

  /** Adds a result; returns undefined, or the first line of the id when it is already there (0: unknown). */
  add(buf: Uint8Array, start: number, end: number, score: number, line: number): number | undefined {
    const n = this.ids.size;
    const id = this.ids.intern(buf, start, end);
    if (id < n) return this.lines[id];
    if (n === this.scores.length) {
      this.scores = grown(this.scores, n + 1);
      this.lines = grown(this.lines, n + 1);
    }
    this.scores[n] = score;
    this.lines[n] = line;
    return undefined;
  }

  clear(): void {
    this.ids.clear();
  }

  /** The results as views of the builder's arrays (valid until it changes), with its id index. */
  view(): ResultColumns {
    const n = this.ids.size;
    const { bytes, ends } = this.ids.contents();
    return {
      idBytes: bytes.subarray(0, n === 0 ? 0 : ends[n - 1]),
      idEnds: ends.subarray(0, n),
      scores: this.scores.subarray(0, n),
      index: this.ids,
    };
  }
}

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
function copyColumns(results: ResultColumns, slabs: ColumnSlabs): ResultColumns {
  return {
    idBytes: slabs.bytes.copy(results.idBytes),
    idEnds: slabs.ends.copy(results.idEnds),
    scores: slabs.scores.copy(results.scores),
  };
}

function columnSlabs(): ColumnSlabs {
  const elements = 1 << 20;
  return {
    bytes: new Slab((n) => new Uint8Array(n), 16 * elements),
    ends: new Slab((n) => new Int32Array(n), elements),
    scores: new Slab((n) => new Float64Array(n), elements),
  };
}

/** Encodes string results as columns. */
function toColumns(results: QueryResults, encoding: IdEncoding): ResultColumns {
  const { docids } = results;
  const idEnds = new Int32Array(docids.length);
  let end = 0;
  docids.forEach((docid, i) => {
    end += Buffer.byteLength(docid, encoding);
    idEnds[i] = end;
  });
  const idBytes = Buffer.allocUnsafe(end);
  docids.forEach((docid, i) => {
    idBytes.write(docid, i === 0 ? 0 : (idEnds[i - 1] as number), encoding);
  });
  return { idBytes, idEnds, scores: Float64Array.from(results.scores) };
}

function toResults(columns: ResultColumns, encoding: IdEncoding): QueryResults {
  const { idBytes, idEnds, scores } = columns;
  const bytes = Buffer.from(idBytes.buffer, idBytes.byteOffset, idBytes.length);
  const docids = Array.from(idEnds, (end, i) => bytes.toString(encoding, i === 0 ? 0 : idEnds[i - 1], end));
  return { docids, scores: Array.from(scores) };
}

/** A module-level helper rather than a closure per line: 7M lines should allocate nothing. */
function at(file: string, line: number, field: string): InputLocation {
  return { file, line, field };
}

function sameBytes(buf: Buffer, start: number, end: number, other: Buffer): boolean {
  if (end - start !== other.length) return false;
  for (let i = 0; i < other.length; i++) if (buf[start + i] !== other[i]) return false;
  return true;
}
