import { rmSync } from 'node:fs';
import { readJsonlRun } from '../dataset/jsonl-run.js';
import { hasSpace } from '../dataset/lines.js';
import { type TextChunks, writeTextChunks } from '../files.js';
import { compareCodePoints } from '../metrics/order.js';
import type { QueryResults, Run } from '../metrics/types.js';

/**
 * Writes a run as JSONL (one query per line) and as a TREC file (`qid Q0 docid rank score tag`). TREC columns
 * are whitespace-separated, so a run whose ids contain whitespace gets no TREC file: returns whether it did.
 * Both files are written in one pass, a query at a time, so each score is made text once: a run's 200,000
 * lines made as lines and joined took twice as long.
 */
export function writeRunFiles(run: Run, trecPath: string, jsonlPath: string): boolean {
  const qids = [...run.queries.keys()].sort(compareCodePoints);
  const results = (qid: string) => run.queries.get(qid) ?? { docids: [], scores: [] };
  // A doc id with whitespace is found as its query is written, and ends the TREC file there.
  let trecSafe = !hasSpace(run.runId) && !qids.some(hasSpace);
  writeTextChunks(jsonlPath, (jsonl) => {
    if (!trecSafe) writeQueries(qids, results, run.runId, jsonl);
    else {
      writeTextChunks(trecPath, (trec) => {
        trecSafe = writeQueries(qids, results, run.runId, jsonl, trec);
      });
    }
  });
  // A TREC file begun, or left by an earlier run under the same run id, would be read in place of the JSONL.
  if (!trecSafe) rmSync(trecPath, { force: true });
  return trecSafe;
}

/** A doc id that JSON.stringify writes as it stands between quotes, and that holds no TREC separator. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes
const PLAIN_ID = /^[^\x00-\x20"\\\ud800-\udfff]*$/;

/**
 * Each query's JSONL line, as JSON.stringify writes `{qid, results: [{docid, score}]}`, and its TREC lines
 * while `trec` is given and the doc ids have no whitespace; returns whether none had. A file without a line
 * is one newline (a TREC file of queries that found nothing too).
 */
function writeQueries(
  qids: readonly string[],
  results: (qid: string) => QueryResults,
  runId: string,
  jsonl: TextChunks,
  trec?: TextChunks,
): boolean {
  const tag = ` ${runId}\n`;
  let trecOut = trec;
  let trecLines = 0;
  for (const qid of qids) {
    const { docids, scores } = results(qid);
    let line = `{"qid":${JSON.stringify(qid)},"results":[`;
    let lines = '';
    const head = `${qid} Q0 `;
    for (let i = 0; i < docids.length; i++) {
      const docid = docids[i] as string;
      const score = scores[i] as number;
      const text = String(score);
      let quoted = `"${docid}"`;
      if (!PLAIN_ID.test(docid)) {
        quoted = JSON.stringify(docid);
        if (hasSpace(docid)) trecOut = undefined;
      }
      // JSON has no NaN or Infinity: JSON.stringify writes null for them, and the TREC line the number as printed.
      line += `${i === 0 ? '' : ','}{"docid":${quoted},"score":${Number.isFinite(score) ? text : 'null'}}`;
      if (trecOut) lines += `${head}${docid} ${i + 1} ${text}${tag}`;
    }
    jsonl.add(`${line}]}\n`);
    trecOut?.add(lines);
    trecLines += docids.length;
  }
  if (qids.length === 0) jsonl.add('\n');
  if (trecLines === 0) trecOut?.add('\n');
  return trec === undefined || trecOut !== undefined;
}

/**
 * Reads back a run.jsonl the runner wrote (one query per line), keeping the queries it answered with nothing:
 * a merged run must hold every query the unsharded one does, empty ones included. It is read by the one
 * run reader, as strictly as any run (dataset/run-reader.ts).
 */
export function readWrittenRun(jsonlPath: string, runId: string): Run {
  return readJsonlRun(jsonlPath, runId, { emptyAllowed: true });
}
