import { isAscii, isUtf8 } from 'node:buffer';
import { UserError } from '../errors.js';
import { ID_ENCODING } from '../metrics/order.js';

// Reading ids under the one id convention (ID_ENCODING, metrics/order.ts): an id's bytes are UTF-8 text,
// decoded once where they are read. Bytes that are not UTF-8 are refused rather than decoded to U+FFFD: no
// string holds them, so no output could write them back, and two such ids could become one.

/** The id in buf[start, end), refused unless it is UTF-8. */
export function decodeId(
  buf: Buffer,
  start: number,
  end: number,
  file: string,
  line: number,
  field: string,
): string {
  checkId(buf, start, end, file, line, field);
  return buf.toString(ID_ENCODING, start, end);
}

/** Refuses bytes[start, end) unless it is UTF-8. ASCII, nearly every id, is told by one loop, no call. */
export function checkId(
  bytes: Uint8Array,
  start: number,
  end: number,
  file: string,
  line: number,
  field: string,
): void {
  for (let i = start; i < end; i++) {
    if ((bytes[i] as number) < 0x80) continue;
    if (isUtf8(bytes.subarray(start, end))) return;
    const hex = Buffer.from(bytes.subarray(start, end))
      .toString('hex')
      .replace(/..(?!$)/g, '$& ');
    throw new UserError(`not UTF-8 text (bytes ${hex}): ids are read and written as UTF-8`, {
      file,
      line,
      field,
    });
  }
}

/**
 * checkId for the `count` ids packed in `bytes` (id i ends at ends[i]), found at `lineOf(i)`: a run's doc
 * ids are checked a query at a time, one native call when all are ASCII, not in the loop over its lines.
 */
export function checkIds(
  bytes: Uint8Array,
  ends: Int32Array,
  count: number,
  file: string,
  lineOf: (i: number) => number,
): void {
  if (count === 0 || isAscii(bytes.subarray(0, ends[count - 1]))) return;
  for (let i = 0; i < count; i++) {
    checkId(bytes, i === 0 ? 0 : (ends[i - 1] as number), ends[i] as number, file, lineOf(i), 'docid');
  }
}
