import type { Qrels } from '../metrics/types.js';
import { looksLikeBeirQrels, readBeirQrels } from './beir-qrels.js';
import { looksLikeDict, readDictQrels } from './dict-run.js';
import { withPlainFile } from './gzip.js';
import { readJsonlQrelsForm } from './jsonl-qrels.js';
import { firstLine } from './peek.js';
import { readTrecQrels } from './trec-qrels.js';

/** The qrels formats, told apart by the first line that is not blank or a comment. */
export type QrelsFormat = 'trec' | 'jsonl' | 'dict' | 'beir';

/**
 * Reads a qrels file in any of the forms judgments are exchanged in: TREC (`qid iter docid rel`), JSONL
 * (`{"qid", "docid", "rel"}` per line), the pytrec_eval/ranx dict (`{"q1": {"d1": 1, "d2": 0}}`) or BEIR's
 * `query-id<TAB>corpus-id<TAB>score` TSV, each plain or gzip-compressed (dataset/gzip.ts).
 */
export function readQrelsFile(path: string): Qrels {
  return withPlainFile(path, (plain) => readPlainQrelsFile(plain).qrels);
}

/**
 * readQrelsFile for a file known to be plain text, with the format it was read as; `canonical` when its
 * bytes are exactly the canonical qrels lines (canonical.ts), which the dataset digest hashes as they are.
 */
export function readPlainQrelsFile(path: string): { qrels: Qrels; format: QrelsFormat; canonical: boolean } {
  const format = qrelsFormat(path);
  if (format === 'jsonl') return { ...readJsonlQrelsForm(path), format };
  return { qrels: readQrelsAs(path, format), format, canonical: false };
}

function readQrelsAs(path: string, format: Exclude<QrelsFormat, 'jsonl'>): Qrels {
  switch (format) {
    case 'dict':
      return readDictQrels(path);
    case 'beir':
      return readBeirQrels(path);
    case 'trec':
      return readTrecQrels(path);
  }
}

/** The format of a plain-text qrels file, from its first line. */
export function qrelsFormat(path: string): QrelsFormat {
  const line = firstLine(path) ?? '';
  if (line.startsWith('{')) return looksLikeDict(line) ? 'dict' : 'jsonl';
  return looksLikeBeirQrels(line) ? 'beir' : 'trec';
}
