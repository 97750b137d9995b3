import { UserError } from '../errors.js';
import type { Qrels } from '../metrics/types.js';
import { checkId, decodeId } from './ids.js';
import { addJudgment } from './judgments.js';
import { scanLines, splitFields } from './lines.js';
import { parseInteger } from './numbers.js';

/**
 * Reads TREC qrels (`qid iter docid rel`, exactly 4 whitespace-separated fields; `iter` ignored; lines whose
 * first character is `#` are comments). rel must be an integer; a doc judged twice for one query is refused,
 * and so is a word (the unused iter too) that is not UTF-8 (dataset/ids.ts).
 */
export function readTrecQrels(path: string): Qrels {
  const qrels: Qrels = new Map();
  const fields = new Int32Array(10);
  let judgments = 0;
  scanLines(path, (buf, start, end, lineNumber) => {
    if (buf[start] === 35) return;
    const count = splitFields(buf, start, end, fields, 4);
    const at = (field: string) => ({ file: path, line: lineNumber, field });
    if (count === 0) return; // blank lines are harmless (trec_eval calls them malformed)
    if (count !== 4)
      throw new UserError(
        `expected 4 columns 'qid iter docid rel', found ${count > 4 ? 'more' : count}`,
        at('line'),
      );
    const [q0, q1, i0, i1, d0, d1, r0, r1] = fields as unknown as number[];
    const rel = parseInteger(buf, r0 as number, r1 as number);
    if (Number.isNaN(rel))
      throw new UserError(`relevance must be an integer, got '${buf.toString('utf8', r0, r1)}'`, at('rel'));
    const qid = decodeId(buf, q0 as number, q1 as number, path, lineNumber, 'qid');
    const docid = decodeId(buf, d0 as number, d1 as number, path, lineNumber, 'docid');
    checkId(buf, i0 as number, i1 as number, path, lineNumber, 'iter'); // unused, but text like the rest
    addJudgment(qrels, qid, docid, rel, at('docid'));
    judgments++;
  });
  if (judgments === 0) throw new UserError('the qrels file has no judgments', { file: path });
  return qrels;
}
