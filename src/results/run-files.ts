import { rmSync } from 'node:fs';
import { readJsonlRun } from '../dataset/jsonl-run.js';
import { hasSpace } from '../dataset/lines.js';
import { writeTextChunks } from '../files.js';
import { compareCodePoints } from '../metrics/order.js';
import type { Run } from '../metrics/types.js';

/**
 * Writes a run as JSONL (one query per line) and as a TREC file (`qid Q0 docid rank score tag`). TREC columns
 * are whitespace-separated, so a run whose ids contain whitespace gets no TREC file: returns whether it did.
 */
export function writeRunFiles(run: Run, trecPath: string, jsonlPath: string): boolean {
  const qids = [...run.queries.keys()].sort(compareCodePoints);
  const results = (qid: string) => run.queries.get(qid) ?? { docids: [], scores: [] };
  const trecSafe =
    !hasSpace(run.runId) && qids.every((qid) => !hasSpace(qid) && !results(qid).docids.some(hasSpace));
  writeTextChunks(
    jsonlPath,
    chunked(qids, (qid) => {
      const { docids, scores } = results(qid);
      return [JSON.stringify({ qid, results: docids.map((docid, i) => ({ docid, score: scores[i] })) })];
    }),
  );
  if (trecSafe) {
    writeTextChunks(
      trecPath,
      chunked(qids, (qid) => {
        const { docids, scores } = results(qid);
        return docids.map((docid, i) => `${qid} Q0 ${docid} ${i + 1} ${scores[i]} ${run.runId}`);
      }),
    );
  }
  // A TREC file left by an earlier run under the same run id would be read in place of this one.
  else rmSync(trecPath, { force: true });
  return trecSafe;
}

/** Characters that go to the file at once (about 1 MiB of ASCII). */
const CHUNK_CHARS = 1 << 20;

/**
 * The lines of every query, each ending in a newline, in chunks of about CHUNK_CHARS (a file with no
 * line is one newline, as before). Writing a 2,000 × 100 run as one string kept its 200,000 lines alive
 * together, and in a run's large heap collecting them took several times the formatting.
 */
function* chunked(qids: readonly string[], lines: (qid: string) => string[]): Generator<string> {
  let chunk: string[] = [];
  let chars = 0;
  let wrote = false;
  for (const qid of qids) {
    for (const line of lines(qid)) {
      chunk.push(line);
      chars += line.length + 1;
    }
    if (chars >= CHUNK_CHARS) {
      yield `${chunk.join('\n')}\n`;
      chunk = [];
      chars = 0;
      wrote = true;
    }
  }
  if (chunk.length > 0 || !wrote) yield `${chunk.join('\n')}\n`;
}

/**
 * Reads back a run.jsonl the runner wrote (one query per line), keeping the queries it answered with nothing:
 * a merged run must hold every query the unsharded one does, empty ones included. It is read by the one
 * run reader, as strictly as any run (dataset/run-reader.ts).
 */
export function readWrittenRun(jsonlPath: string, runId: string): Run {
  return readJsonlRun(jsonlPath, runId, { emptyAllowed: true });
}
