import { describe, expect, it } from 'vitest';
import { datasetDigest } from '../../src/dataset/digest.js';
import { readRecords, readRecordsForm } from '../../src/dataset/native.js';
import type { QueryRecord } from '../../src/dataset/types.js';
import { UserError } from '../../src/errors.js';
import { inputFile } from '../helpers/input-files.js';

const file = (lines: string[]): string => inputFile('queries.jsonl', lines);

const read = (path: string): Map<string, QueryRecord> => readRecords<QueryRecord>(path, 'query', 'query');

/** The same line as the JSON parser alone reads it: a space after the brace is off the byte-level path. */
const parsed = (line: string): string => line.replace(/^\{/, '{ ');

/** The UserError reading the file throws: its message without the file's name or a column, its location. */
function failure(path: string): { message: string; location: unknown } {
  try {
    read(path);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const message = error.message.replaceAll(path, 'queries.jsonl').replace(/ \(column \d+\)/, '');
    return { message, location: { ...error.location, file: 'queries.jsonl' } };
  }
  throw new Error('expected a UserError');
}

describe('queries.jsonl read from its bytes', () => {
  const LINES = [
    '{"id":"q1","text":"what is it?"}',
    '{"id":"q2","text":" spaced  out "}',
    '{"text":"keys the other way","id":"q3"}',
    '{"id":"q4","text":"caf\\u00e9"}',
    '{"id":"q5","text":"café"}',
    '{"id":"q6","text":"with metadata","metadata":{"a":1}}',
    '{"id":"q7","text":"a \\"quote\\""}',
    '',
  ];

  it('reads every spelling of a query as the JSON parser does, keys in their order', () => {
    const queries = read(file(LINES));
    const slow = read(file(LINES.map(parsed)));
    expect(queries).toEqual(slow);
    expect([...queries.values()].map((q) => Object.keys(q))).toEqual(
      [...slow.values()].map((q) => Object.keys(q)),
    );
    expect(queries.get('q2')).toEqual({ id: 'q2', text: ' spaced  out ' });
    expect(queries.get('q4')?.text).toBe('café');
  });

  it.each([
    ['{"id":"","text":"t"}', 'id'],
    ['{"id":"q2","text":""}', 'text'],
    ['{"id":"q2","text":"   "}', 'text'],
    ['{"id":"q 2","text":"t"}', 'id'],
    ['{"id":"q1","text":"again"}', 'id'], // an id used twice
    ['{"id":"q2"}', 'text'],
    ['{"id":"q2","text":"t"', undefined],
  ])('refuses %j at its line as the JSON path does', (line, field) => {
    const fast = failure(file(['{"id":"q1","text":"first"}', line]));
    const slow = failure(file(['{"id":"q1","text":"first"}', parsed(line)]));
    expect(fast).toEqual(slow);
    expect(fast.location).toMatchObject({ line: 2, ...(field ? { field } : {}) });
  });
});

describe('an id used twice', () => {
  it.each([
    ['plain', (line: string) => line],
    ['parsed', parsed],
  ])('is refused at its second line, naming its first (%s lines)', (_spelling, spell) => {
    const lines = ['{"id":"q1","text":"a"}', '{"id":"q2","text":"b"}', '{"id":"q3","text":"c"}'];
    const { message, location } = failure(
      file([...lines, '{"id":"q2","text":"again"}', 'not JSON'].map(spell)),
    );
    expect(message).toContain("duplicate query id 'q2' (first at line 2)");
    expect(location).toMatchObject({ line: 4, field: 'id' });
  });
});

describe('a queries file in the canonical spelling (the digest hashes it as it stands)', () => {
  const CANONICAL = ['{"id":"q1","text":"a / b"}', '{"id":"q10","text":"ten"}', '{"id":"q2","text":"two"}'];
  const canonical = (text: string): boolean =>
    readRecordsForm<QueryRecord>(inputFile('queries.jsonl', text), 'query', 'query').canonical;

  it('is known, and the digest hashing the file agrees with the digest of its lines', () => {
    const text = `${CANONICAL.join('\n')}\n`;
    expect(canonical(text)).toBe(true);
    const path = inputFile('queries.jsonl', text);
    const content = { queries: read(path), qrels: new Map([['q1', new Map([['d1', 1]])]]) };
    expect(datasetDigest(content, { canonicalQueriesFile: path })).toBe(datasetDigest(content));
  });

  it.each([
    ['ids out of order', [CANONICAL[1], CANONICAL[0], CANONICAL[2]]],
    ['keys in another order', ['{"text":"a / b","id":"q1"}', CANONICAL[1], CANONICAL[2]]],
    ['a line parsed as JSON', [parsed(CANONICAL[0] as string), CANONICAL[1], CANONICAL[2]]],
    ['an escape', ['{"id":"q1","text":"a \\/ b"}', CANONICAL[1], CANONICAL[2]]],
    ['metadata', ['{"id":"q1","metadata":{},"text":"a / b"}', CANONICAL[1], CANONICAL[2]]],
    ['a blank line', [CANONICAL[0], '', CANONICAL[1], CANONICAL[2]]],
  ])('is not taken for canonical with %s', (_what, lines) => {
    expect(canonical(`${lines.join('\n')}\n`)).toBe(false);
  });

  it('is not taken for canonical when its last line has no newline', () => {
    expect(canonical(CANONICAL.join('\n'))).toBe(false);
  });
});
