/**
 * A number as the report stores it: 4 significant digits. Enough to tell scores and per-query values apart
 * on screen, at a third of the bytes of a full double, which matters at 10,000 queries × several systems.
 */
export function significant(x: number): number {
  return Number(x.toPrecision(4));
}
