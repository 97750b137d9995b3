/**
 * The one id convention: a query or document id is text, read and written as UTF-8 everywhere. A reader
 * decodes an id's bytes once, where it reads them (dataset/ids.ts), or keeps them as those very bytes
 * (ResultColumns); every output (trec-eval lines, JSON, TREC and JSONL files, tables, HTML, Markdown)
 * writes the string as UTF-8, so the bytes written are the bytes read. Decoding ids one way and writing
 * them another turns `ü` into `Ã¼` (issue 16).
 */
export const ID_ENCODING = 'utf8';

/**
 * Byte-order string comparison, as C's strcmp on UTF-8 bytes (what trec_eval uses for ids).
 * JavaScript's `<` compares UTF-16 code units, which disagrees with byte order only when a surrogate
 * (astral character) meets a unit in U+E000–U+FFFF; code-point order fixes that and equals UTF-8 byte order.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Moves surrogates above U+E000–U+FFFF so that unit order becomes code-point order. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  if (unit < 0xe000) return unit + 0x2000;
  return unit - 0x800;
}

/** Ids sorted in trec_eval's order (byte order). */
export function sortIds(ids: Iterable<string>): string[] {
  return [...ids].sort(compareCodePoints);
}
