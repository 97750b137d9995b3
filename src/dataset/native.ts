import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { readTextFile } from '../files.js';
import type { Qrels } from '../metrics/types.js';
import { assertValid } from '../schemas.js';
import { readUtf8File } from '../utf8.js';
import { keyLine } from './dict-run.js';
import { datasetDigest, fileSha256 } from './digest.js';
import { withPlainFile } from './gzip.js';
import { checkIdText, replacementFieldOfJson } from './ids.js';
import { parseJsonDocument } from './json-text.js';
import { jsonlRecord } from './jsonl.js';
import { scanLines, splitColumns } from './lines.js';
import { plainQuery } from './plain-json.js';
import { type QrelsFormat, readPlainQrelsFile } from './qrels-file.js';
import type { Dataset, DocumentRecord, Manifest, QueryRecord } from './types.js';

export { readJsonlQrels } from './jsonl-qrels.js';

/**
 * Loads a dataset in the native layout (manifest.json, queries.jsonl, corpus.jsonl, qrels.jsonl or TREC
 * qrels), checking every file against its schema, the manifest's sha256s and digest, and the references
 * between files. `strict` turns judged-but-absent documents from a warning into an error.
 */
export function loadDataset(dir: string, options: { strict?: boolean } = {}): Dataset {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath))
    throw new UserError('not a dataset folder: manifest.json is missing', { file: dir });
  const manifest = readManifest(manifestPath);
  const path = (role: keyof Manifest['files']): string | undefined => {
    const file = manifest.files[role];
    if (!file) return undefined;
    const full = join(dir, file.path);
    if (!existsSync(full) || !statSync(full).isFile()) {
      throw new UserError(`file '${file.path}' named in the manifest does not exist`, {
        file: manifestPath,
        field: `files.${role}.path`,
      });
    }
    const actual = fileSha256(full);
    if (actual !== file.sha256) {
      throw new UserError(
        `${file.path} has changed since the manifest was written (sha256 ${actual.slice(0, 12)}…, manifest says ${file.sha256.slice(0, 12)}…). A published version is never edited: import the change as a new version`,
        { file: manifestPath, field: `files.${role}.sha256` },
      );
    }
    return full;
  };

  const queriesPath = path('queries') as string;
  // As with qrels below: a queries file in the canonical spelling is hashed by the digest as it stands.
  const { records: queries, canonical: canonicalQueries } = withPlainFile(queriesPath, (plain) => {
    const read = readRecordsForm<QueryRecord>(plain, 'query', 'query');
    return { records: read.records, canonical: read.canonical && plain === queriesPath };
  });
  const corpusPath = path('corpus');
  const corpus =
    corpusPath === undefined ? undefined : readRecords<DocumentRecord>(corpusPath, 'document', 'document');
  const qrelsPath = path('qrels') as string;
  // The format is told from the content (the manifest's `format` names it too); gzip is read through.
  const { qrels, canonical } = withPlainFile(qrelsPath, (plain) => {
    const read = readPlainQrelsFile(plain);
    checkQrelsQueries(read.qrels, queries, plain, read.format);
    // A decompressed copy is gone once this returns: the digest then makes the canonical lines itself.
    return { qrels: read.qrels, canonical: read.canonical && plain === qrelsPath };
  });
  const warnings = corpus ? checkQrelsDocuments(qrels, corpus, qrelsPath, options.strict === true) : [];

  const content = { queries, corpus, qrels };
  const digest = datasetDigest(content, {
    ...(canonicalQueries ? { canonicalQueriesFile: queriesPath } : {}),
    ...(canonical ? { canonicalQrelsFile: qrelsPath } : {}),
  });
  if (digest !== manifest.digest) {
    throw new UserError(`content digest ${digest} differs from the manifest's ${manifest.digest}`, {
      file: manifestPath,
      field: 'digest',
    });
  }
  return { ...content, manifest, dir, digest, warnings };
}

export function readManifest(manifestPath: string): Manifest {
  const value = parseJsonDocument(readUtf8File(manifestPath, replacementFieldOfJson), manifestPath);
  if ((value as { kind?: unknown } | null)?.kind === 'routes')
    throw new UserError(
      'this is a route dataset (routes and labelled utterances): evaluate routers on it with `retrieval-gate route`',
      {
        file: manifestPath,
        field: 'kind',
      },
    );
  assertValid<Manifest>('manifest', value, manifestPath);
  return value;
}

/** Reads queries or documents keyed by id (JSONL, plain or gzip-compressed), refusing an id used twice. */
export function readRecords<T extends { id: string }>(
  path: string,
  schema: 'query' | 'document',
  what: string,
): Map<string, T> {
  return withPlainFile(path, (plain) => readRecordsForm<T>(plain, schema, what).records);
}

