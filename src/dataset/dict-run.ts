import { UserError } from '../errors.js';
import type { Qrels, Run } from '../metrics/types.js';
import { readUtf8File } from '../utf8.js';
import { checkIdText } from './ids.js';
import { parseJsonDocument } from './json-text.js';

/**
 * pytrec_eval's and ranx's dict form, one JSON object per file: a run `{"q1": {"d1": 1.2, "d2": 0.4}}` (doc →
 * score) and qrels the same shape with integer grades. Checked by hand rather than by schema, since the keys
 * are the data: every error names the query (and document) it is about, and the line its key is on.
 */
export function readDictRun(path: string, runId: string): Run {
  const run: Run = { runId, queries: new Map() };
  const { text, queries } = entries(path);
  for (const [qid, docs] of queries) {
    const docids: string[] = [];
    const scores: number[] = [];
    for (const [docid, score] of Object.entries(docs)) {
      if (typeof score !== 'number' || !Number.isFinite(score)) {
        throw new UserError(`the score of document '${docid}' must be a finite number`, {
          file: path,
          line: keyLine(text, [qid, docid]),
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

/** Dict qrels: integer grades (0 judged not relevant, < 0 judged and never relevant); an empty query is no judgment. */
export function readDictQrels(path: string): Qrels {
  const qrels: Qrels = new Map();
  const { text, queries } = entries(path);
  for (const [qid, docs] of queries) {
    const judged = new Map<string, number>();
    for (const [docid, grade] of Object.entries(docs)) {
      if (typeof grade !== 'number' || !Number.isInteger(grade)) {
        throw new UserError(
          `the grade of document '${docid}' must be an integer, got ${JSON.stringify(grade)}`,
          { file: path, line: keyLine(text, [qid, docid]), field: `${qid}.${docid}` },
        );
      }
      judged.set(docid, grade);
    }
    if (judged.size > 0) qrels.set(qid, judged);
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

function entries(path: string): { text: string; queries: [string, Record<string, unknown>][] } {
  const text = readUtf8File(path, dictField);
  const value = parseJsonDocument(text, path);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError('expected one JSON object of queries: {"q1": {"d1": …}}', { file: path });
  }
  const queries = Object.entries(value as Record<string, unknown>).map(
    ([qid, docs]): [string, Record<string, unknown>] => {
      if (typeof docs !== 'object' || docs === null || Array.isArray(docs)) {
        throw new UserError(`query '${qid}' must map document ids to numbers`, {
          file: path,
          line: keyLine(text, [qid]),
          field: qid,
        });
      }
      checkIdText(qid, 'query id', { file: path, line: keyLine(text, [qid]), field: qid });
      for (const docid of Object.keys(docs)) {
        checkIdText(docid, 'document id', {
          file: path,
          line: keyLine(text, [qid, docid]),
          field: `${qid}.${docid}`,
        });
      }
      return [qid, docs as Record<string, unknown>];
    },
  );
  return { text, queries };
}

/**
 * The line of a key path in a JSON document (`[qid]` or `[qid, docid]`: the first key at depth 1, then the
 * key inside its object), found by a scan that knows strings and nesting; undefined when it is not found.
 * Used for error messages only, so its cost does not matter.
 */
export function keyLine(text: string, keys: string[]): number | undefined {
  let depth = 0;
  let line = 1;
  let matched = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 123 || c === 91)
      depth++; // { [
    else if (c === 125 || c === 93) {
      depth--; // } ]
      if (matched > 0 && depth < matched + 1) return undefined; // left the object of the key found last
    } else if (c === 34) {
      let end = i + 1;
      while (end < text.length && text.charCodeAt(end) !== 34) end += text.charCodeAt(end) === 92 ? 2 : 1;
      let next = end + 1;
      while (next < text.length && /\s/.test(text.charAt(next))) next++;
      if (
        text.charAt(next) === ':' &&
        depth === matched + 1 &&
        keyText(text.slice(i, end + 1)) === keys[matched]
      ) {
        matched++;
        if (matched === keys.length) return line;
      }
      i = end; // a JSON string holds no raw newline
    }
  }
  return undefined;
}

function keyText(token: string): string | undefined {
  try {
    return JSON.parse(token) as string;
  } catch {
    return undefined;
  }
}

/** The `qid` or `qid.docid` whose key holds U+FFFD (bytes that were not UTF-8), to name it in the message. */
function dictField(lenient: string): string | undefined {
  try {
    const value = JSON.parse(lenient) as Record<string, unknown>;
    for (const [qid, docs] of Object.entries(value)) {
      if (qid.includes('\uFFFD')) return qid;
      for (const docid of Object.keys(docs ?? {})) if (docid.includes('\uFFFD')) return `${qid}.${docid}`;
    }
  } catch {
    // not JSON as well: the line is all the message can say
  }
  return undefined;
}
