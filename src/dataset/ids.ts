import { isAscii, isUtf8 } from 'node:buffer';
import { type InputLocation, UserError } from '../errors.js';
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

/**
 * The id alphabet, the one rule every reader and `dataset import` apply to query and document ids: an id
 * is UTF-8 text of at least one character, without the bytes C's isspace calls whitespace (space, tab,
 * newline, carriage return, vertical tab, form feed), since TREC run and qrels files split their columns on
 * them. Any other character is allowed (Unicode spaces such as U+00A0 are characters like any other, to
 * trec_eval and to these readers).
 */
export const ID_SEPARATORS = /[\t\n\v\f\r ]/;

const SEPARATOR_NAMES: Record<string, string> = {
  ' ': 'a space',
  '\t': 'a tab',
  '\n': 'a newline',
  '\v': 'a vertical tab',
  '\f': 'a form feed',
  '\r': 'a carriage return',
};

/** Why `id` is outside the id alphabet, or undefined when it is a valid id. */
export function idProblem(id: string): string | undefined {
  if (id === '') return 'an id must not be empty';
  const match = ID_SEPARATORS.exec(id);
  if (!match) return undefined;
  return `${SEPARATOR_NAMES[match[0]] ?? 'whitespace'} at character ${match.index + 1}: TREC run and qrels files split columns on whitespace, so an id is one word`;
}

/** Refuses an id (already decoded) outside the id alphabet; `what` names it ("query id", "document id"). */
export function checkIdText(id: string, what: string, location: InputLocation): string {
  const problem = idProblem(id);
  if (problem !== undefined)
    throw new UserError(`${what} ${JSON.stringify(id)} is refused: ${problem}`, location);
  return id;
}

/**
 * The path ("results[2].docid", "text") of the first key or string in a JSON value holding U+FFFD, the mark
 * a lenient decoding leaves where bytes were not UTF-8: which field of a JSON line they sit in.
 */
export function replacementField(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\uFFFD') ? path || undefined : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = replacementField(value[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const name = path === '' ? key : `${path}.${key}`;
      if (key.includes('\uFFFD')) return name;
      const found = replacementField(item, name);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** replacementField of a JSON text, or undefined when it does not parse. */
export function replacementFieldOfJson(text: string): string | undefined {
  try {
    return replacementField(JSON.parse(text));
  } catch {
    return undefined;
  }
}
