import { createHash } from 'node:crypto';
import { closeSync, readSync } from 'node:fs';
import { openForReading } from '../files.js';
import { eachCanonicalLine, eachCanonicalQrelsLine } from './canonical.js';
import type { DatasetContent } from './types.js';

/**
 * A dataset's digest: sha256 over its canonical content (queries, corpus, qrels, each record as canonical
 * JSON in id order). Formatting, line order and the source format (native, TREC, BEIR) do not change it;
 * any change to a query, document or judgment does.
 */
export function datasetDigest(content: DatasetContent): string {
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
  eachCanonicalLine(content.queries, add);
  if (content.corpus) {
    add(`corpus ${content.corpus.size}`);
    eachCanonicalLine(content.corpus, add);
  }
  let judgments = 0;
  for (const query of content.qrels.values()) judgments += query.size;
  add(`qrels ${judgments}`);
  eachCanonicalQrelsLine(content.qrels, add);
  hash.update(batch);
  return `sha256:${hash.digest('hex')}`;
}

/** sha256 of a file's bytes, read in chunks so a large corpus is never held in memory for it. */
export function fileSha256(path: string): string {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openForReading(path);
  try {
    for (let read = readSync(fd, buf); read > 0; read = readSync(fd, buf)) hash.update(buf.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
