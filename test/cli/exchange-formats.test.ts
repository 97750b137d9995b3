import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationFile } from '../../src/evaluation/types.js';
import { runCliInProcess } from '../helpers/cli.js';
import { FIXTURES, importMiniArgs } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

/** gzip-compressed runs and qrels, dict and JSONL qrels, BEIR as it ships, through every command that reads them. */

const RUN_A = join(FIXTURES, 'mini-run-a.trec');
const RUN_B = join(FIXTURES, 'mini-run-b.jsonl');
const BEIR_QRELS = readFileSync(join(FIXTURES, 'beir-mini', 'qrels', 'test.tsv'), 'utf8');
const JUDGMENTS = BEIR_QRELS.trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t') as [string, string, string]);
const TREC_QRELS = JUDGMENTS.map(([q, d, rel]) => `${q} 0 ${d} ${rel}\n`).join('');
const DICT_QRELS = JSON.stringify(
  JUDGMENTS.reduce<Record<string, Record<string, number>>>((dict, [q, d, rel]) => {
    dict[q] = { ...dict[q], [d]: Number(rel) };
    return dict;
  }, {}),
  null,
  2,
);
const JSONL_QRELS = JUDGMENTS.map(([qid, docid, rel]) =>
  JSON.stringify({ qid, docid, rel: Number(rel) }),
).join('\n');

let dir: string;
let dataset: string;

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function gz(name: string, text: string): string {
  return write(name, gzipSync(Buffer.from(text)));
}

beforeAll(async () => {
  dir = tempDir();
  dataset = join(dir, 'mini');
  const result = await runCliInProcess(importMiniArgs(dataset));
  expect(result.status, result.stderr).toBe(0);
});

describe('trec-eval', () => {
  const trecEval = (qrels: string, run: string) =>
    runCliInProcess(['trec-eval', '-q', '-m', 'all_trec', qrels, run]);

  it('gives the same output for gzipped qrels and run, and for dict, JSONL and BEIR qrels', async () => {
    const plain = await trecEval(write('qrels.txt', TREC_QRELS), RUN_A);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^runid\s+all\s+run-a$/m);
    const run = gz('run-a.trec.gz', readFileSync(RUN_A, 'utf8'));
    for (const qrels of [
      gz('qrels.txt.gz', TREC_QRELS),
      write('qrels.json', DICT_QRELS),
      gz('qrels.json.gz', DICT_QRELS),
      write('qrels.jsonl', JSONL_QRELS),
      write('test.tsv', BEIR_QRELS),
    ]) {
      const result = await trecEval(qrels, run);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout, qrels).toBe(plain.stdout);
    }
  });

  it('reads a JSONL run (gzipped too), its file name as the run id', async () => {
    const jsonl = readFileSync(RUN_B, 'utf8');
    const result = await trecEval(write('qrels.txt', TREC_QRELS), gz('run-b.jsonl.gz', jsonl));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^runid\s+all\s+run-b$/m);
    const plain = await trecEval(write('qrels.txt', TREC_QRELS), RUN_B);
    expect(result.stdout).toBe(plain.stdout.replace(/mini-run-b/g, 'run-b'));
  });

  it('exits 2 on a truncated gzip, naming the file', async () => {
    const whole = gzipSync(Buffer.from(readFileSync(RUN_A, 'utf8').repeat(20)));
    const run = write('cut.trec.gz', whole.subarray(0, whole.length - 12));
    const result = await trecEval(write('qrels.txt', TREC_QRELS), run);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${run}: truncated gzip file`);
  });

  it('exits 2 on a bad line inside a gzipped run or qrels, naming the .gz file and the line', async () => {
    const run = gz('bad.trec.gz', `${readFileSync(RUN_A, 'utf8')}q3 Q0 d7 2 x run-a\n`);
    const result = await trecEval(write('qrels.txt', TREC_QRELS), run);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${run}:7: field 'score': score is not a number: 'x'`);
    const qrels = gz('qrels.json.gz', DICT_QRELS.replace('"d5": 0', '"d5": 0.5'));
    const bad = await trecEval(qrels, RUN_A);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(
      `${qrels}:5: field 'q1.d5': the grade of document 'd5' must be an integer, got 0.5`,
    );
  });
});

