import { compareCodePoints, sortIds } from '../metrics/order.js';
import type { Qrels } from '../metrics/types.js';

/** JSON with object keys sorted at every level: one spelling per value, so hashes depend on content only. */
export function canonicalJson(value: unknown): string {
  // A record like a query's ({"id", "text"}) is already canonical: the replacer's copies are for the others.
  if (isFlatAndSorted(value)) return JSON.stringify(value);
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => compareCodePoints(a, b)),
        )
      : v,
  );
}

/** An object of primitive members whose keys are in code-point order already (JSON writes them as they stand). */
function isFlatAndSorted(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const member = (value as Record<string, unknown>)[keys[i] as string];
    if (member !== null && typeof member === 'object') return false;
    if (i > 0 && compareCodePoints(keys[i - 1] as string, keys[i] as string) >= 0) return false;
  }
  return true;
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
