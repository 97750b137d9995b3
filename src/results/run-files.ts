import { rmSync } from 'node:fs';
import { readJsonl } from '../dataset/jsonl.js';
import { hasSpace } from '../dataset/lines.js';
import { writeTextFile } from '../files.js';
import { compareCodePoints } from '../metrics/order.js';
import type { Run } from '../metrics/types.js';

/**
 * Writes a run as JSONL (one query per line) and as a TREC file (`qid Q0 docid rank score tag`). TREC columns
 * are whitespace-separated, so a run whose ids contain whitespace gets no TREC file: returns whether it did.
 */
export function writeRunFiles(run: Run, trecPath: string, jsonlPath: string): boolean {
  let trecSafe = !hasSpace(run.runId);
  const trec: string[] = [];
  const jsonl: string[] = [];
  for (const qid of [...run.queries.keys()].sort(compareCodePoints)) {
    const { docids, scores } = run.queries.get(qid) ?? { docids: [], scores: [] };
    if (hasSpace(qid)) trecSafe = false;
    docids.forEach((docid, i) => {
      if (hasSpace(docid)) trecSafe = false;
      trec.push(`${qid} Q0 ${docid} ${i + 1} ${scores[i]} ${run.runId}`);
    });
    jsonl.push(JSON.stringify({ qid, results: docids.map((docid, i) => ({ docid, score: scores[i] })) }));
  }
  writeTextFile(jsonlPath, `${jsonl.join('\n')}\n`);
  if (trecSafe) writeTextFile(trecPath, `${trec.join('\n')}\n`);
  // A TREC file left by an earlier run under the same run id would be read in place of this one.
  else rmSync(trecPath, { force: true });
  return trecSafe;
}

/**
 * Reads back a run.jsonl the runner wrote (one query per line), keeping the queries it answered with nothing:
 * a merged run must hold every query the unsharded one does, empty ones included.
 */
export function readWrittenRun(jsonlPath: string, runId: string): Run {
  const run: Run = { runId, queries: new Map() };
  readJsonl<{ qid: string; results?: { docid: string; score: number }[] }>(jsonlPath, 'run-line', (line) => {
    const results = line.results ?? [];
    run.queries.set(line.qid, { docids: results.map((r) => r.docid), scores: results.map((r) => r.score) });
  });
  return run;
}
