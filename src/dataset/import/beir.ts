import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import type { Qrels } from '../../metrics/types.js';
import { scanLines } from '../lines.js';
import type { DatasetContent, DocumentRecord, QueryRecord } from '../types.js';
import { addJudgment, readBeirRecords } from './records.js';

/**
 * Reads a BEIR folder: corpus.jsonl, queries.jsonl and qrels/<split>.tsv (with its header line
 * `query-id corpus-id score`). Only the queries judged in the split are kept.
 */
export function readBeirFolder(dir: string, split: string): DatasetContent {
  const need = (name: string): string => {
    const path = join(dir, name);
    if (!existsSync(path)) throw new UserError(`not a BEIR folder: ${name} is missing`, { file: dir });
    return path;
  };
  const corpus = readBeirRecords<DocumentRecord>(need('corpus.jsonl'), 'document');
  const allQueries = readBeirRecords<QueryRecord>(need('queries.jsonl'), 'query');
  const qrelsPath = need(join('qrels', `${split}.tsv`));
  const qrels = readBeirQrels(qrelsPath);
  const queries = new Map<string, QueryRecord>();
  for (const qid of qrels.keys()) {
    const query = allQueries.get(qid);
    if (!query)
      throw new UserError(`judgments for query '${qid}', which is not in queries.jsonl`, {
        file: qrelsPath,
        field: 'query-id',
      });
    queries.set(qid, query);
  }
  return { queries, corpus, qrels };
}

function readBeirQrels(path: string): Qrels {
  const qrels: Qrels = new Map();
  scanLines(path, (buf, start, end, line) => {
    const text = buf.toString('utf8', start, end).replace(/\r$/, '');
    if (text.trim() === '') return;
    const fields = text.split('\t');
    if (line === 1 && fields[0] === 'query-id') return; // the header
    if (fields.length !== 3) {
      throw new UserError(
        `expected 3 tab-separated columns 'query-id corpus-id score', found ${fields.length}`,
        { file: path, line },
      );
    }
    const [qid = '', docid = '', score = ''] = fields;
    if (!/^-?\d+$/.test(score.trim())) {
      throw new UserError(`relevance must be an integer, got '${score}'`, {
        file: path,
        line,
        field: 'score',
      });
    }
    addJudgment(qrels, qid, docid, Number(score), { file: path, line, field: 'corpus-id' });
  });
  if (qrels.size === 0) throw new UserError('the qrels file has no judgments', { file: path });
  return qrels;
}
