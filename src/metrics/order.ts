/**
 * Byte-order string comparison, as C's strcmp on UTF-8 bytes (what trec_eval uses for ids).
 * JavaScript's `<` compares UTF-16 code units, which disagrees with byte order only when a surrogate
 * (astral character) meets a unit in U+E000–U+FFFF; code-point order fixes that and equals UTF-8 byte order.
 * Strings decoded as latin1 (one char per byte) compare in byte order under the same rule.
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
