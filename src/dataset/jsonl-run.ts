import { UserError } from '../errors.js';
import type { Run } from '../metrics/types.js';
import { checkIdText } from './ids.js';
import { jsonlRecord } from './jsonl.js';
import { scanLines } from './lines.js';
import type { QueryBuilder } from './query-collector.js';
import { type RunScan, readRun } from './run-reader.js';

/** A \ud800-style escape without its pair: a string, but no UTF-8 text (and every such id would encode alike). */
const LONE_SURROGATE = /\p{Cs}/u;

interface RunLine {
  qid: string;
  docid?: string;
  score?: number;
  results?: { docid: string; score: number }[];
}

/**
 * Reads a JSONL run: one result per line (`{"qid", "docid", "score"}`) or one query per line
 * (`{"qid", "results": [{"docid", "score"}]}`); the two may be mixed, but not for one query's doc twice.
 * The run's tag is `runId` (the file's name).
 */
export function readJsonlRun(path: string, runId: string, options: { emptyAllowed?: boolean } = {}): Run {
  return readRun(jsonlRunScan(path, runId, options));
}

/**
 * The JSONL run at `path` as a scan (run-reader.ts), so it is read as TREC runs are: its results go
 * straight into the reader's builders as bytes, a query's block ending where a line of another query starts.
 * A run without results is refused unless `emptyAllowed` (a shard whose queries all found nothing).
 */
export function jsonlRunScan(path: string, runId: string, { emptyAllowed = false } = {}): RunScan {
  return (enter) => {
    let builder: QueryBuilder | undefined;
    let qid: string | undefined;
    let results = 0;
    let id = Buffer.allocUnsafe(256); // the doc id being added, encoded once
    const add = (docid: string, score: number, line: number, field: string): void => {
      checkIdText(docid, 'document id', { file: path, line, field });
      if (LONE_SURROGATE.test(docid)) {
        throw new UserError('not UTF-8 text (a lone surrogate escape): ids are read and written as UTF-8', {
          file: path,
          line,
          field,
        });
      }
      if (3 * docid.length > id.length) id = Buffer.allocUnsafe(3 * docid.length); // UTF-8: ≤ 3 bytes a unit
      const first = (builder as QueryBuilder).add(id, 0, id.write(docid), score, line);
      if (first !== undefined) {
        const where = first > 0 ? ` (first at line ${first})` : ''; // 0: a query read back (interleaved)
        throw new UserError(`document '${docid}' appears twice in the results of query '${qid}'${where}`, {
          file: path,
          line,
          field,
        });
      }
      results++;
    };
    scanLines(path, (buf, start, end, line) => {
      const record = jsonlRecord<RunLine>(buf, start, end, path, line, 'run-line');
      if (record === undefined) return true;
      checkIdText(record.qid, 'query id', { file: path, line, field: 'qid' });
      if (record.qid !== qid) {
        qid = record.qid;
        builder = enter(qid);
        if (builder === undefined) return false;
      }
      if (record.results) {
        record.results.forEach((result, i) => {
          add(result.docid, result.score, line, `results[${i}].docid`);
        });
      } else {
        add(record.docid as string, record.score as number, line, 'docid');
      }
      return true;
    });
    if (results === 0 && !emptyAllowed) throw new UserError('the run has no results', { file: path });
    return runId;
  };
}
