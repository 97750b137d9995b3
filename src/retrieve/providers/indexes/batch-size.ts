/** A runner batch size an in-process index was given: a positive integer, or a RangeError. */
export function batchSizeOf(size: number): number {
  if (!(Number.isInteger(size) && size >= 1)) {
    throw new RangeError(`batch size must be a positive integer, got ${size}`);
  }
  return size;
}
