import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readForeignDataset } from '../../src/dataset/import/index.js';
import { loadDataset } from '../../src/dataset/native.js';
import { resolveDataset } from '../../src/dataset/resolve.js';
import { sealDataset, writeDataset } from '../../src/dataset/write.js';
import { FIXTURES, importMiniDataset } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

const info = { name: 'mini', version: '1', description: 'test', source: 'test', licence: 'CC0-1.0' };

describe('dataset import', () => {
  it('imports a BEIR folder: the split’s judged queries, the corpus, graded qrels', () => {
    const dir = join(tempDir(), 'mini');
    const result = importMiniDataset(dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /wrote mini@1 .*: 3 queries, 6 documents, 6 judgments, sha256:[0-9a-f]{64}/,
    );
    const dataset = loadDataset(dir);
    expect([...dataset.queries.keys()].sort()).toEqual(['q1', 'q2', 'q3']); // q4 is not judged in the test split
    expect(dataset.qrels.get('q1')).toEqual(
      new Map([
        ['d1', 1],
        ['d2', 1],
        ['d5', 0],
      ]),
    );
    expect(dataset.corpus?.get('d3')?.title).toBe('Disc brake pads');
  });

  it('gives the same digest to the same content from different formats and line orders', () => {
    const beir = readForeignDataset('beir', join(FIXTURES, 'beir-mini'), {});
    const simple = readForeignDataset('simple', join(FIXTURES, 'simple-mini.jsonl'), {
      corpus: join(FIXTURES, 'beir-mini', 'corpus.jsonl'),
    });
    const a = writeDataset(join(tempDir(), 'a'), beir, info);
    const b = writeDataset(join(tempDir(), 'b'), simple, info);
    expect(a.digest).toBe(b.digest);
  });

  it('changes the digest when one judgment changes', () => {
    const content = readForeignDataset('beir', join(FIXTURES, 'beir-mini'), {});
    const before = writeDataset(join(tempDir(), 'a'), content, info).digest;
    content.qrels.get('q1')?.set('d5', 1);
    expect(writeDataset(join(tempDir(), 'b'), content, info).digest).not.toBe(before);
  });

  it('imports TREC qrels with TSV queries', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'qrels.txt'), 'q1 0 d1 2\nq1 0 d2 0\nq2 0 d3 1\n');
    writeFileSync(join(dir, 'queries.tsv'), 'q1\tfirst query\nq2\tsecond query\n');
    const content = readForeignDataset('trec', join(dir, 'qrels.txt'), { queries: join(dir, 'queries.tsv') });
    expect(content.queries.get('q2')?.text).toBe('second query');
    expect(content.qrels.get('q1')?.get('d1')).toBe(2);
  });

  it('refuses to overwrite a published version', () => {
    const dir = join(tempDir(), 'mini');
    const content = readForeignDataset('beir', join(FIXTURES, 'beir-mini'), {});
    writeDataset(dir, content, info);
    expect(() => writeDataset(dir, content, info)).toThrow(
      /already exists; a published version is never edited/,
    );
  });
});

describe('datasets on disk', () => {
  it('seals a hand-written folder without rewriting it, and detects a later edit', () => {
    const dir = tempDir();
    const queries = '{"text": "flat tyre", "id": "q1"}\n{"id": "q2", "text": "brakes"}\n';
    writeFileSync(join(dir, 'queries.jsonl'), queries);
    writeFileSync(
      join(dir, 'qrels.jsonl'),
      '{"qid": "q1", "docid": "d1", "rel": 1}\n{"qid": "q2", "docid": "d2", "rel": 0}\n',
    );
    const manifest = sealDataset(dir, info);
    expect(readFileSync(join(dir, 'queries.jsonl'), 'utf8')).toBe(queries);
    expect(loadDataset(dir).digest).toBe(manifest.digest);
    writeFileSync(join(dir, 'queries.jsonl'), queries.replace('brakes', 'gears'));
    expect(() => loadDataset(dir)).toThrow(/queries.jsonl has changed since the manifest was written/);
  });

  it('a seal that fails leaves no manifest behind, so it can be run again once fixed', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'queries.jsonl'), '{"id": "q1", "text": "flat tyre"}\n');
    writeFileSync(
      join(dir, 'qrels.jsonl'),
      '{"qid": "q1", "docid": "d1", "rel": 1}\n{"qid": "q9", "docid": "d1", "rel": 1}\n',
    );
    expect(() => sealDataset(dir, info)).toThrow(/qrels.jsonl:2: field 'qid': judgments for query 'q9'/);
    expect(existsSync(join(dir, 'manifest.json'))).toBe(false);
  });

  it('resolves name@version from ./datasets, then the package, and lists what exists otherwise', () => {
    const cwd = tempDir();
    const dir = join(cwd, 'datasets', 'mini', '2');
    writeDataset(dir, readForeignDataset('beir', join(FIXTURES, 'beir-mini'), {}), { ...info, version: '2' });
    expect(resolveDataset('mini@2', cwd)).toBe(dir);
    expect(() => resolveDataset('mini@3', cwd)).toThrow(/dataset mini@3 not found .*available: .*mini@2/);
  });

  it('warns about judged documents absent from the corpus, and refuses them with strict', () => {
    const content = readForeignDataset('beir', join(FIXTURES, 'beir-mini'), {});
    content.qrels.get('q2')?.set('gone', 1);
    const dir = join(tempDir(), 'mini');
    writeDataset(dir, content, info);
    expect(loadDataset(dir).warnings[0]).toMatch(
      /1 judgment\(s\) point at documents absent from the corpus.*q2\/gone/,
    );
    expect(() => loadDataset(dir, { strict: true })).toThrow(/absent from the corpus/);
  });
});
