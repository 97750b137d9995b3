/** One key per (query, document) pair, whatever characters the ids hold. */
export function pairKey(qid: string, docid: string): string {
  return JSON.stringify([qid, docid]);
}
