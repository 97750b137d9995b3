import type { QueryRecord } from './types.js';

// JSON strings matched on a line's bytes, for the byte paths of qrels.jsonl and queries.jsonl: a string of
// printable ASCII with no escape means the same to JSON.parse, so such lines skip the parser and the schema.

const QUOTE = 0x22;

/**
 * The index of the closing quote of a plain string starting at buf[at], or -1: printable ASCII without
 * quotes or backslashes, and no space either unless `spaces` (an id has none; a query's text may).
 */
export function plainString(buf: Buffer, at: number, end: number, spaces = false): number {
  if (buf[at] !== QUOTE) return -1;
  const lowest = spaces ? 0x20 : 0x21;
  for (let i = at + 1; i < end; i++) {
    const c = buf[i] as number;
    if (c === QUOTE) return i;
    if (c < lowest || c >= 0x7f || c === 0x5c) return -1; // (space,) control, non-ASCII, backslash
  }
  return -1;
}

/** Whether the ASCII bytes buf[start, end) spell `text`, without making a string of them. */
export function sameText(buf: Buffer, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (buf[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

const QUERY_OPEN = '{"id":';
const QUERY_TEXT = ',"text":';

/**
 * Matches `{"id":"q1","text":"what is it"}`, a query as `dataset import` writes one without metadata: the
 * id not empty, the text not blank. undefined leaves any other line to JSON.parse and the query schema.
 */
export function plainQuery(buf: Buffer, start: number, end: number): QueryRecord | undefined {
  if (!sameText(buf, start, start + QUERY_OPEN.length, QUERY_OPEN)) return undefined;
  const idStart = start + QUERY_OPEN.length;
  const idClose = plainString(buf, idStart, end);
  if (idClose <= idStart + 1) return undefined; // no string, or an empty one (the schema's to refuse)
  const textStart = idClose + 1 + QUERY_TEXT.length;
  if (!sameText(buf, idClose + 1, textStart, QUERY_TEXT)) return undefined;
  const textClose = plainString(buf, textStart, end, true);
  if (textClose < 0 || textClose !== end - 2 || buf[end - 1] !== 0x7d) return undefined; // … "}
  let blank = true;
  for (let i = textStart + 1; i < textClose && blank; i++) blank = buf[i] === 0x20;
  if (blank) return undefined; // the schema's to refuse, with its message
  return {
    id: buf.toString('latin1', idStart + 1, idClose),
    text: buf.toString('latin1', textStart + 1, textClose),
  };
}
