import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Run } from '../../src/metrics/types.js';
import { writeRunFiles } from '../../src/results/run-files.js';
import { tempDir } from '../helpers/tmp.js';

/** What the files hold: every line at once, as JSON.stringify and the TREC columns give them. */
function expected(run: Run): { trec: string; jsonl: string } {
  const qids = [...run.queries.keys()].sort();
  const trec = qids.flatMap((qid) => {
    const { docids, scores } = run.queries.get(qid) ?? { docids: [], scores: [] };
    return docids.map((docid, i) => `${qid} Q0 ${docid} ${i + 1} ${scores[i]} ${run.runId}`);
  });
  const jsonl = qids.map((qid) => {
    const { docids, scores } = run.queries.get(qid) ?? { docids: [], scores: [] };
    return JSON.stringify({ qid, results: docids.map((docid, i) => ({ docid, score: scores[i] })) });
  });
  return { trec: `${trec.join('\n')}\n`, jsonl: `${jsonl.join('\n')}\n` };
}

describe('writeRunFiles', () => {
  it('writes a run larger than one chunk (over 1 MiB) byte for byte as the lines joined', () => {
    const run: Run = { runId: 'big', queries: new Map() };
    const long = 'x'.repeat(80);
    for (let q = 0; q < 130; q++) {
      run.queries.set(`q${q}`, {
        docids: Array.from({ length: 100 }, (_, i) => `${long}-${q}-${i}`),
        scores: Array.from({ length: 100 }, (_, i) => 1 / (i + 3)),
      });
    }
    run.queries.set('q-empty', { docids: [], scores: [] });
    const dir = tempDir();
    expect(writeRunFiles(run, join(dir, 'run.trec'), join(dir, 'run.jsonl'))).toBe(true);
    const trec = readFileSync(join(dir, 'run.trec'), 'utf8');
    expect(trec.length).toBeGreaterThan(1 << 20);
    expect(trec).toBe(expected(run).trec);
    expect(readFileSync(join(dir, 'run.jsonl'), 'utf8')).toBe(expected(run).jsonl);
  });

  it('writes ids and scores as JSON.stringify and the TREC columns print them, empty queries included', () => {
    const run: Run = {
      runId: 'odd',
      queries: new Map([
        [
          'q"1',
          {
            docids: ['d\\1', 'd"2', 'dé', 'd\u0001', 'd\ud800', 'd😀'],
            scores: [-0, 1e-7, 2.5e21, NaN, Infinity, -1],
          },
        ],
        ['q0', { docids: [], scores: [] }],
      ]),
    };
    const dir = tempDir();
    expect(writeRunFiles(run, join(dir, 'run.trec'), join(dir, 'run.jsonl'))).toBe(true);
    // Bytes, not text: the lone surrogate is written as UTF-8 writes it (U+FFFD) in the TREC file.
    expect(readFileSync(join(dir, 'run.trec'))).toEqual(Buffer.from(expected(run).trec));
    expect(readFileSync(join(dir, 'run.jsonl'))).toEqual(Buffer.from(expected(run).jsonl));
    const empty: Run = { runId: 'nothing', queries: new Map([['q1', { docids: [], scores: [] }]]) };
    expect(writeRunFiles(empty, join(dir, 'e.trec'), join(dir, 'e.jsonl'))).toBe(true);
    expect(readFileSync(join(dir, 'e.trec'), 'utf8')).toBe('\n');
    expect(readFileSync(join(dir, 'e.jsonl'), 'utf8')).toBe(expected(empty).jsonl);
  });

  it('writes an empty run as one newline, and no TREC file when an id holds whitespace', () => {
    const dir = tempDir();
    expect(
      writeRunFiles({ runId: 'none', queries: new Map() }, join(dir, 'a.trec'), join(dir, 'a.jsonl')),
    ).toBe(true);
    expect(readFileSync(join(dir, 'a.trec'), 'utf8')).toBe('\n');
    expect(readFileSync(join(dir, 'a.jsonl'), 'utf8')).toBe('\n');
    const spaced: Run = { runId: 'r', queries: new Map([['q1', { docids: ['a b'], scores: [1] }]]) };
    expect(writeRunFiles(spaced, join(dir, 'b.trec'), join(dir, 'b.jsonl'))).toBe(false);
    expect(readFileSync(join(dir, 'b.jsonl'), 'utf8')).toBe(expected(spaced).jsonl);
    // Found in a later query, after TREC lines were written: the TREC file is not left (nor an older one).
    writeFileSync(join(dir, 'c.trec'), 'q0 Q0 old 1 1 stale\n');
    const later: Run = {
      runId: 'r',
      queries: new Map([
        ['q1', { docids: ['d1', 'd2'], scores: [2, 1] }],
        ['q2', { docids: ['d3', 'd\t4'], scores: [2, 1] }],
      ]),
    };
    expect(writeRunFiles(later, join(dir, 'c.trec'), join(dir, 'c.jsonl'))).toBe(false);
    expect(existsSync(join(dir, 'c.trec'))).toBe(false);
    expect(readFileSync(join(dir, 'c.jsonl'), 'utf8')).toBe(expected(later).jsonl);
  });
});
