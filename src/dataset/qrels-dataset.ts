import { basename } from 'node:path';
import { UserError } from '../errors.js';
import { datasetDigest, fileSha256 } from './digest.js';
import { countJudgments } from './judgments.js';
import { readQrelsFile } from './qrels-file.js';
import type { Dataset, QueryRecord } from './types.js';

/** Hex digits of the digest that name a qrels-only dataset's version: enough to tell two files apart. */
const VERSION_DIGITS = 12;

/**
 * A qrels file on its own as a dataset, for trec_eval's users who have judgments and runs but no dataset
 * folder: its queries are the judged ones (without text), it has no corpus, and it is named after its file
 * and versioned by its content digest (`qrels.txt@3f2a9c0d1e2b`), so a result still says exactly what it
 * was measured on. Any qrels form is read, gzip-compressed too (qrels-file.ts).
 */
export function qrelsOnlyDataset(path: string): Dataset {
  const qrels = readQrelsFile(path);
  if (qrels.size === 0) throw new UserError('the qrels file holds no judgments', { file: path });
  const queries = new Map<string, QueryRecord>([...qrels.keys()].map((id) => [id, { id, text: '' }]));
  const digest = datasetDigest({ queries, qrels });
  const judgments = countJudgments(qrels);
  // The one file is the source of the queries (the judged ones) and of the judgments.
  const file = { path, sha256: fileSha256(path) };
  return {
    queries,
    qrels,
    digest,
    dir: path,
    warnings: [],
    manifest: {
      schemaVersion: 1,
      name: basename(path),
      version: digest.slice('sha256:'.length, 'sha256:'.length + VERSION_DIGITS),
      description: `the judgments of ${basename(path)}, without queries' text or a corpus`,
      created: '',
      source: path,
      licence: 'unknown',
      files: { queries: file, qrels: file },
      counts: { queries: queries.size, documents: 0, judgments },
      digest,
    },
  };
}
