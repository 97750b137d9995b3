import { createHash, type Hash } from 'node:crypto';
import { closeSync, readSync } from 'node:fs';
import { openForReading } from '../files.js';
import { eachCanonicalLine, eachCanonicalQrelsLine } from './canonical.js';
import { countJudgments } from './judgments.js';
import { startReportWorker } from './report-worker.js';
import type { DatasetContent } from './types.js';

/**
 * A dataset's digest: sha256 over its canonical content (queries, corpus, qrels, each record as canonical
 * JSON in id order). Formatting, line order and the source format (native, TREC, BEIR) do not change it;
 * any change to a query, document or judgment does.
 */
export function datasetDigest(
  content: DatasetContent,
  options: { canonicalQueriesFile?: string; canonicalQrelsFile?: string } = {},
): string {
  const hash = createHash('sha256');
  hash.update('retrieval-gate dataset v1\n');
  // Each section is its line count, then its lines, hashed as they are made and a few thousand at a time
  // (a call per line cost more than the hashing; holding every line first, a heap of garbage).
  let batch = '';
  const add = (line: string): void => {
    batch += `${line}\n`;
    if (batch.length >= 1 << 16) {
      hash.update(batch);
      batch = '';
    }
  };
  add(`queries ${content.queries.size}`);
  if (options.canonicalQueriesFile === undefined) eachCanonicalLine(content.queries, add);
  else {
    // A file holding exactly those lines (loadDataset said so) is hashed as it stands.
    hash.update(batch);
    batch = '';
    hashFile(hash, options.canonicalQueriesFile);
  }
  if (content.corpus) {
    add(`corpus ${content.corpus.size}`);
    eachCanonicalLine(content.corpus, add);
  }
  add(`qrels ${countJudgments(content.qrels)}`);
  if (options.canonicalQrelsFile === undefined) {
    eachCanonicalQrelsLine(content.qrels, add);
    hash.update(batch);
  } else {
    // A file holding exactly those lines (readPlainQrelsFile said so) is hashed as it stands.
    hash.update(batch);
    hashFile(hash, options.canonicalQrelsFile);
  }
  return `sha256:${hash.digest('hex')}`;
}

/** sha256 of a file's bytes, read in chunks so a large corpus is never held in memory for it. */
export function fileSha256(path: string): string {
  const hash = createHash('sha256');
  hashFile(hash, path);
  return hash.digest('hex');
}

/** Feeds a file's bytes to a hash, a megabyte at a time. */
function hashFile(hash: Hash, path: string): void {
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openForReading(path);
  try {
    for (let read = readSync(fd, buf); read > 0; read = readSync(fd, buf)) hash.update(buf.subarray(0, read));
  } finally {
    closeSync(fd);
  }
}

/**
 * fileSha256 in a worker thread, started now, so the hashing runs beside the caller's own reading of the
 * file (the page cache serves both): hashing a 7M-line run is a tenth of its evaluation. `result()` waits
 * for the digest; a worker that could not read the file leaves the error to fileSha256, called then.
 */
export function fileSha256InBackground(path: string): { result: () => string } {
  const worker = startReportWorker<object, { sha256?: string }>(SHA256, { path });
  return { result: () => worker.report()?.sha256 ?? fileSha256(path) };
}

/** fileSha256's loop, in a worker. */
const SHA256 = `
const { createHash } = require('node:crypto');
const { closeSync, openSync, readSync } = require('node:fs');
try {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(input.path, 'r');
  try {
    for (let read = readSync(fd, buf); read > 0; read = readSync(fd, buf)) hash.update(buf.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  report({ sha256: hash.digest('hex') });
} catch {
  report({});
}
`;
