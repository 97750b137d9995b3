import { basename } from 'node:path';
import type { Run } from '../metrics/types.js';
import { readJsonlRun } from './jsonl-run.js';
import { firstLine } from './peek.js';
import { readTrecRun } from './trec-run.js';

/** Reads a run file in either form: JSONL when its first non-blank line is a JSON object, TREC otherwise. */
export function readRunFile(path: string): Run {
  return looksLikeJsonl(path)
    ? readJsonlRun(path, basename(path).replace(/\.[^.]*$/, ''))
    : readTrecRun(path, 'utf8');
}

function looksLikeJsonl(path: string): boolean {
  return firstLine(path)?.startsWith('{') === true;
}