/**
 * The records of a plain file, and (for queries) whether its bytes are exactly their canonical lines
 * (canonical.ts) in id order, each ended by a newline, as `dataset import` writes them: the digest then
 * hashes the file as it stands.
 */
export function readRecordsForm<T extends { id: string }>(
  path: string,
  schema: 'query' | 'document',
  what: string,
): { records: Map<string, T>; canonical: boolean } {
  const records = new Map<string, T>();
  const idField = `${what} id`;
  // A plain query line ({"id", "text"}, printable ASCII, no escapes) is its canonical JSON, byte for byte.
  let canonical = schema === 'query';
  let bytes = 0;
  let lastId = '';
  // A query in the spelling `dataset import` writes is read from its bytes; any other line is parsed and
  // validated, so both say the same of every line.
  const plainOf = (buf: Buffer, start: number, end: number) =>
    schema === 'query' ? (plainQuery(buf, start, end) as T | undefined) : undefined;
  scanLines(path, (buf, start, end, line) => {
    const plain = plainOf(buf, start, end);
    const record = plain ?? jsonlRecord<T>(buf, start, end, path, line, schema);
    if (record === undefined) {
      canonical = false;
      return;
    }
    // A plain line's id is a word already (printable ASCII, no space, not empty): a parsed one is checked.
    if (plain === undefined) checkIdText(record.id, idField, { file: path, line, field: 'id' });
    if (canonical) {
      // Plain ids are ASCII, where `<` is the code-point order canonical lines are sorted in.
      canonical = plain !== undefined && lastId < record.id;
      lastId = record.id;
      bytes += end - start + 1;
    }
    if (records.has(record.id)) {
      const first = firstLineOf(
        path,
        record.id,
        line,
        (buf, start, end, at) =>
          (plainOf(buf, start, end) ?? jsonlRecord<T>(buf, start, end, path, at, schema))?.id,
      );
      throw new UserError(`duplicate ${what} id '${record.id}' (first at line ${first})`, {
        file: path,
        line,
        field: 'id',
      });
    }
    records.set(record.id, record);
  });
  if (records.size === 0)
    throw new UserError(`the file has no ${what === 'query' ? 'queries' : 'documents'}`, { file: path });
  // Every line's bytes and its newline are the whole file only when the last line ends with one too.
  return { records, canonical: canonical && bytes === statSync(path).size };
}

/**
 * The first line before `before` whose id is `id`, read again (a duplicate is rare: no line numbers are
 * kept for it while reading).
 */
function firstLineOf(
  path: string,
  id: string,
  before: number,
  idOf: (buf: Buffer, start: number, end: number, line: number) => string | undefined,
): number {
  let first = 0;
  scanLines(path, (buf, start, end, line) => {
    if (first === 0 && line < before && idOf(buf, start, end, line) === id) first = line;
  });
  return first;
}

/** Judgments for a query the dataset does not have are an error: they would be evaluated against nothing. */
export function checkQrelsQueries(
  qrels: Qrels,
  queries: Map<string, QueryRecord>,
  qrelsPath: string,
  format: QrelsFormat,
): void {
  for (const qid of qrels.keys()) {
    if (!queries.has(qid)) {
      throw new UserError(`judgments for query '${qid}', which is not in the dataset's queries`, {
        file: qrelsPath,
        line: lineOfQuery(qrelsPath, qid, format),
        field: 'qid',
      });
    }
  }
}

/** The first line of a qrels file that mentions `qid`, to point the user at it. */
function lineOfQuery(path: string, qid: string, format: QrelsFormat): number | undefined {
  if (format === 'dict') return keyLine(readTextFile(path), [qid]);
  const qidOf = (line: string): unknown => {
    if (format === 'trec') return splitColumns(line)[0];
    if (format === 'beir') return line.split('\t')[0];
    try {
      return (JSON.parse(line) as { qid?: unknown }).qid;
    } catch {
      return undefined;
    }
  };
  const index = readTextFile(path)
    .split('\n')
    .findIndex((line) => qidOf(line) === qid);
  return index < 0 ? undefined : index + 1;
}

/**
 * Judged documents absent from the corpus silently cap recall (no system can retrieve them): a warning
 * with a count and examples, or an error under --strict.
 */
function checkQrelsDocuments(
  qrels: Qrels,
  corpus: Map<string, DocumentRecord>,
  qrelsPath: string,
  strict: boolean,
): string[] {
  const missing: string[] = [];
  for (const [qid, judgments] of qrels) {
    for (const docid of judgments.keys()) if (!corpus.has(docid)) missing.push(`${qid}/${docid}`);
  }
  if (missing.length === 0) return [];
  const message = `${missing.length} judgment(s) point at documents absent from the corpus, which caps recall (e.g. ${missing.slice(0, 3).join(', ')})`;
  if (strict) throw new UserError(message, { file: qrelsPath, field: 'docid' });
  return [`${qrelsPath}: ${message}`];
}
