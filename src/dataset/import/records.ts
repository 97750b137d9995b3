import { UserError } from '../../errors.js';
import { decodeUtf8 } from '../../utf8.js';
import { withPlainFile } from '../gzip.js';
import { checkIdText } from '../ids.js';
import { readJsonl } from '../jsonl.js';
import { scanLines } from '../lines.js';
import { readRecords } from '../native.js';
import { firstLine } from '../peek.js';
import type { DocumentRecord, QueryRecord } from '../types.js';
import { looksLikeTopics, readTrecTopics } from './trec-topics.js';

/**
 * Reads a BEIR corpus.jsonl or queries.jsonl (`_id`, `title`, `text`, `metadata`; plain or gzip-compressed)
 * into native records: `_id` becomes `id`, every other field (metadata too) is kept as it is.
 */
export function readBeirRecords<T extends QueryRecord | DocumentRecord>(
  path: string,
  what: string,
): Map<string, T> {
  return withPlainFile(path, (plain) => readPlainBeirRecords<T>(plain, what));
}

function readPlainBeirRecords<T extends QueryRecord | DocumentRecord>(
  path: string,
  what: string,
): Map<string, T> {
  const records = new Map<string, T>();
  readJsonl<{ _id: string; [key: string]: unknown }>(path, 'beir-record', ({ _id, ...rest }, line) => {
    checkIdText(_id, `${what} id`, { file: path, line, field: '_id' });
    if (records.has(_id))
      throw new UserError(`duplicate ${what} id '${_id}'`, { file: path, line, field: '_id' });
    records.set(_id, { id: _id, ...rest } as T);
  });
  return records;
}

/**
 * Queries for `--queries`: JSONL in the native (`id`) or BEIR (`_id`) form, TSV lines `qid<TAB>text` or TREC
 * topics; plain or gzip-compressed.
 */
export function readQueriesFile(path: string): Map<string, QueryRecord> {
  return withPlainFile(path, (plain) => {
    if (looksLikeTopics(firstLine(plain))) return readTrecTopics(plain);
    if (/\.(tsv|txt)$/i.test(plain)) return readQueriesTsv(plain);
    return firstJsonlHasUnderscoreId(plain)
      ? readBeirRecords(plain, 'query')
      : readRecords<QueryRecord>(plain, 'query', 'query');
  });
}

/** A corpus for `--corpus`: JSONL in the native or the BEIR form, plain or gzip-compressed. */
export function readCorpusFile(path: string): Map<string, DocumentRecord> {
  return withPlainFile(path, (plain) =>
    firstJsonlHasUnderscoreId(plain)
      ? readBeirRecords(plain, 'document')
      : readRecords<DocumentRecord>(plain, 'document', 'document'),
  );
}

function firstJsonlHasUnderscoreId(path: string): boolean {
  return firstLine(path)?.includes('"_id"') === true;
}

function readQueriesTsv(path: string): Map<string, QueryRecord> {
  const queries = new Map<string, QueryRecord>();
  scanLines(path, (buf, start, end, line) => {
    const text = decodeUtf8(buf, start, end, path, line).replace(/\r$/, '');
    if (text.trim() === '') return;
    const tab = text.indexOf('\t');
    if (tab <= 0) throw new UserError("expected 'qid<TAB>text'", { file: path, line, field: 'text' });
    const id = checkIdText(text.slice(0, tab), 'query id', { file: path, line, field: 'qid' });
    const queryText = text.slice(tab + 1).trim();
    if (queryText === '') throw new UserError('must not be empty', { file: path, line, field: 'text' });
    if (queries.has(id))
      throw new UserError(`duplicate query id '${id}'`, { file: path, line, field: 'qid' });
    queries.set(id, { id, text: queryText });
  });
  return queries;
}
