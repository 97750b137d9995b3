import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { UserError } from './errors.js';
import { readTextFile } from './files.js';

/**
 * Text files are UTF-8. Bytes that are not (Latin-1 and other legacy encodings) are refused, naming the file,
 * the line and the bytes, rather than decoded to U+FFFD: a silently changed id or query text would be
 * measured as something else. Datasets, runs, configs, policies and baselines are all read this way.
 */

/** The offset of the first byte of `bytes` that does not belong to a well-formed UTF-8 sequence, or -1. */
export function invalidUtf8Offset(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let i = start;
  while (i < end) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > end || !isUtf8(bytes.subarray(i, i + length))) return i;
    i += length;
  }
  return -1;
}

/** "bytes e9 20 6c" around an offset: what a message shows of bytes that are not UTF-8. */
function shownBytes(bytes: Uint8Array, offset: number): string {
  return Buffer.from(bytes.subarray(offset, Math.min(offset + 4, bytes.length)))
    .toString('hex')
    .replace(/..(?!$)/g, '$& ');
}

/**
 * Decodes bytes[start, end) as UTF-8, refusing bytes that are not (rather than reading them as U+FFFD):
 * the message names the byte, its column and the file and line. `field` may name the JSON field the bytes
 * sit in; `fieldOf` finds it only when the bytes are bad (it gets the text decoded leniently).
 */
export function decodeUtf8(
  buf: Uint8Array,
  start: number,
  end: number,
  file: string,
  line: number | undefined,
  fieldOf?: (lenient: string) => string | undefined,
): string {
  const bytes = buf.subarray(start, end);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  if (!text.includes('\uFFFD') || isUtf8(bytes)) return text;
  throw notUtf8(bytes, file, line, fieldOf?.(text));
}

/** A whole file's text, read strictly as UTF-8 (decodeUtf8): the line is that of the first bad byte. */
export function decodeUtf8File(
  bytes: Uint8Array,
  file: string,
  fieldOf?: (lenient: string) => string | undefined,
): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  if (!text.includes('\uFFFD') || isUtf8(bytes)) return text;
  const offset = Math.max(0, invalidUtf8Offset(bytes));
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 10) line++;
  throw notUtf8(bytes, file, line, fieldOf?.(text), offset);
}

function notUtf8(
  bytes: Uint8Array,
  file: string,
  line: number | undefined,
  field: string | undefined,
  at = Math.max(0, invalidUtf8Offset(bytes)),
): UserError {
  const lineStart = bytes.lastIndexOf(10, at - 1) + 1;
  return new UserError(
    `not UTF-8 text (bytes ${shownBytes(bytes, at)} at byte ${at - lineStart + 1} of the line; Latin-1 or another legacy encoding?): files are read as UTF-8, convert it first (e.g. iconv -f latin1 -t utf-8)`,
    { file, ...(line === undefined ? {} : { line }), ...(field === undefined ? {} : { field }) },
  );
}

/**
 * A whole text file, read strictly as UTF-8 (decodeUtf8File). Valid files cost one search for U+FFFD; the
 * bytes are read again only when it is there.
 */
export function readUtf8File(path: string, fieldOf?: (lenient: string) => string | undefined): string {
  const text = readTextFile(path);
  if (!text.includes('\uFFFD')) return text;
  return decodeUtf8File(readFileSync(path), path, fieldOf);
}
