import { grown, IdPool } from '../metrics/id-pool.js';
import type { ResultColumns } from '../metrics/rank.js';
import { checkIds } from './ids.js';

/**
 * Keeps every query of the run, each packed (as columns or strings) when its block ends. Most runs hold
 * each query in one block, read into one shared scratch builder. A query that comes back (an interleaved
 * file) is unpacked into a builder of its own, kept to the end.
 */
export class QueryCollector<Packed> {
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
export class QueryBuilder {
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

  /** Refuses a doc id that is not UTF-8 (dataset/ids.ts), by the line it was read from. */
  checkIds(file: string): void {
    const { bytes, ends } = this.ids.contents();
    checkIds(bytes, ends, this.ids.size, file, (i) => this.lines[i] as number);
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
