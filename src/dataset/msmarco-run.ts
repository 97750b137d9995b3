import { UserError } from '../errors.js';
import type { Run } from '../metrics/types.js';
import { decodeId } from './ids.js';
import { scanLines, splitColumns, splitFields } from './lines.js';
import { parseInteger } from './numbers.js';

/**
 * MS MARCO's run TSV, `qid<TAB>docid<TAB>rank` (the form its official evaluation script reads): ranks, no
 * scores. Each result is scored −rank, so ranking by score descending keeps the file's ranks exactly.
 */
export function readMsMarcoRun(path: string, runId: string): Run {
  const run: Run = { runId, queries: new Map() };
  const fields = new Int32Array(8);
  scanLines(path, (buf, start, end, line) => {
    const count = splitFields(buf, start, end, fields, 3);
    if (count === 0) return;
    const at = (field: string) => ({ file: path, line, field });
    if (count !== 3)
      throw new UserError(
        `expected 3 columns 'qid docid rank', found ${count > 3 ? 'more' : count}`,
        at('line'),
      );
    const [q0, q1, d0, d1, r0, r1] = fields as unknown as number[];
    const rank = parseInteger(buf, r0 as number, r1 as number);
    if (!(rank >= 1))
      throw new UserError(
        `rank must be a positive integer, got '${buf.toString('utf8', r0, r1)}'`,
        at('rank'),
      );
    const qid = decodeId(buf, q0 as number, q1 as number, path, line, 'qid');
    let query = run.queries.get(qid);
    if (!query) {
      query = { docids: [], scores: [] };
      run.queries.set(qid, query);
    }
    query.docids.push(decodeId(buf, d0 as number, d1 as number, path, line, 'docid'));
    query.scores.push(-rank);
  });
  if (run.queries.size === 0) throw new UserError('the run has no results', { file: path });
  return run;
}

/** A line of three whitespace-separated fields whose last is an integer: MS MARCO's run, not TREC's six. */
export function looksLikeMsMarco(firstLine: string): boolean {
  const fields = splitColumns(firstLine);
  return fields.length === 3 && /^\d+$/.test(fields[2] as string);
}
