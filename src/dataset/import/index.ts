import { UserError } from '../../errors.js';
import { withPlainFile } from '../gzip.js';
import { checkQrelsQueries } from '../native.js';
import { readPlainQrelsFile } from '../qrels-file.js';
import type { DatasetContent } from '../types.js';
import { readBeirFolder } from './beir.js';
import { readCorpusFile, readQueriesFile } from './records.js';
import { readSimpleEvalSet } from './simple.js';
import { readSmartFolder, type SmartRelevance } from './smart.js';

export type ImportFormat = 'beir' | 'trec' | 'simple' | 'smart';

export interface ImportOptions {
  /** BEIR split(s) whose qrels are imported (qrels/<split>.tsv); several comma-separated are merged. */
  split?: string;
  /** Queries for TREC qrels: JSONL (native or BEIR), TSV `qid<TAB>text` or TREC topics. */
  queries?: string;
  /** A corpus for TREC qrels or a simple eval set: JSONL (native or BEIR). */
  corpus?: string;
  /** How a SMART collection's 3-column relevance codes (Cranfield's) become grades (smart.ts). */
  relevance?: SmartRelevance;
}

/** What an import read, and what it has to say about it (e.g. the queries it left out). */
export interface ForeignDataset extends DatasetContent {
  notes: string[];
}

/** Reads a dataset from a foreign format into memory; `writeDataset` then stores it natively. */
export function readForeignDataset(
  format: ImportFormat,
  source: string,
  options: ImportOptions,
): ForeignDataset {
  switch (format) {
    case 'beir': {
      const { splits, unjudgedQueries, ...content } = readBeirFolder(source, options.split ?? 'test');
      const notes =
        unjudgedQueries > 0
          ? [
              `${unjudgedQueries} ${unjudgedQueries === 1 ? 'query' : 'queries'} of queries.jsonl without judgments in split ${splits.join(', ')} left out`,
            ]
          : [];
      return { ...content, notes };
    }
    case 'trec': {
      if (!options.queries)
        throw new UserError('--from trec needs --queries FILE (JSONL or qid<TAB>text lines)');
      const queries = readQueriesFile(options.queries);
      // TREC, JSONL, dict or BEIR qrels, plain or gzip-compressed.
      const qrels = withPlainFile(source, (plain) => {
        const read = readPlainQrelsFile(plain);
        checkQrelsQueries(read.qrels, queries, plain, read.format);
        return read.qrels;
      });
      return {
        queries,
        qrels,
        ...(options.corpus ? { corpus: readCorpusFile(options.corpus) } : {}),
        notes: [],
      };
    }
    case 'smart':
      return readSmartFolder(source, options.relevance);
    case 'simple':
      return {
        ...readSimpleEvalSet(source),
        ...(options.corpus ? { corpus: readCorpusFile(options.corpus) } : {}),
        notes: [],
      };
  }
}
