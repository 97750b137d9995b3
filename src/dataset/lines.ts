import { closeSync, readSync } from 'node:fs';
import { openForReading } from '../files.js';
import { ID_SEPARATORS } from './ids.js';

/**
 * Streams a text file as lines of raw bytes, without decoding the whole file: a 7M-line run is read
 * through one reusable buffer. `onLine` gets the buffer and the line's byte range (no newline, CR kept);
 * returning false stops the reading there.
 */
export function scanLines(
  path: string,
  onLine: (buf: Buffer, start: number, end: number, lineNumber: number) => unknown,
): void {
  let lineNumber = 0;
  readChunks(path, (buf, end, last) => {
    const view = buf.subarray(0, end);
    let lineStart = 0;
    for (let i = view.indexOf(10, 0); i >= 0; i = view.indexOf(10, lineStart)) {
      if (onLine(buf, lineStart, i, ++lineNumber) === false) return -1;
      lineStart = i + 1;
    }
    if (last && lineStart < end && onLine(buf, lineStart, end, ++lineNumber) === false) return -1;
    return lineStart;
  });
}

/**
 * Streams a file of whitespace-separated columns, finding line ends and fields in one pass over the bytes
 * (much faster than a search for each newline, then a second pass per line). `onLine` gets the line's byte
 * range (no newline) and its fields as start/end pairs in `fields`; `count` is capped at max + 1.
 * `onLine` returning false stops the reading there.
 */
export function scanFields(
  path: string,
  max: number,
  onLine: (
    buf: Buffer,
    start: number,
    end: number,
    fields: Int32Array,
    count: number,
    lineNumber: number,
  ) => boolean | undefined,
): void {
  const splitter = new FieldSplitter(max);
  let lineNumber = 0;
  readChunks(path, (buf, end, last) => {
    let lineStart = 0;
    while (lineStart < end) {
      let lineEnd = splitter.split(buf, lineStart, end);
      if (lineEnd < 0) {
        if (!last) break; // the line continues in the next chunk
        lineEnd = end;
      }
      if (onLine(buf, lineStart, lineEnd, splitter.fields, splitter.count, ++lineNumber) === false) return -1;
      lineStart = lineEnd + 1;
    }
    return Math.min(lineStart, end);
  });
}

/** Splits one line into fields, remembering up to `max` of them. */
class FieldSplitter {
  readonly fields: Int32Array;
  count = 0;

  constructor(private readonly max: number) {
    this.fields = new Int32Array(2 * max);
  }

  /**
   * Splits the line starting at `start`; returns the index of its newline, or -1 if none before `end`.
   * buf[end] must be a newline (readChunks puts one there): it ends every loop, so none tests bounds.
   */
  split(buf: Buffer, start: number, end: number): number {
    const fields = this.fields;
    let count = 0;
    let i = start;
    let c = buf[i] as number;
    for (;;) {
      while (c !== 10 && isSpace(c)) c = buf[++i] as number;
      if (c === 10) break;
      const fieldStart = i;
      do c = buf[++i] as number;
      while (c > 32 || !isSpace(c)); // stops at a newline too
      if (count < this.max) {
        fields[2 * count] = fieldStart;
        fields[2 * count + 1] = i;
      }
      count++;
    }
    this.count = Math.min(count, this.max + 1);
    return i === end ? -1 : i;
  }
}

/**
 * Reads a file through one reusable buffer. `consume(buf, end, last)` gets the bytes [0, end), followed by
 * a sentinel newline at buf[end], and returns how far it consumed (the rest is kept for the next call), or
 * -1 to stop. `last` is set at the end of file.
 */
function readChunks(path: string, consume: (buf: Buffer, end: number, last: boolean) => number): void {
  const fd = openForReading(path);
  try {
    let buf: Buffer = Buffer.allocUnsafe(1 << 20);
    let filled = 0;
    for (;;) {
      if (filled === buf.length - 1) buf = grow(buf); // a line longer than the buffer
      const read = readSync(fd, buf, filled, buf.length - 1 - filled, null);
      const end = filled + read;
      buf[end] = 10;
      const consumed = consume(buf, end, read === 0);
      if (read === 0 || consumed < 0) return;
      buf.copyWithin(0, consumed, end);
      filled = end - consumed;
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
  return byte <= 32 && (byte === 32 || (byte >= 9 && byte <= 13)); // one test for the usual printable byte
}

/**
 * isSpace for decoded text. Not JavaScript's \s, which also matches Unicode spaces (U+00A0, U+3000…):
 * inside an id they are characters like any other, to trec_eval and to these readers.
 */
const SPACES = new RegExp(`${ID_SEPARATORS.source}+`); // the id alphabet's separators (dataset/ids.ts)

/** Whether text holds a column separator (an id that does cannot be written as a TREC column). */
export function hasSpace(text: string): boolean {
  return SPACES.test(text);
}

/** A line's whitespace-separated columns, as the readers split them. */
export function splitColumns(line: string): string[] {
  return line.split(SPACES).filter((column) => column !== '');
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
