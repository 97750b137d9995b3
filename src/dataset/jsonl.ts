import { assertValid, type SchemaName } from '../schemas.js';
import { decodeUtf8 } from '../utf8.js';
import { replacementFieldOfJson } from './ids.js';
import { parseJsonLine } from './json-text.js';
import { scanLines } from './lines.js';

/**
 * Streams a JSONL file: each non-blank line is parsed, validated against `schema`, and handed to
 * `onRecord` with its line number. Malformed JSON and bytes that are not UTF-8 are reported with file and line
 * (and the field the bytes sit in).
 */
export function readJsonl<T>(
  path: string,
  schema: SchemaName,
  onRecord: (record: T, line: number) => void,
): number {
  let count = 0;
  scanLines(path, (buf, start, end, lineNumber) => {
    const record = jsonlRecord<T>(buf, start, end, path, lineNumber, schema);
    if (record === undefined) return;
    onRecord(record, lineNumber);
    count++;
  });
  return count;
}

/** One JSONL line's record, parsed and validated as readJsonl does; undefined for a blank line. */
export function jsonlRecord<T>(
  buf: Buffer,
  start: number,
  end: number,
  path: string,
  lineNumber: number,
  schema: SchemaName,
): T | undefined {
  let text = decodeUtf8(buf, start, end, path, lineNumber, replacementFieldOfJson);
  if (lineNumber === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // byte-order mark
  if (text.trim() === '') return undefined;
  const value = parseJsonLine(text, path, lineNumber);
  assertValid<T>(schema, value, path, lineNumber);
  return value;
}
