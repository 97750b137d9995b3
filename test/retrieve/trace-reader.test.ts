import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RankedHit, RerankedHit, TraceRecord } from '../../src/results/trace.js';
import { readTraceTops, type TracedHits } from '../../src/results/trace-reader.js';
import { tempDir } from '../helpers/tmp.js';

/** Doc ids that a cut by text matching could trip on: quotes, braces, brackets, escapes, keys, non-ASCII. */
const TRICKY = ['d"1', 'd}]', 'd\\', 'x","rank":9}', '"reranked":[{"docid":"z"', 'é😀\u2028', '{[', 'plain'];

function hits(ids: string[]): RankedHit[] {
  return ids.map((docid, i) => ({ docid, score: 10 - i / 3, rank: i + 1 }));
}

function reranked(ids: string[]): RerankedHit[] {
  return hits([...ids].reverse()).map((hit, i) => ({
    ...hit,
    rerankScore: i < 4 ? 1 / (i + 1) : null,
    firstStageRank: ids.length - i,
  }));
}

/** A trace line as the runner writes it, with text that mentions the keys the reader looks for. */
function record(qid: string, withReranker: boolean): TraceRecord {
  return {
    qid,
    text: 'what does "qid":"x","firstStage":[ mean? {"latencyMs":{"total":1}}',
    system: 's"1',
    model: null,
    index: { alias: 'bm25', resolved: 'bm25' },
    reranker: withReranker ? 'lexical' : null,
    firstStage: hits(TRICKY),
    ...(withReranker ? { reranked: reranked(TRICKY) } : {}),
    latencyMs: { embed: null, search: 1.5, rerank: withReranker ? 2.25 : null, total: 3.75 },
    embedBatchSize: null,
    tokens: { query: 0, rerank: 0 },
    cost: { query: 0, rerank: 0 },
  };
}

/** What the reader promises of a line, whichever way it read it. */
function kept(value: TracedHits, top: number) {
  return {
    qid: value.qid,
    firstStage: value.firstStage.slice(0, top),
    reranked: value.reranked?.slice(0, top),
    total: value.latencyMs.total,
  };
}

function readAll(lines: string[], top: number): TracedHits[] {
  const file = join(tempDir(), 'trace.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const records: TracedHits[] = [];
  readTraceTops(file, top, (value) => records.push(value));
  return records;
}

describe('readTraceTops', () => {
  const empty = { ...record('q4', true), firstStage: [], reranked: [] }; // a query nothing was found for
  const records = [record('q"1', false), record('q2', true), record('q\\3', true), empty];

  it('keeps the query id, the top hits of each stage and the latency of lines as the runner writes them', () => {
    for (const top of [1, 3, TRICKY.length, 20]) {
      const read = readAll(
        records.map((r) => JSON.stringify(r)),
        top,
      );
      expect(read.map((r) => kept(r, top))).toEqual(records.map((r) => kept(r, top)));
      // Cut, not parsed whole: what reports do not read is not there.
      for (const r of read) expect(r).not.toHaveProperty('text');
    }
  });

  it('parses a line laid out otherwise whole, with the same result', () => {
    const read = readAll(
      records.map((r) => JSON.stringify(r, null, 1).replace(/\n/g, ' ')),
      3,
    );
    expect(read.map((r) => kept(r, 3))).toEqual(records.map((r) => kept(r, 3)));
    expect(read[0]).toHaveProperty('text');
  });

  it('validates what it keeps, naming the file, line and field', () => {
    const broken = { ...record('q1', false), firstStage: [{ docid: 'd1', rank: 1 }] };
    expect(() => readAll([JSON.stringify(records[0]), JSON.stringify(broken)], 3)).toThrow(
      /trace\.jsonl:2: field 'firstStage\[0\]\.score': is missing/,
    );
    expect(() => readAll(['{"qid": "q1", '], 3)).toThrow(/trace\.jsonl:1: malformed JSON/);
  });
});
