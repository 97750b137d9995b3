import { basename } from 'node:path';
import { columnRunJudges, type Judge, runJudges } from '../metrics/evaluate.js';
import type { Run } from '../metrics/types.js';
import { looksLikeDict, readDictRun } from './dict-run.js';
import { plainName, withPlainFile } from './gzip.js';
import { jsonlRunScan } from './jsonl-run.js';
import { looksLikeMsMarco, readMsMarcoRun } from './msmarco-run.js';
import { firstLine } from './peek.js';
import { type RunScan, readRun, readRunColumns } from './run-reader.js';
import { trecRunScan } from './trec-run.js';

/** The run formats, told apart by the first line that is not blank or a comment. */
export type RunFormat = 'trec' | 'jsonl' | 'dict' | 'msmarco';

/**
 * Reads a run file in any of the forms runs are exchanged in: TREC (`qid Q0 docid rank score tag`), JSONL,
 * the pytrec_eval/ranx dict (`{"q1": {"d1": 1.2}}`) or MS MARCO's `qid docid rank` TSV, each of them
 * plain or gzip-compressed (told by its magic bytes; dataset/gzip.ts).
 */
export function readRunFile(path: string): Run {
  return withPlainFile(path, (plain) => readPlainRunFile(plain, runName(path)));
}

/** readRunFile for a file known to be plain text; `name` is the run's tag where its format has none. */
export function readPlainRunFile(path: string, name = runName(path)): Run {
  const scan = runScan(path, name);
  if (scan) return readRun(scan);
  return runFormat(path) === 'dict' ? readDictRun(path, name) : readMsMarcoRun(path, name);
}

/**
 * A plain TREC or JSONL run file as a scan (run-reader.ts): the one reader of runs, held whole, as
 * columns or block by block. Undefined for the forms read whole by a reader of their own (dict, MS MARCO).
 */
export function runScan(path: string, name = runName(path)): RunScan | undefined {
  const format = runFormat(path);
  if (format === 'trec') return trecRunScan(path);
  return format === 'jsonl' ? jsonlRunScan(path, name) : undefined;
}

/**
 * A run file's rankings only, per query: for reading a run's measures when its doc ids are not needed. A TREC
 * or JSONL file is read as columns, without a string per document (a third of the time on a million lines).
 */
export function readRunJudges(path: string): Map<string, Judge> {
  return withPlainFile(path, (plain) => {
    const scan = runScan(plain, runName(path));
    return scan ? columnRunJudges(readRunColumns(scan)) : runJudges(readPlainRunFile(plain, runName(path)));
  });
}

/** The name a run file gives its run: the file's name without `.gz` and its extension (`bm25.trec.gz` → `bm25`). */
export function runName(path: string): string {
  return plainName(basename(path)).replace(/\.[^.]*$/, '');
}

/** The format of a plain-text run file, from its first line. */
export function runFormat(path: string): RunFormat {
  const line = firstLine(path) ?? '';
  if (line.startsWith('{')) return looksLikeDict(line) ? 'dict' : 'jsonl';
  return looksLikeMsMarco(line) ? 'msmarco' : 'trec';
}
