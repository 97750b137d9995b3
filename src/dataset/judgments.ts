import { UserError } from '../errors.js';
import type { Qrels } from '../metrics/types.js';

/** Adds one judgment, refusing a second judgment of the same document for the same query. */
export function addJudgment(
  qrels: Qrels,
  qid: string,
  docid: string,
  rel: number,
  where: { file: string; line?: number; field?: string },
): void {
  let judgments = qrels.get(qid);
  if (!judgments) {
    judgments = new Map();
    qrels.set(qid, judgments);
  }
  if (judgments.has(docid))
    throw new UserError(`document '${docid}' is judged twice for query '${qid}'`, where);
  judgments.set(docid, rel);
}

/** How many (query, document) judgments a qrels holds. */
export function countJudgments(qrels: Qrels): number {
  let count = 0;
  for (const judgments of qrels.values()) count += judgments.size;
  return count;
}
