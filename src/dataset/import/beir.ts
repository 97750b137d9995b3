import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import type { Qrels } from '../../metrics/types.js';
import { readBeirQrels } from '../beir-qrels.js';
import { withPlainFile } from '../gzip.js';
import { scanLines } from '../lines.js';
import type { DatasetContent, DocumentRecord, QueryRecord } from '../types.js';
import { readBeirRecords } from './records.js';

/** A BEIR folder as imported: its content and what the import leaves out. */
export interface BeirContent extends DatasetContent {
  /** The splits whose qrels were read, in the order asked. */
  splits: string[];
  /** Queries of queries.jsonl without a judgment in those splits: left out, as BEIR's evaluation does. */
  unjudgedQueries: number;
}

/**
 * Reads a BEIR folder as it ships: corpus.jsonl and queries.jsonl (`_id`, `title`, `text`, `metadata`; either
 * may be gzip-compressed, as corpus.jsonl.gz) and qrels/<split>.tsv (`query-id corpus-id score`, with or
 * without its header line). `split` names one split or several, comma-separated (`dev,test`), whose
 * judgments are merged; a (query, document) pair graded differently in two splits is refused. Only the
 * queries judged in the splits are kept; score 0 is kept as judged not relevant; `metadata` is kept.
 */
export function readBeirFolder(dir: string, split = 'test'): BeirContent {
  const need = (name: string): string => {
    const path = [join(dir, name), join(dir, `${name}.gz`)].find((p) => existsSync(p));
    if (!path) throw new UserError(`not a BEIR folder: ${name} is missing`, { file: dir });
    return path;
  };
  const corpus = readBeirRecords<DocumentRecord>(need('corpus.jsonl'), 'document');
  const allQueries = readBeirRecords<QueryRecord>(need('queries.jsonl'), 'query');
  const splits = parseSplits(split);
  const qrels: Qrels = new Map();
  const source = new Map<string, string>(); // "qid\tdocid" → the split it was first read from
  for (const name of splits) {
    const path = splitPath(dir, name);
    withPlainFile(path, (plain) => {
      const judged = readBeirQrels(plain);
      for (const [qid, docs] of judged) {
        const query = allQueries.get(qid);
        if (!query)
          throw new UserError(`judgments for query '${qid}', which is not in queries.jsonl`, {
            file: plain,
            line: lineOfPair(plain, qid),
            field: 'query-id',
          });
        let merged = qrels.get(qid);
        if (!merged) {
          merged = new Map();
          qrels.set(qid, merged);
        }
        for (const [docid, grade] of docs) {
          const before = merged.get(docid);
          if (before !== undefined && before !== grade) {
            throw new UserError(
              `query '${qid}' grades document '${docid}' ${grade} here and ${before} in split '${source.get(`${qid}\t${docid}`)}'; merged splits must agree`,
              { file: plain, line: lineOfPair(plain, qid, docid), field: 'score' },
            );
          }
          if (before === undefined) {
            merged.set(docid, grade);
            source.set(`${qid}\t${docid}`, name);
          }
        }
      }
    });
  }
  const queries = new Map<string, QueryRecord>();
  for (const qid of qrels.keys()) queries.set(qid, allQueries.get(qid) as QueryRecord);
  return { queries, corpus, qrels, splits, unjudgedQueries: allQueries.size - queries.size };
}

/** `dev,test` → ['dev', 'test'], each once. */
function parseSplits(split: string): string[] {
  const splits = [...new Set(split.split(',').map((s) => s.trim()))].filter((s) => s !== '');
  if (splits.length === 0) throw new UserError(`--split names no split: '${split}'`);
  return splits;
}

/** qrels/<split>.tsv (or .tsv.gz); a split that is not there is named with the splits that are. */
function splitPath(dir: string, split: string): string {
  const qrelsDir = join(dir, 'qrels');
  const path = [join(qrelsDir, `${split}.tsv`), join(qrelsDir, `${split}.tsv.gz`)].find((p) => existsSync(p));
  if (path) return path;
  const present = beirSplits(dir);
  throw new UserError(
    `split '${split}' is not in this BEIR folder (no qrels/${split}.tsv); ${present.length > 0 ? `splits present: ${present.join(', ')}` : 'qrels/ holds no split'}`,
    { file: dir },
  );
}

/** The first line of a BEIR qrels file judging `qid` (and `docid`), to point the user at it. */
function lineOfPair(path: string, qid: string, docid?: string): number | undefined {
  let found: number | undefined;
  scanLines(path, (buf, start, end, line) => {
    if (found !== undefined) return;
    const [q, d] = buf.toString('utf8', start, end).split('\t');
    if (q === qid && (docid === undefined || d === docid)) found = line;
  });
  return found;
}

/** The splits a BEIR folder ships: the names of qrels/<split>.tsv (or .tsv.gz), sorted. */
export function beirSplits(dir: string): string[] {
  const qrelsDir = join(dir, 'qrels');
  if (!existsSync(qrelsDir)) return [];
  const names = readdirSync(qrelsDir)
    .map((name) => /^(.+)\.tsv(\.gz)?$/.exec(name)?.[1])
    .filter((name): name is string => name !== undefined);
  return [...new Set(names)].sort();
}
