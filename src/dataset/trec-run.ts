import { UserError } from '../errors.js';
import type { QueryResults, Run } from '../metrics/types.js';
import { scanLines, splitFields } from './lines.js';
import { parseDecimal } from './numbers.js';

/** How ids are decoded. 'latin1' keeps every byte as one char, so ids compare exactly as C's strcmp does. */
export type IdEncoding = 'latin1' | 'utf8';

interface Accumulator {
  qid: string;
  results: QueryResults;
  /** docid → line while the query's lines are read; dropped after its block, unless the query came back. */
  seen: Map<string, number> | undefined;
  interleaved: boolean;
}

/**
 * Reads a TREC run (`qid Q0 docid rank score tag`, whitespace-separated, extra columns ignored) in one
 * streaming pass. Lines starting with `#` and blank lines are skipped. The rank column must be a number but
 * plays no part in ranking (trec_eval orders by score, then doc id). A doc id twice in one query is refused.
 */
export function readTrecRun(path: string, encoding: IdEncoding = 'utf8'): Run {
  const queries = new Map<string, Accumulator>();
  const fields = new Int32Array(14);
  let current: Accumulator | undefined;
  let currentQid = Buffer.alloc(0);
  let runId = '';
  let runIdBytes = Buffer.alloc(0);
  let lines = 0;

  scanLines(path, (buf, start, end, lineNumber) => {
    const count = splitFields(buf, start, end, fields, 6);
    if (count === 0 || buf[fields[0] as number] === 35) return; // blank or '#' comment
    const at = (field: string) => ({ file: path, line: lineNumber, field });
    if (count < 6) {
      throw new UserError(`expected 6 columns 'qid Q0 docid rank score tag', found ${count}`, at('line'));
    }
    const [q0, q1, , , d0, d1, r0, r1, s0, s1, t0, t1] = fields as unknown as number[];
    if (current === undefined || !sameBytes(buf, q0 as number, q1 as number, currentQid)) {
      current = enterQuery(queries, current, buf.toString(encoding, q0, q1));
      currentQid = Buffer.from(buf.subarray(q0, q1));
    }
    if (Number.isNaN(parseDecimal(buf, r0 as number, r1 as number))) {
      throw new UserError(`rank is not a number: '${buf.toString(encoding, r0, r1)}'`, at('rank'));
    }
    const score = parseDecimal(buf, s0 as number, s1 as number);
    if (Number.isNaN(score)) {
      throw new UserError(`score is not a number: '${buf.toString(encoding, s0, s1)}'`, at('score'));
    }
    const docid = buf.toString(encoding, d0, d1);
    const seen = current.seen as Map<string, number>;
    const first = seen.get(docid);
    if (first !== undefined) {
      const where = first > 0 ? ` (first at line ${first})` : '';
      throw new UserError(
        `document '${docid}' appears twice in the results of query '${current.qid}'${where}`,
        at('docid'),
      );
    }
    seen.set(docid, lineNumber);
    current.results.docids.push(docid);
    current.results.scores.push(score);
    if (!sameBytes(buf, t0 as number, t1 as number, runIdBytes)) {
      runIdBytes = Buffer.from(buf.subarray(t0, t1));
      runId = buf.toString(encoding, t0, t1);
    }
    lines++;
  });
  if (lines === 0) throw new UserError('the run has no results', { file: path });
  const run: Run = { runId, queries: new Map() };
  for (const [qid, acc] of queries) run.queries.set(qid, acc.results);
  return run;
}

/**
 * Switches to another query. Most runs hold each query in one block, so the finished block's doc id set is
 * dropped to save memory; a query that comes back (an interleaved file) rebuilds it once and keeps it.
 */
function enterQuery(
  queries: Map<string, Accumulator>,
  previous: Accumulator | undefined,
  qid: string,
): Accumulator {
  if (previous && !previous.interleaved) previous.seen = undefined;
  let acc = queries.get(qid);
  if (acc === undefined) {
    acc = { qid, results: { docids: [], scores: [] }, seen: new Map(), interleaved: false };
    queries.set(qid, acc);
  } else if (!acc.interleaved) {
    acc.interleaved = true;
    acc.seen = new Map(acc.results.docids.map((docid) => [docid, 0]));
  }
  return acc;
}

function sameBytes(buf: Buffer, start: number, end: number, other: Buffer): boolean {
  if (end - start !== other.length) return false;
  for (let i = 0; i < other.length; i++) if (buf[start + i] !== other[i]) return false;
  return true;
}
