import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { keyLine, readDictQrels } from '../../src/dataset/dict-run.js';
import { isGzip, withPlainFile } from '../../src/dataset/gzip.js';
import { qrelsFormat, readQrelsFile } from '../../src/dataset/qrels-file.js';
import { readRunFile, readRunJudges } from '../../src/dataset/run-file.js';
import { UserError } from '../../src/errors.js';
import { rankOrder } from '../../src/metrics/rank.js';
import type { Run } from '../../src/metrics/types.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

/** gzip-compressed runs and qrels, and qrels in every form they are exchanged in. */

const TREC = readFileSync(join(FIXTURES, 'mini-run-a.trec'), 'utf8');
const QRELS = {
  q1: { d1: 1, d2: 1, d5: 0 },
  q2: { d3: 1, d4: 0 },
  q3: { d6: 1 },
};

function write(name: string, content: string | Buffer): string {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
}

function gz(name: string, text: string): string {
  return write(name, gzipSync(Buffer.from(text)));
}

function rankings(run: Run): Record<string, string[]> {
  return Object.fromEntries(
    [...run.queries].map(([qid, results]) => [
      qid,
      Array.from(rankOrder(results), (i) => results.docids[i] as string),
    ]),
  );
}

function qrelsObject(qrels: Map<string, Map<string, number>>): Record<string, Record<string, number>> {
  return Object.fromEntries([...qrels].map(([qid, docs]) => [qid, Object.fromEntries(docs)]));
}

