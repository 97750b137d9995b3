import { UserError } from '../errors.js';
import type { Qrels } from '../metrics/types.js';
import { checkIdText } from './ids.js';
import { readJsonl } from './jsonl.js';
import { addJudgment } from './judgments.js';

/** Reads qrels.jsonl, `{"qid", "docid", "rel"}` per line (rel an integer), refusing a document judged twice. */
export function readJsonlQrels(path: string): Qrels {
  const qrels: Qrels = new Map();
  const count = readJsonl<{ qid: string; docid: string; rel: number }>(
    path,
    'qrel',
    ({ qid, docid, rel }, line) => {
      checkIdText(qid, 'query id', { file: path, line, field: 'qid' });
      checkIdText(docid, 'document id', { file: path, line, field: 'docid' });
      addJudgment(qrels, qid, docid, rel, { file: path, line, field: 'docid' });
    },
  );
  if (count === 0) throw new UserError('the qrels file has no judgments', { file: path });
  return qrels;
}
