import { createHash } from 'node:crypto';
import type { SourceRecord } from './source.js';

/**
 * sha256 (hex) of a text as UTF-8: the digest `index build` stores with each vector (lifecycle's
 * contentDigest, a floor above this one), so a source's record and an index's point compare directly.
 */
export function contentDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Records held in memory handed to `visit` a page at a time, each page awaited before the next. */
export async function visitInPages(
  records: readonly SourceRecord[],
  visit: (page: SourceRecord[]) => void | Promise<void>,
  pageSize = 5000,
): Promise<{ rows: number }> {
  for (let start = 0; start < records.length; start += pageSize) {
    await visit(records.slice(start, start + pageSize));
  }
  return { rows: records.length };
}