function caught(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

describe('gzip-compressed runs', () => {
  const plain = readRunFile(join(FIXTURES, 'mini-run-a.trec'));

  it('reads a gzipped TREC run as its plain twin, named by the file without .gz', () => {
    const run = readRunFile(gz('run-a.trec.gz', TREC));
    expect(run.runId).toBe('run-a');
    expect(rankings(run)).toEqual(rankings(plain));
    expect([...readRunJudges(gz('run-a.trec.gz', TREC)).keys()]).toEqual(['q1', 'q2', 'q3']);
  });

  it('tells gzip by its magic bytes, not its name', () => {
    const disguised = gz('run-a.trec', TREC);
    expect(isGzip(disguised)).toBe(true);
    expect(rankings(readRunFile(disguised))).toEqual(rankings(plain));
    const notGzip = write('plain.trec.gz', TREC);
    expect(isGzip(notGzip)).toBe(false);
    expect(rankings(readRunFile(notGzip))).toEqual(rankings(plain));
  });

  it('reads gzipped JSONL, dict and MS MARCO runs, named by the file', () => {
    const jsonl = TREC.trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([qid, , docid, , score]) => JSON.stringify({ qid, docid, score: Number(score) }))
      .join('\n');
    const dict: Record<string, Record<string, number>> = {};
    for (const line of TREC.trim().split('\n')) {
      const [qid = '', , docid = '', , score = ''] = line.split(' ');
      dict[qid] = { ...dict[qid], [docid]: Number(score) };
    }
    const msmarco = Object.entries(rankings(plain))
      .flatMap(([qid, docids]) => docids.map((d, i) => `${qid}\t${d}\t${i + 1}`))
      .join('\n');
    for (const [name, text] of [
      ['sys.jsonl.gz', jsonl],
      ['sys.json.gz', JSON.stringify(dict, null, 2)],
      ['sys.tsv.gz', msmarco],
    ] as const) {
      const run = readRunFile(gz(name, text));
      expect(run.runId).toBe('sys');
      expect(rankings(run)).toEqual(rankings(plain));
    }
  });

  it('refuses a corrupt or truncated gzip file by name', () => {
    const whole = gzipSync(Buffer.from(TREC.repeat(50)));
    const truncated = write('cut.trec.gz', whole.subarray(0, whole.length - 20));
    expect(caught(() => readRunFile(truncated)).message).toBe(
      `${truncated}: truncated gzip file: it ends before its compressed data does`,
    );
    const corrupt = Buffer.from(whole);
    corrupt.fill(0x55, 10, 40);
    const bad = write('bad.trec.gz', corrupt);
    expect(caught(() => readRunFile(bad)).message).toMatch(
      new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: corrupt gzip file: `),
    );
  });

  it('names the .gz file and the line of the decompressed text in a bad line', () => {
    const path = gz('run.trec.gz', `${TREC}q4 Q0 d1 1 high run-a\n`);
    const error = caught(() => readRunFile(path));
    expect(error.location).toEqual({ file: path, line: 7, field: 'score' });
    expect(error.message).toBe(`${path}:7: field 'score': score is not a number: 'high'`);
    const jsonl = gz(
      'run.jsonl.gz',
      '{"qid": "q1", "docid": "d1", "score": 1}\n{"qid": "q1", "docid": "d1", "score": 2}\n',
    );
    expect(caught(() => readRunFile(jsonl)).message).toMatch(
      /run\.jsonl\.gz:2: field 'docid': document 'd1' appears twice/,
    );
  });

  it('deletes the decompressed copy when the reading ends, and when it fails', () => {
    const path = gz('run.trec.gz', TREC);
    let copy = '';
    withPlainFile(path, (plain) => {
      copy = plain;
      expect(readFileSync(plain, 'utf8')).toBe(TREC);
    });
    expect(copy).not.toBe(path);
    expect(existsSync(copy)).toBe(false);
    expect(() =>
      withPlainFile(path, (plain) => {
        copy = plain;
        throw new UserError('stop', { file: plain, line: 2 });
      }),
    ).toThrow(`${path}:2: stop`);
    expect(existsSync(copy)).toBe(false);
  });

  it('removes the copy a killed reader left behind, and never the copy of a process still reading', () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const orphan = join(tmpdir(), `retrieval-gate-gunzip-${dead}-x1`);
    const live = join(tmpdir(), `retrieval-gate-gunzip-${process.ppid}-x2`);
    for (const dir of [orphan, live]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'run.trec'), TREC);
    }
    try {
      withPlainFile(gz('run.trec.gz', TREC), () => undefined);
      expect(existsSync(orphan)).toBe(false);
      expect(existsSync(join(live, 'run.trec'))).toBe(true);
    } finally {
      rmSync(live, { recursive: true, force: true });
      rmSync(orphan, { recursive: true, force: true });
    }
  });
});

describe('qrels in every exchange form', () => {
  const trec = Object.entries(QRELS)
    .flatMap(([qid, docs]) => Object.entries(docs).map(([d, rel]) => `${qid} 0 ${d} ${rel}`))
    .join('\n');
  const jsonl = Object.entries(QRELS)
    .flatMap(([qid, docs]) => Object.entries(docs).map(([docid, rel]) => JSON.stringify({ qid, docid, rel })))
    .join('\n');
  const beir = `query-id\tcorpus-id\tscore\n${trec.replace(/ 0 /g, '\t').replace(/ /g, '\t')}`;
  const forms = {
    trec,
    jsonl,
    dict: JSON.stringify(QRELS),
    'dict, pretty-printed': JSON.stringify(QRELS, null, 2),
    beir,
    'beir without its header': beir.slice(beir.indexOf('\n') + 1),
  };

  it('tells TREC, JSONL, dict and BEIR TSV apart and reads each, plain or gzipped', () => {
    for (const [form, text] of Object.entries(forms)) {
      expect(qrelsObject(readQrelsFile(write('qrels.txt', `${text}\n`))), form).toEqual(QRELS);
      expect(qrelsObject(readQrelsFile(gz('qrels.txt.gz', `${text}\n`))), `${form}, gzipped`).toEqual(QRELS);
    }
    expect(qrelsFormat(write('q.json', forms.dict))).toBe('dict');
    expect(qrelsFormat(write('q.jsonl', forms.jsonl))).toBe('jsonl');
    expect(qrelsFormat(write('q.tsv', forms.beir))).toBe('beir');
    expect(qrelsFormat(write('q.txt', forms.trec))).toBe('trec');
  });

  it('refuses a grade that is not an integer at its file, line and field', () => {
    const text = JSON.stringify({ q1: { d1: 1 }, q2: { d1: 0, d2: 1.5 } }, null, 2);
    const path = write('qrels.json', text);
    const error = caught(() => readQrelsFile(path));
    expect(error.message).toBe(
      `${path}:7: field 'q2.d2': the grade of document 'd2' must be an integer, got 1.5`,
    );
    const zipped = gz('qrels.json.gz', text);
    expect(caught(() => readQrelsFile(zipped)).location).toEqual({ file: zipped, line: 7, field: 'q2.d2' });
    expect(caught(() => readDictQrels(write('q.json', '{"q1": {"d1": "1"}}'))).message).toMatch(
      /:1: field 'q1\.d1': .*must be an integer, got "1"/,
    );
    expect(caught(() => readDictQrels(write('q.json', '{"q1": [1]}'))).message).toMatch(
      /:1: field 'q1': query 'q1' must map document ids to numbers/,
    );
  });

  it('refuses a bad TREC or BEIR line inside a gzipped qrels file at its decompressed line', () => {
    const path = gz('qrels.gz', 'q1 0 d1 1\nq1 0 d2 x\n');
    expect(caught(() => readQrelsFile(path)).message).toBe(
      `${path}:2: field 'rel': relevance must be an integer, got 'x'`,
    );
    const beirPath = gz('test.tsv.gz', 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td1\t1\n');
    expect(caught(() => readQrelsFile(beirPath)).message).toBe(
      `${beirPath}:3: field 'corpus-id': document 'd1' is judged twice for query 'q1'`,
    );
  });

  it('finds a key’s line in a JSON document, at the right depth', () => {
    const text = '{\n  "d1": {"q1": 1},\n  "q1": {\n    "x": 0,\n    "d1": 2\n  }\n}';
    expect(keyLine(text, ['q1'])).toBe(3);
    expect(keyLine(text, ['q1', 'd1'])).toBe(5);
    expect(keyLine(text, ['q1', 'nope'])).toBeUndefined();
    expect(keyLine('{"a\\"b": {"c": 1}}', ['a"b', 'c'])).toBe(1);
  });
});
