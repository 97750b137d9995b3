import { basename } from 'node:path';
import { columnRunJudges, type Judge, runJudges } from '../metrics/evaluate.js';
import type { Run } from '../metrics/types.js';
import { looksLikeDict, readDictRun } from './dict-run.js';
import { readJsonlRun } from './jsonl-run.js';
import { looksLikeMsMarco, readMsMarcoRun } from './msmarco-run.js';
import { firstLine } from './peek.js';
import { readTrecRun, readTrecRunColumns } from './trec-run.js';

/** The run formats, told apart by the first line that is not blank or a comment. */
type RunFormat = 'trec' | 'jsonl' | 'dict' | 'msmarco';

/**
 * Reads a run file in any of the forms runs are exchanged in: TREC (`qid Q0 docid rank score tag`), JSONL,
 * the pytrec_eval/ranx dict (`{"q1": {"d1": 1.2}}`) or MS MARCO's `qid docid rank` TSV.
 */
export function readRunFile(path: string): Run {
  switch (runFormat(path)) {
    case 'jsonl':
      return readJsonlRun(path, runName(path));
    case 'dict':
      return readDictRun(path, runName(path));
    case 'msmarco':
      return readMsMarcoRun(path, runName(path));
    case 'trec':
      return readTrecRun(path);
  }
}

/**
 * A run file's rankings only, per query: for reading a run's measures when its doc ids are not needed. A TREC
 * file is read as columns, without a string per document (a third of the time on a million lines).
 */
export function readRunJudges(path: string): Map<string, Judge> {
  return runFormat(path) === 'trec'
    ? columnRunJudges(readTrecRunColumns(path))
    : runJudges(readRunFile(path));
}

function runName(path: string): string {
  return basename(path).replace(/\.[^.]*$/, '');
}

function runFormat(path: string): RunFormat {
  const line = firstLine(path) ?? '';
  if (line.startsWith('{')) return looksLikeDict(line) ? 'dict' : 'jsonl';
  return looksLikeMsMarco(line) ? 'msmarco' : 'trec';
}