describe('eval and compare', () => {
  async function evaluate(...runs: string[]): Promise<EvaluationFile> {
    const out = join(tempDir(), 'evaluation.json');
    const args = ['eval', '--dataset', dataset, '--measures', 'RR,AP,NumRet', '--out', out];
    const result = await runCliInProcess([...args, ...runs.flatMap((run) => ['--run', run])]);
    expect(result.status, result.stderr).toBe(0);
    return JSON.parse(readFileSync(out, 'utf8')) as EvaluationFile;
  }

  it('eval reads gzipped runs, named by the file without .gz, to the same values', async () => {
    const plain = await evaluate(RUN_A, RUN_B);
    const zipped = await evaluate(
      gz('mini-run-a.trec.gz', readFileSync(RUN_A, 'utf8')),
      gz('mini-run-b.jsonl.gz', readFileSync(RUN_B, 'utf8')),
    );
    expect(zipped.runs.map((r) => r.name)).toEqual(['mini-run-a', 'mini-run-b']);
    expect(zipped.runs.map((r) => r.measures)).toEqual(plain.runs.map((r) => r.measures));
  });

  it('eval exits 2 on a corrupt gzip run, naming it', async () => {
    const bytes = gzipSync(Buffer.from(readFileSync(RUN_A, 'utf8')));
    bytes.fill(0x41, 10, bytes.length - 8);
    const run = write('corrupt.trec.gz', bytes);
    const result = await runCliInProcess(['eval', '--dataset', dataset, '--run', run, '--measures', 'RR']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${run}: corrupt gzip file`);
  });

  it('compare reads gzipped runs', async () => {
    const result = await runCliInProcess([
      'compare',
      '--dataset',
      dataset,
      '--run',
      gz('a.trec.gz', readFileSync(RUN_A, 'utf8')),
      '--run',
      gz('b.jsonl.gz', readFileSync(RUN_B, 'utf8')),
      '--measures',
      'RR',
      '--format',
      'csv',
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^a,/m);
    expect(result.stdout).toMatch(/^b,/m);
  });
});

describe('validate', () => {
  it('checks gzipped runs and qrels, dict qrels and BEIR qrels', async () => {
    const cases: [string, RegExp][] = [
      [gz('run.trec.gz', readFileSync(RUN_A, 'utf8')), /ok: run 'run-a': 3 queries, 6 results/],
      [gz('qrels.txt.gz', TREC_QRELS), /ok: qrels: 3 queries, 6 judgments/],
      [write('qrels.json', DICT_QRELS), /ok: qrels: 3 queries, 6 judgments/],
      [gz('qrels.json.gz', DICT_QRELS), /ok: qrels: 3 queries, 6 judgments/],
      [write('test.tsv', BEIR_QRELS), /ok: qrels: 3 queries, 6 judgments/],
      [write('run.json', '{"q1": {"d1": 1.5, "d2": 0.5}}'), /ok: run 'run': 1 queries, 2 results/],
      // Integer scores (reversed ranks) outside any grade scale are a run's, not grades.
      [write('ranks.json', '{"q1": {"d1": 1000, "d2": 999}}'), /ok: run 'ranks': 1 queries, 2 results/],
      [write('spam.json', '{"q1": {"d1": -2, "d2": 3}}'), /ok: qrels: 1 queries, 2 judgments/],
    ];
    for (const [path, expected] of cases) {
      const result = await runCliInProcess(['validate', path]);
      expect(result.status, `${path}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(expected);
    }
  });

  it('exits 2 on a corrupt gzip and on a bad grade, naming the file and line', async () => {
    const bytes = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]);
    const corrupt = write('x.gz', bytes);
    const result = await runCliInProcess(['validate', corrupt]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(corrupt);
    const qrels = gz('qrels.txt.gz', `${TREC_QRELS}q3 0 d9 high\n`);
    const bad = await runCliInProcess(['validate', '--kind', 'qrels', qrels]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`${qrels}:7: field 'rel': relevance must be an integer, got 'high'`);
  });

  it('checks a BEIR folder as it ships, naming its splits', async () => {
    const result = await runCliInProcess(['validate', join(FIXTURES, 'beir-real')]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe('ok: BEIR folder: 2 test queries, 4 documents (splits: dev, test, train)\n');
  });
});

describe('dataset import', () => {
  const imported = (...args: string[]) =>
    runCliInProcess([
      'dataset',
      'import',
      ...args,
      '--name',
      'x',
      '--version',
      '1',
      '--out',
      join(tempDir(), 'x'),
    ]);

  it('--from trec reads gzipped dict qrels and gzipped queries', async () => {
    const queries = gz(
      'queries.jsonl.gz',
      readFileSync(join(FIXTURES, 'beir-mini', 'queries.jsonl'), 'utf8'),
    );
    const result = await imported('--from', 'trec', gz('qrels.json.gz', DICT_QRELS), '--queries', queries);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/: 4 queries, 0 documents, 6 judgments, sha256:/);
  });

  it('--from trec names the line of a query the queries do not have, in a dict', async () => {
    const queries = write('queries.tsv', 'q1\tfirst\nq2\tsecond\n');
    const qrels = gz('qrels.json.gz', DICT_QRELS);
    const result = await imported('--from', 'trec', qrels, '--queries', queries);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${qrels}:11: field 'qid': judgments for query 'q3'`);
  });

  it('--from beir merges splits and counts the queries it leaves out', async () => {
    const result = await imported('--from', 'beir', join(FIXTURES, 'beir-real'), '--split', 'dev,test');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/: 2 queries, 4 documents, 4 judgments, sha256:[0-9a-f]{64}\n/);
    expect(result.stdout).toContain(
      '  2 queries of queries.jsonl without judgments in split dev, test left out\n',
    );
  });

  it('--from beir exits 2 on a missing split, naming the splits present', async () => {
    const result = await imported('--from', 'beir', join(FIXTURES, 'beir-real'), '--split', 'validation');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("split 'validation' is not in this BEIR folder");
    expect(result.stderr).toContain('splits present: dev, test, train');
  });
});
