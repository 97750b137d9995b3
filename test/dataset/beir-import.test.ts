import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readBeirFolder } from '../../src/dataset/import/beir.js';
import { readForeignDataset } from '../../src/dataset/import/index.js';
import { loadDataset } from '../../src/dataset/native.js';
import { writeDataset } from '../../src/dataset/write.js';
import { UserError } from '../../src/errors.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

/** BEIR exactly as it ships: test/fixtures/beir-real (headers, three splits, metadata), gzipped at test time. */

const BEIR = join(FIXTURES, 'beir-real');
const info = { name: 'real', version: '1', description: 'test', source: 'test', licence: 'CC0-1.0' };

function copy(): string {
  const dir = join(tempDir(), 'beir');
  cpSync(BEIR, dir, { recursive: true });
  return dir;
}

function gzipInPlace(path: string): void {
  writeFileSync(`${path}.gz`, gzipSync(readFileSync(path)));
  rmSync(path);
}

function judgments(qrels: Map<string, Map<string, number>>): string[] {
  return [...qrels].flatMap(([qid, docs]) => [...docs].map(([d, rel]) => `${qid} ${d} ${rel}`)).sort();
}

describe('BEIR as it ships', () => {
  it('skips the header, keeps score 0 as judged not relevant, and only the split’s judged queries', () => {
    const content = readBeirFolder(BEIR, 'test');
    expect(judgments(content.qrels)).toEqual(['q1 d1 1', 'q1 d2 0', 'q2 d3 1']);
    expect([...content.queries.keys()].sort()).toEqual(['q1', 'q2']);
    expect(content.unjudgedQueries).toBe(2); // q3 (train only) and q4 (no split)
    expect(content.corpus?.size).toBe(4);
  });

  it('keeps metadata in the imported records, through the dataset’s schemas', () => {
    const content = readForeignDataset('beir', BEIR, {});
    const dir = join(tempDir(), 'real');
    writeDataset(dir, content, info);
    const dataset = loadDataset(dir);
    expect(dataset.corpus?.get('d1')).toEqual({
      id: 'd1',
      title: 'Fixing a flat tyre',
      text: 'Remove the wheel, find the puncture, patch the tube.',
      metadata: { url: 'https://example.org/flat', authors: ['A. Mechanic'] },
    });
    expect(dataset.queries.get('q1')?.metadata).toEqual({ source: 'forum' });
    expect(dataset.qrels.get('q1')?.get('d2')).toBe(0);
  });

  it('merges several splits, a judgment in two of them kept once', () => {
    const content = readBeirFolder(BEIR, 'dev,test');
    expect(content.splits).toEqual(['dev', 'test']);
    expect(judgments(content.qrels)).toEqual(['q1 d1 1', 'q1 d2 0', 'q2 d3 1', 'q2 d4 0']);
    expect(content.unjudgedQueries).toBe(2);
    expect(readForeignDataset('beir', BEIR, { split: 'train, dev,test' }).notes).toEqual([
      '1 query of queries.jsonl without judgments in split train, dev, test left out',
    ]);
  });

  it('refuses splits that grade one (query, document) pair differently, at the line', () => {
    const dir = copy();
    writeFileSync(join(dir, 'qrels', 'dev.tsv'), 'query-id\tcorpus-id\tscore\nq2\td4\t0\nq2\td3\t2\n');
    const path = join(dir, 'qrels', 'test.tsv');
    expect(() => readBeirFolder(dir, 'dev,test')).toThrow(
      `${path}:4: field 'score': query 'q2' grades document 'd3' 1 here and 2 in split 'dev'; merged splits must agree`,
    );
  });

  it('names a missing split with the splits present', () => {
    expect(() => readBeirFolder(BEIR, 'validation')).toThrow(
      /split 'validation' is not in this BEIR folder \(no qrels\/validation\.tsv\); splits present: dev, test, train/,
    );
    expect(() => readBeirFolder(BEIR, 'test,nope')).toThrow(UserError);
  });

  it('accepts qrels without the header line', () => {
    const dir = copy();
    writeFileSync(join(dir, 'qrels', 'test.tsv'), 'q1\td1\t1\nq1\td2\t0\r\nq2\td3\t1\n');
    expect(judgments(readBeirFolder(dir, 'test').qrels)).toEqual(['q1 d1 1', 'q1 d2 0', 'q2 d3 1']);
  });

  it('reads corpus.jsonl.gz, queries.jsonl.gz and qrels/<split>.tsv.gz, to the same digest', () => {
    const dir = copy();
    for (const name of ['corpus.jsonl', 'queries.jsonl', join('qrels', 'test.tsv')])
      gzipInPlace(join(dir, name));
    const plain = writeDataset(join(tempDir(), 'a'), readForeignDataset('beir', BEIR, {}), info);
    const zipped = writeDataset(join(tempDir(), 'b'), readForeignDataset('beir', dir, {}), info);
    expect(zipped.digest).toBe(plain.digest);
  });

  it('names the .gz file and its decompressed line in a bad record', () => {
    const dir = copy();
    const corpus = join(dir, 'corpus.jsonl');
    writeFileSync(corpus, `${readFileSync(corpus, 'utf8')}{"_id": "d9", "title": "no text"}\n`);
    gzipInPlace(corpus);
    expect(() => readBeirFolder(dir, 'test')).toThrow(`${corpus}.gz:5: field 'text': is missing`);
    const qrels = join(dir, 'qrels', 'dev.tsv');
    writeFileSync(qrels, 'query-id\tcorpus-id\tscore\nq2\td3\t1.5\n');
    gzipInPlace(qrels);
    rmSync(`${corpus}.gz`);
    cpSync(join(BEIR, 'corpus.jsonl'), corpus);
    expect(() => readBeirFolder(dir, 'dev')).toThrow(
      `${qrels}.gz:2: field 'score': relevance must be an integer, got '1.5'`,
    );
  });

  it('refuses judgments for a query queries.jsonl does not have, at its line', () => {
    const dir = copy();
    writeFileSync(join(dir, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq7\td2\t1\n');
    expect(() => readBeirFolder(dir, 'test')).toThrow(
      `${join(dir, 'qrels', 'test.tsv')}:3: field 'query-id': judgments for query 'q7', which is not in queries.jsonl`,
    );
  });
});
