import { compareCodePoints, sortIds } from '../metrics/order.js';
import type { Qrels } from '../metrics/types.js';

/** JSON with object keys sorted at every level: one spelling per value, so hashes depend on content only. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => compareCodePoints(a, b)),
        )
      : v,
  );
}

/** Records of a map in id byte order, one canonical JSON line each. */
export function canonicalLines<T>(records: Map<string, T>): string[] {
  const lines: string[] = [];
  eachCanonicalLine(records, (line) => lines.push(line));
  return lines;
}

/** canonicalLines one at a time, none of them kept. */
export function eachCanonicalLine<T>(records: Map<string, T>, onLine: (line: string) => void): void {
  for (const id of sortIds(records.keys())) onLine(canonicalJson(records.get(id)));
}

/** Qrels as canonical JSONL lines ordered by query id, then doc id (byte order). */
export function canonicalQrelsLines(qrels: Qrels): string[] {
  const lines: string[] = [];
  eachCanonicalQrelsLine(qrels, (line) => lines.push(line));
  return lines;
}

/** canonicalQrelsLines one at a time, none of them kept: a million judgments are not a million strings at once. */
export function eachCanonicalQrelsLine(qrels: Qrels, onLine: (line: string) => void): void {
  for (const qid of sortIds(qrels.keys())) {
    const judgments = qrels.get(qid) ?? new Map<string, number>();
    // canonicalJson({ qid, docid, rel }) spelt out (its keys sorted: docid, qid, rel): a million judgments
    // would otherwise build and sort a million objects.
    const query = JSON.stringify(qid);
    for (const docid of sortIds(judgments.keys()))
      onLine(
        `{"docid":${JSON.stringify(docid)},"qid":${query},"rel":${JSON.stringify(judgments.get(docid))}}`,
      );
  }
}
