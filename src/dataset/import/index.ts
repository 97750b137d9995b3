import { UserError } from '../../errors.js';
import { checkQrelsQueries } from '../native.js';
import { readTrecQrels } from '../trec-qrels.js';
import type { DatasetContent } from '../types.js';
import { readBeirFolder } from './beir.js';
import { readCorpusFile, readQueriesFile } from './records.js';
import { readSimpleEvalSet } from './simple.js';

export type ImportFormat = 'beir' | 'trec' | 'simple';

export interface ImportOptions {
  /** BEIR split whose qrels are imported (qrels/<split>.tsv). */
  split?: string;
  /** Queries for TREC qrels: JSONL (native or BEIR) or TSV `qid<TAB>text`. */
  queries?: string;
  /** A corpus for TREC qrels or a simple eval set: JSONL (native or BEIR). */
  corpus?: string;
}

/** Reads a dataset from a foreign format into memory; `writeDataset` then stores it natively. */
export function readForeignDataset(
  format: ImportFormat,
  source: string,
  options: ImportOptions,
): DatasetContent {
  switch (format) {
    case 'beir':
      return readBeirFolder(source, options.split ?? 'test');
    case 'trec': {
      if (!options.queries)
        throw new UserError('--from trec needs --queries FILE (JSONL or qid<TAB>text lines)');
      const queries = readQueriesFile(options.queries);
      const qrels = readTrecQrels(source);
      checkQrelsQueries(qrels, queries, source, 'trec');
      return { queries, qrels, ...(options.corpus ? { corpus: readCorpusFile(options.corpus) } : {}) };
    }
    case 'simple':
      return {
        ...readSimpleEvalSet(source),
        ...(options.corpus ? { corpus: readCorpusFile(options.corpus) } : {}),
      };
  }
}
