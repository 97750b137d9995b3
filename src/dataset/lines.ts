import { closeSync, openSync, readSync } from 'node:fs';
import { UserError } from '../errors.js';

/**
 * Streams a text file as lines of raw bytes, without decoding the whole file: a 7M-line run is read
 * through one reusable buffer. `onLine` gets the buffer and the line's byte range (no newline, CR kept).
 */
export function scanLines(
  path: string,
  onLine: (buf: Buffer, start: number, end: number, lineNumber: number) => void,
): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new UserError(`cannot open: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      file: path,
    });
  }
  try {
    let buf: Buffer = Buffer.allocUnsafe(1 << 22);
    let filled = 0;
    let lineNumber = 0;
    for (;;) {
      if (filled === buf.length) buf = grow(buf); // a line longer than the buffer
      const read = readSync(fd, buf, filled, buf.length - filled, null);
      const end = filled + read;
      const view = buf.subarray(0, end);
      let lineStart = 0;
      for (let i = view.indexOf(10, 0); i >= 0; i = view.indexOf(10, lineStart)) {
        onLine(buf, lineStart, i, ++lineNumber);
        lineStart = i + 1;
      }
      if (read === 0) {
        if (lineStart < end) onLine(buf, lineStart, end, ++lineNumber);
        return;
      }
      buf.copyWithin(0, lineStart, end);
      filled = end - lineStart;
    }
  } finally {
    closeSync(fd);
  }
}

function grow(buf: Buffer): Buffer {
  const bigger = Buffer.allocUnsafe(buf.length * 2);
  buf.copy(bigger);
  return bigger;
}

/** C's isspace: the field separators trec_eval accepts (so CRLF files work). */
export function isSpace(byte: number): boolean {
  return byte === 32 || (byte >= 9 && byte <= 13);
}

/**
 * Splits bytes [start, end) on whitespace into at most `max` fields, writing start/end offsets pairwise
 * into `out`. Returns the number of fields found, or max + 1 when there are more.
 */
export function splitFields(buf: Buffer, start: number, end: number, out: Int32Array, max: number): number {
  let count = 0;
  let i = start;
  for (;;) {
    while (i < end && isSpace(buf[i] as number)) i++;
    if (i >= end) return count;
    if (count === max) return max + 1;
    out[2 * count] = i;
    while (i < end && !isSpace(buf[i] as number)) i++;
    out[2 * count + 1] = i;
    count++;
  }
}
