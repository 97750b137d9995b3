import { UserError } from '../errors.js';
import type { QueryResults, Run } from '../metrics/types.js';
import { checkIdText } from './ids.js';
import { readJsonl } from './jsonl.js';

interface RunLine {
  qid: string;
  docid?: string;
  score?: number;
  results?: { docid: string; score: number }[];
}

/**
 * Reads a JSONL run: one result per line (`{"qid", "docid", "score"}`) or one query per line
 * (`{"qid", "results": [{"docid", "score"}]}`); the two may not be mixed for one query's doc twice.
 * The run's tag is the file name unless a line carries `runId`.
 */
export function readJsonlRun(path: string, runId: string): Run {
  const queries = new Map<string, QueryResults & { firstLine: Map<string, number> }>();
  const add = (qid: string, docid: string, score: number, line: number, field: string): void => {
    checkIdText(docid, 'document id', { file: path, line, field });
    let query = queries.get(qid);
    if (!query) {
      query = { docids: [], scores: [], firstLine: new Map() };
      queries.set(qid, query);
    }
    const first = query.firstLine.get(docid);
    if (first !== undefined) {
      throw new UserError(
        `document '${docid}' appears twice in the results of query '${qid}' (first at line ${first})`,
        {
          file: path,
          line,
          field,
        },
      );
    }
    query.firstLine.set(docid, line);
    query.docids.push(docid);
    query.scores.push(score);
  };
  const lines = readJsonl<RunLine>(path, 'run-line', (record, line) => {
    checkIdText(record.qid, 'query id', { file: path, line, field: 'qid' });
    if (record.results) {
      record.results.forEach((result, i) => {
        add(record.qid, result.docid, result.score, line, `results[${i}].docid`);
      });
    } else {
      add(record.qid, record.docid as string, record.score as number, line, 'docid');
    }
  });
  if (lines === 0 || [...queries.values()].every((q) => q.docids.length === 0)) {
    throw new UserError('the run has no results', { file: path });
  }
  const run: Run = { runId, queries: new Map() };
  for (const [qid, { docids, scores }] of queries) run.queries.set(qid, { docids, scores });
  return run;
}
