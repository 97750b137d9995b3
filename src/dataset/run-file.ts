import { basename } from 'node:path';
import { columnRunJudges, type Judge, runJudges } from '../metrics/evaluate.js';
import type { Run } from '../metrics/types.js';
import { readJsonlRun } from './jsonl-run.js';
import { firstLine } from './peek.js';
import { readTrecRun, readTrecRunColumns } from './trec-run.js';

/** Reads a run file in either form: JSONL when its first non-blank line is a JSON object, TREC otherwise. */
export function readRunFile(path: string): Run {
  return looksLikeJsonl(path) ? readJsonlRun(path, runName(path)) : readTrecRun(path, 'utf8');
}

/**
 * A run file's rankings only, per query: for reading a run's measures when its doc ids are not needed. A TREC
 * file is read as columns, without a string per document (a third of the time on a million lines).
 */
export function readRunJudges(path: string): Map<string, Judge> {
  return looksLikeJsonl(path)
    ? runJudges(readJsonlRun(path, runName(path)))
    : columnRunJudges(readTrecRunColumns(path, 'utf8'));
}

function runName(path: string): string {
  return basename(path).replace(/\.[^.]*$/, '');
}

function looksLikeJsonl(path: string): boolean {
  return firstLine(path)?.startsWith('{') === true;
}
