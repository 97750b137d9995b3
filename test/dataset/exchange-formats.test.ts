import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDictQrels } from '../../src/dataset/dict-run.js';
import { readRunFile } from '../../src/dataset/run-file.js';
import { UserError } from '../../src/errors.js';
import { rankOrder } from '../../src/metrics/rank.js';
import type { Run } from '../../src/metrics/types.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

/** Runs in the forms they are exchanged in read as the same rankings as their TREC twin. */

const TREC = join(FIXTURES, 'mini-run-a.trec');

function rankings(run: Run): Record<string, string[]> {
  return Object.fromEntries(
    [...run.queries].map(([qid, results]) => [
      qid,
      Array.from(rankOrder(results), (i) => results.docids[i] as string),
    ]),
  );
}

function write(name: string, text: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

describe('run formats', () => {
  const trec = readRunFile(TREC);
  const lines = readFileSync(TREC, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(/\s+/));

  it('reads the pytrec_eval / ranx dict form, on one line or pretty-printed', () => {
    const dict: Record<string, Record<string, number>> = {};
    for (const [qid, , docid, , score] of lines) {
      const query = dict[qid as string] ?? {};
      query[docid as string] = Number(score);
      dict[qid as string] = query;
    }
    for (const text of [JSON.stringify(dict), JSON.stringify(dict, null, 2)]) {
      expect(rankings(readRunFile(write('run.json', text)))).toEqual(rankings(trec));
    }
  });

  it('reads MS MARCO’s qid<TAB>docid<TAB>rank, keeping the ranks', () => {
    const ranked = Object.entries(rankings(trec)).flatMap(([qid, docids]) =>
      docids.map((d, i) => `${qid}\t${d}\t${i + 1}`),
    );
    expect(rankings(readRunFile(write('run.tsv', `${ranked.join('\n')}\n`)))).toEqual(rankings(trec));
  });

  it('names the query and document of a bad value', () => {
    expect(() => readRunFile(write('bad.json', '{"q1": {"d1": "high"}}'))).toThrow(
      /field 'q1\.d1'.*finite number/,
    );
    expect(() => readRunFile(write('bad.tsv', 'q1\td1\t0\n'))).toThrow(UserError);
  });

  it('reads dict qrels with integer grades', () => {
    const qrels = readDictQrels(write('qrels.json', '{"q1": {"d1": 2, "d2": 0}, "q2": {"d9": 1}}'));
    expect(qrels.get('q1')).toEqual(
      new Map([
        ['d1', 2],
        ['d2', 0],
      ]),
    );
    expect(() => readDictQrels(write('bad-qrels.json', '{"q1": {"d1": 1.5}}'))).toThrow(
      /field 'q1\.d1'.*integer/,
    );
  });
});
