import { UserError } from '../../errors.js';
import type { Qrels } from '../../metrics/types.js';
import { assertValid } from '../../schemas.js';
import { readUtf8File } from '../../utf8.js';
import { checkIdText, replacementFieldOfJson } from '../ids.js';
import { parseJsonDocument } from '../json-text.js';
import { readJsonl } from '../jsonl.js';
import { addJudgment } from '../judgments.js';
import type { QueryRecord } from '../types.js';

interface SimpleItem {
  id?: string;
  query: string;
  relevant_passages: string[];
  irrelevant_passages?: string[];
}

/**
 * Reads the hand-made form `{"query", "relevant_passages": [ids], "irrelevant_passages": [ids]}`, as a
 * JSONL file or a JSON array: relevant passages are judged 1, irrelevant ones 0 (judged not relevant).
 * Queries without an `id` are numbered q1, q2, ... in file order.
 */
export function readSimpleEvalSet(path: string): { queries: Map<string, QueryRecord>; qrels: Qrels } {
  const queries = new Map<string, QueryRecord>();
  const qrels: Qrels = new Map();
  const add = (
    item: SimpleItem,
    index: number,
    where: { file: string; line?: number; field?: string },
  ): void => {
    const id = item.id ?? `q${index + 1}`;
    checkIdText(id, 'query id', { ...where, field: `${where.field ?? ''}id` });
    if (queries.has(id))
      throw new UserError(`duplicate query id '${id}'`, { ...where, field: `${where.field ?? ''}id` });
    queries.set(id, { id, text: item.query });
    item.relevant_passages.forEach((docid, i) => {
      checkIdText(docid, 'document id', { ...where, field: `${where.field ?? ''}relevant_passages[${i}]` });
    });
    (item.irrelevant_passages ?? []).forEach((docid, i) => {
      checkIdText(docid, 'document id', { ...where, field: `${where.field ?? ''}irrelevant_passages[${i}]` });
    });
    for (const docid of item.relevant_passages)
      addJudgment(qrels, id, docid, 1, { ...where, field: `${where.field ?? ''}relevant_passages` });
    for (const docid of item.irrelevant_passages ?? []) {
      addJudgment(qrels, id, docid, 0, { ...where, field: `${where.field ?? ''}irrelevant_passages` });
    }
  };
  const text = readUtf8File(path, replacementFieldOfJson);
  if (text.trimStart().startsWith('[')) {
    const items = parseJsonDocument(text, path);
    // Items of a JSON array are located by index: field "[3].relevant_passages".
    assertValid<SimpleItem[]>('simple-set', items, path);
    items.forEach((item, index) => {
      add(item, index, { file: path, field: `[${index}].` });
    });
  } else {
    let index = 0;
    readJsonl<SimpleItem>(path, 'simple-item', (item, line) => {
      add(item, index++, { file: path, line });
    });
  }
  if (queries.size === 0) throw new UserError('the eval set has no queries', { file: path });
  return { queries, qrels };
}
