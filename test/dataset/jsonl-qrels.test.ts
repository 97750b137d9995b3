import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonlQrels } from '../../src/dataset/jsonl-qrels.js';
import { UserError } from '../../src/errors.js';
import { tempDir } from '../helpers/tmp.js';

function file(lines: string[]): string {
  const path = join(tempDir(), 'qrels.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** The same line as the JSON parser alone reads it: a space after the brace is off the byte-level path. */
const parsed = (line: string): string => line.replace(/^\{/, '{ ');

/** The UserError reading the file throws: its message without the file's name or a column, its location. */
function failure(path: string): { message: string; location: unknown } {
  try {
    readJsonlQrels(path);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const message = error.message.replaceAll(path, 'qrels.jsonl').replace(/ \(column \d+\)/, '');
    return { message, location: { ...error.location, file: 'qrels.jsonl' } };
  }
  throw new Error('expected a UserError');
}

describe('readJsonlQrels', () => {
  const LINES = [
    '{"docid":"d1","qid":"q1","rel":1}',
    '{"qid":"q1","docid":"d2","rel":0}',
    '{"rel":-1,"docid":"d3","qid":"q1"}',
    '{"docid":"d1","qid":"q2","rel":12345678901}',
    '{"docid":"d\\u0032","qid":"q2","rel":2}',
    '{"docid":"dé","qid":"q2","rel":3}',
    '{"docid":"d4","qid":"q3","rel":1,"note":"extra keys are allowed"}',
    '{"docid":"d5","qid":"q3","rel":-0}',
    '  {"docid":"d6","qid":"q3","rel":1}  ',
    '',
  ];

  it('reads every spelling of a judgment as the JSON parser does', () => {
    const qrels = readJsonlQrels(file(LINES));
    expect(qrels).toEqual(readJsonlQrels(file(LINES.map(parsed))));
    expect(qrels.get('q1')).toEqual(
      new Map([
        ['d1', 1],
        ['d2', 0],
        ['d3', -1],
      ]),
    );
    expect(qrels.get('q2')).toEqual(
      new Map([
        ['d1', 12345678901],
        ['d2', 2],
        ['dé', 3],
      ]),
    );
    expect(Object.is(qrels.get('q3')?.get('d5'), -0)).toBe(true);
  });

  it.each([
    ['{"docid":"","qid":"q1","rel":1}', 'docid'],
    ['{"docid":"d1","qid":"q1","rel":1.5}', 'rel'],
    ['{"docid":"d1","qid":"q1","rel":01}', undefined],
    ['{"docid":"d1","qid":"q1"}', 'rel'],
    ['{"docid":"d2","docid":"d1","qid":"q1","rel":1}', 'docid'], // a key twice: the last one counts
    ['{"docid":"d1","qid":"q1","rel":"1"}', 'rel'],
    ['{"docid":"d 1","qid":"q1","rel":1}', 'docid'],
    ['{"docid":"d1","qid":"q1","rel":1}', 'docid'], // judged twice
  ])('refuses %j at its line as the JSON path does', (line, field) => {
    const fast = failure(file(['{"docid":"d1","qid":"q1","rel":0}', line]));
    const slow = failure(file(['{"docid":"d1","qid":"q1","rel":0}', parsed(line)]));
    expect(fast).toEqual(slow);
    expect(fast.location).toMatchObject({ line: 2, ...(field ? { field } : {}) });
  });
});
