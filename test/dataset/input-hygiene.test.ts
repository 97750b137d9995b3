import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkIdText, idProblem, replacementField } from '../../src/dataset/ids.js';
import { syntaxErrorOffset } from '../../src/dataset/json-text.js';
import { readJsonlRun } from '../../src/dataset/jsonl-run.js';
import { hasSpace, splitColumns } from '../../src/dataset/lines.js';
import { readRecords } from '../../src/dataset/native.js';
import { UserError } from '../../src/errors.js';
import { decodeUtf8, invalidUtf8Offset, readUtf8File } from '../../src/utf8.js';
import { tempDir } from '../helpers/tmp.js';

describe('the id alphabet (dataset/ids.ts)', () => {
  it('takes any UTF-8 word, Unicode spaces and symbols included', () => {
    for (const id of ['q1', 'doc-7/a', 'é', '東京', 'a\u00a0b', 'a\u3000b', 'D\u202eevil']) {
      expect(idProblem(id), id).toBeUndefined();
    }
  });

  it('refuses the empty id and every byte the TREC readers split on, naming it and where', () => {
    expect(idProblem('')).toBe('an id must not be empty');
    expect(idProblem('q 1')).toMatch(/^a space at character 2: TREC run and qrels files split columns/);
    expect(idProblem('q\t1')).toMatch(/^a tab at character 2/);
    expect(idProblem('ab\n')).toMatch(/^a newline at character 3/);
    expect(idProblem('\r')).toMatch(/^a carriage return/);
    expect(idProblem('a\vb')).toMatch(/^a vertical tab/);
    expect(idProblem('a\fb')).toMatch(/^a form feed/);
  });

  it('is the separator set the TREC column splitter uses', () => {
    for (const text of ['a b', 'a\tb', 'a\vb', 'a\fb', 'a\rb', 'a\nb']) {
      expect(hasSpace(text)).toBe(true);
      expect(idProblem(text)).toBeDefined();
      expect(splitColumns(text)).toEqual(['a', 'b']);
    }
    expect(hasSpace('a\u00a0b')).toBe(false);
  });

  it('checkIdText throws a located UserError quoting the id', () => {
    const check = () => checkIdText('d 2', 'document id', { file: 'run.jsonl', line: 3, field: 'docid' });
    expect(check).toThrow(UserError);
    expect(check).toThrow(
      /^run\.jsonl:3: field 'docid': document id "d 2" is refused: a space at character 2/,
    );
  });
});

describe('strict UTF-8', () => {
  it('finds the first byte that is not UTF-8', () => {
    expect(invalidUtf8Offset(Buffer.from('abc'))).toBe(-1);
    expect(invalidUtf8Offset(Buffer.from('café 東京 😀'))).toBe(-1);
    expect(invalidUtf8Offset(Buffer.from([0x61, 0xe9, 0x62]))).toBe(1); // Latin-1 é
    expect(invalidUtf8Offset(Buffer.from([0x61, 0xc3]))).toBe(1); // cut short
    expect(invalidUtf8Offset(Buffer.from([0xc0, 0x80]))).toBe(0); // overlong
    expect(invalidUtf8Offset(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // a surrogate
  });

  it('decodes UTF-8 (a real U+FFFD included) and refuses Latin-1 with file, line, field and the byte', () => {
    expect(decodeUtf8(Buffer.from('a\uFFFDb'), 0, 5, 'f', 1)).toBe('a\uFFFDb');
    const latin1 = Buffer.concat([Buffer.from('{"text":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    expect(() => decodeUtf8(latin1, 0, latin1.length, 'q.jsonl', 4, () => 'text')).toThrow(
      /^q\.jsonl:4: field 'text': not UTF-8 text \(bytes e9 22 7d at byte 13 of the line/,
    );
  });

  it('reads whole files strictly, at the line of the first bad byte', () => {
    const dir = tempDir();
    const path = join(dir, 'topics.txt');
    writeFileSync(path, Buffer.concat([Buffer.from('one\ntwo\nth'), Buffer.from([0xe9]), Buffer.from('\n')]));
    expect(() => readUtf8File(path)).toThrow(/topics\.txt:3: not UTF-8 text \(bytes e9/);
    writeFileSync(path, 'fine \uFFFD\n');
    expect(readUtf8File(path)).toBe('fine \uFFFD\n');
  });

  it('names the JSON field that held the bytes', () => {
    expect(replacementField({ id: 'q1', text: 'caf\uFFFD' })).toBe('text');
    expect(replacementField({ qid: 'q', results: [{ docid: 'a' }, { docid: '\uFFFD' }] })).toBe(
      'results[1].docid',
    );
    expect(replacementField({ q1: { 'd\uFFFD': 1 } })).toBe('q1.d\uFFFD');
    expect(replacementField({ a: 'b' })).toBeUndefined();
  });

  it('the JSONL readers refuse Latin-1 and whitespace ids', () => {
    const dir = tempDir();
    const queries = join(dir, 'queries.jsonl');
    writeFileSync(
      queries,
      Buffer.concat([Buffer.from('{"id":"q1","text":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]),
    );
    expect(() => readRecords(queries, 'query', 'query')).toThrow(
      /queries\.jsonl:1: field 'text': not UTF-8 text/,
    );
    const run = join(dir, 'run.jsonl');
    writeFileSync(run, '{"qid":"q 1","docid":"d1","score":1}\n');
    expect(() => readJsonlRun(run, 'run')).toThrow(/run\.jsonl:1: field 'qid': query id "q 1" is refused/);
  });
});

describe('a JSON syntax error is located where V8 names no position', () => {
  it.each([
    ['{\n  "a": ,\n}', 9],
    ['{"a": 1,}', 8],
    ['[1, 2', 5],
    ['{"a" 1}', 5],
    ['nope', 0],
  ])('%j', (text, offset) => {
    expect(syntaxErrorOffset(text)).toBe(offset);
  });
});
