import { UserError } from '../errors.js';
import type { Qrels } from '../metrics/types.js';
import { decodeUtf8 } from '../utf8.js';
import { checkIdText } from './ids.js';
import { addJudgment } from './judgments.js';
import { scanLines } from './lines.js';

/** BEIR's qrels header line. */
const HEADER = /^query-id\tcorpus-id\tscore\s*$/;

/**
 * Reads BEIR qrels, `qrels/<split>.tsv`: `query-id<TAB>corpus-id<TAB>score` lines after an optional header
 * line `query-id corpus-id score`. A score must be an integer; 0 is a judgment (judged not relevant).
 */
export function readBeirQrels(path: string): Qrels {
  const qrels: Qrels = new Map();
  scanLines(path, (buf, start, end, line) => {
    let text = decodeUtf8(buf, start, end, path, line).replace(/\r$/, '');
    if (line === 1) text = text.replace(/^\uFEFF/, '');
    if (text.trim() === '') return;
    if (line === 1 && HEADER.test(text)) return;
    const fields = text.split('\t');
    if (fields.length !== 3) {
      throw new UserError(
        `expected 3 tab-separated columns 'query-id corpus-id score', found ${fields.length}`,
        { file: path, line },
      );
    }
    const [qid = '', docid = '', score = ''] = fields;
    checkIdText(qid, 'query id', { file: path, line, field: 'query-id' });
    checkIdText(docid, 'document id', { file: path, line, field: 'corpus-id' });
    if (!/^[+-]?\d+$/.test(score.trim())) {
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

/** Whether a first line is BEIR's qrels header (or a 3-column line whose last column is an integer). */
export function looksLikeBeirQrels(firstLine: string): boolean {
  if (/^query-id\s+corpus-id\s+score$/.test(firstLine)) return true;
  const fields = firstLine.split('\t');
  return fields.length === 3 && /^[+-]?\d+$/.test((fields[2] as string).trim());
}
