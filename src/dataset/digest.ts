import { createHash } from 'node:crypto';
import { closeSync, readSync } from 'node:fs';
import { openForReading } from '../files.js';
import { canonicalLines, canonicalQrelsLines } from './canonical.js';
import type { DatasetContent } from './types.js';

/**
 * A dataset's digest: sha256 over its canonical content (queries, corpus, qrels, each record as canonical
 * JSON in id order). Formatting, line order and the source format (native, TREC, BEIR) do not change it;
 * any change to a query, document or judgment does.
 */
export function datasetDigest(content: DatasetContent): string {
  const hash = createHash('sha256');
  hash.update('retrieval-gate dataset v1\n');
  const section = (name: string, lines: string[]): void => {
    hash.update(`${name} ${lines.length}\n`);
    for (const line of lines) hash.update(`${line}\n`);
  };
  section('queries', canonicalLines(content.queries));
  if (content.corpus) section('corpus', canonicalLines(content.corpus));
  section('qrels', canonicalQrelsLines(content.qrels));
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
