import { UserError } from '../errors.js';
import { readTextFile } from '../files.js';
import type { Qrels, Run } from '../metrics/types.js';
import { parseJsonDocument } from './json-text.js';

/**
 * pytrec_eval's and ranx's dict form, one JSON object per file: a run `{"q1": {"d1": 1.2, "d2": 0.4}}` (doc →
 * score) and qrels the same shape with integer grades. Checked by hand rather than by schema, since the keys
 * are the data: every error names the query (and document) it is about.
 */
export function readDictRun(path: string, runId: string): Run {
  const run: Run = { runId, queries: new Map() };
  for (const [qid, docs] of entries(path)) {
    const docids: string[] = [];
    const scores: number[] = [];
    for (const [docid, score] of Object.entries(docs)) {
      if (typeof score !== 'number' || !Number.isFinite(score)) {
        throw new UserError(`the score of document '${docid}' must be a finite number`, {
          file: path,
          field: `${qid}.${docid}`,
        });
      }
      docids.push(docid);
      scores.push(score);
    }
    if (docids.length > 0) run.queries.set(qid, { docids, scores });
  }
  if (run.queries.size === 0) throw new UserError('the run has no results', { file: path });
  return run;
}

export function readDictQrels(path: string): Qrels {
  const qrels: Qrels = new Map();
  for (const [qid, docs] of entries(path)) {
    const judged = new Map<string, number>();
    for (const [docid, grade] of Object.entries(docs)) {
      if (typeof grade !== 'number' || !Number.isInteger(grade)) {
        throw new UserError(`the grade of document '${docid}' must be an integer`, {
          file: path,
          field: `${qid}.${docid}`,
        });
      }
      judged.set(docid, grade);
    }
    qrels.set(qid, judged);
  }
  if (qrels.size === 0) throw new UserError('the qrels have no judgments', { file: path });
  return qrels;
}

/** Whether a file is in the dict form: one JSON object whose values are objects (not a JSONL run line). */
export function looksLikeDict(firstLine: string): boolean {
  if (firstLine === '{') return true;
  if (!firstLine.startsWith('{')) return false;
  try {
    const value = JSON.parse(firstLine) as Record<string, unknown>;
    return (
      !('qid' in value) &&
      Object.values(value).every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
    );
  } catch {
    // A line of a larger object (pretty-printed) or of a JSONL line cut short: a JSONL line parses alone.
    return !/"qid"\s*:/.test(firstLine);
  }
}

function entries(path: string): [string, Record<string, unknown>][] {
  const value = parseJsonDocument(readTextFile(path), path);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError('expected one JSON object of queries: {"q1": {"d1": …}}', { file: path });
  }
  return Object.entries(value as Record<string, unknown>).map(([qid, docs]) => {
    if (typeof docs !== 'object' || docs === null || Array.isArray(docs)) {
      throw new UserError(`query '${qid}' must map document ids to numbers`, { file: path, field: qid });
    }
    return [qid, docs as Record<string, unknown>];
  });
}
