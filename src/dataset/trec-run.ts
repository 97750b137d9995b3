import { type InputLocation, UserError } from '../errors.js';
import { ID_ENCODING } from '../metrics/order.js';
import type { ColumnRun, ResultColumns } from '../metrics/rank.js';
import type { Run } from '../metrics/types.js';
import { checkId, decodeId } from './ids.js';
import { scanFields } from './lines.js';
import { parseDecimal } from './numbers.js';
import type { QueryBuilder } from './query-collector.js';
import { type RunScan, readRun, readRunBlocks, readRunColumns } from './run-reader.js';

export type { ColumnRun } from '../metrics/rank.js';

/**
 * Reads a TREC run (`qid Q0 docid rank score tag`, whitespace-separated, extra columns ignored) in one
 * streaming pass. Lines starting with `#` and blank lines are skipped. The rank column must be a number but
 * plays no part in ranking (trec_eval orders by score, then doc id). A doc id twice in one query is refused,
 * and so is a word (query, Q0, doc or tag) that is not UTF-8 (dataset/ids.ts).
 */
export function readTrecRun(path: string): Run {
  return readRun(trecRunScan(path));
}

/** readTrecRun without a string per doc id (run-reader.ts). */
export function readTrecRunColumns(path: string): ColumnRun {
  return readRunColumns(trecRunScan(path));
}

/** readTrecRun a query block at a time (run-reader.ts). */
export function readTrecRunBlocks(
  path: string,
  onQuery: (qid: string, results: ResultColumns) => void,
): { runId: string } | undefined {
  return readRunBlocks(trecRunScan(path), onQuery);
}

/** The TREC run file at `path` as a scan (run-reader.ts): its tag is the last line's. */
export function trecRunScan(path: string): RunScan {
  return (enter) => scanRun(path, enter);
}

/**
 * Parses the run's lines in file order; consecutive lines of one query form a block. `enter(qid)` is called
 * at the start of each block and returns the builder its results go to, or undefined to stop reading.
 * Returns the run tag of the last line read.
 */
function scanRun(path: string, enter: (qid: string) => QueryBuilder | undefined): string {
  let builder: QueryBuilder | undefined;
  let qid = '';
  let qidBytes = Buffer.alloc(0);
  let runIdBytes = Buffer.alloc(0);
  let q0Bytes = Buffer.alloc(0);
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
      builder?.checkIds(path); // the block just read, before it is handed on
      qid = decodeId(buf, q0, q1, path, lineNumber, 'qid');
      builder = enter(qid);
      if (builder === undefined) return false;
      qidBytes = Buffer.from(buf.subarray(q0, q1));
    }
    const r0 = fields[6] as number;
    const r1 = fields[7] as number;
    if (Number.isNaN(parseDecimal(buf, r0, r1))) {
      throw new UserError(
        `rank is not a number: '${buf.toString('utf8', r0, r1)}'`,
        at(path, lineNumber, 'rank'),
      );
    }
    const s0 = fields[8] as number;
    const s1 = fields[9] as number;
    const score = parseDecimal(buf, s0, s1);
    if (Number.isNaN(score)) {
      throw new UserError(
        `score is not a number: '${buf.toString('utf8', s0, s1)}'`,
        at(path, lineNumber, 'score'),
      );
    }
    const d0 = fields[4] as number;
    const d1 = fields[5] as number;
    const first = builder.add(buf, d0, d1, score, lineNumber);
    if (first !== undefined) {
      const where = first > 0 ? ` (first at line ${first})` : '';
      throw new UserError(
        `document '${buf.toString(ID_ENCODING, d0, d1)}' appears twice in the results of query '${qid}'${where}`,
        at(path, lineNumber, 'docid'),
      );
    }
    // Q0 and the tag are nearly always the same word on every line: checked when they change.
    const z0 = fields[2] as number;
    const z1 = fields[3] as number;
    if (!sameBytes(buf, z0, z1, q0Bytes)) {
      checkId(buf, z0, z1, path, lineNumber, 'Q0');
      q0Bytes = Buffer.from(buf.subarray(z0, z1));
    }
    const t0 = fields[10] as number;
    const t1 = fields[11] as number;
    if (!sameBytes(buf, t0, t1, runIdBytes)) {
      checkId(buf, t0, t1, path, lineNumber, 'tag');
      runIdBytes = Buffer.from(buf.subarray(t0, t1));
    }
    lines++;
    return true;
  });
  builder?.checkIds(path);
  if (lines === 0) throw new UserError('the run has no results', { file: path });
  return runIdBytes.toString(ID_ENCODING);
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
