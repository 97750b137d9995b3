import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalQrelsLines } from '../../src/dataset/canonical.js';
import { datasetDigest } from '../../src/dataset/digest.js';
import { readJsonlQrels, readJsonlQrelsForm } from '../../src/dataset/jsonl-qrels.js';
import { UserError } from '../../src/errors.js';
import { inputFile } from '../helpers/input-files.js';
import { tempDir } from '../helpers/tmp.js';

const file = (lines: string[]): string => inputFile('qrels.jsonl', lines);

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

describe('readJsonlQrelsForm', () => {
  const CANONICAL = [
    '{"docid":"d1","qid":"q1","rel":1}',
    '{"docid":"d2","qid":"q1","rel":-1}',
    '{"docid":"d1","qid":"q2","rel":0}',
  ];
  const canonical = (text: string): boolean => {
    const path = join(tempDir(), 'qrels.jsonl');
    writeFileSync(path, text);
    return readJsonlQrelsForm(path).canonical;
  };

  it('knows a file of exactly the canonical lines, and the digest hashing it as it stands agrees', () => {
    const text = `${CANONICAL.join('\n')}\n`;
    expect(canonical(text)).toBe(true);
    const path = join(tempDir(), 'qrels.jsonl');
    writeFileSync(path, text);
    const content = {
      queries: new Map([
        ['q1', { id: 'q1', text: 'a' }],
        ['q2', { id: 'q2', text: 'b' }],
      ]),
      qrels: readJsonlQrels(path),
    };
    expect(datasetDigest(content, { canonicalQrelsFile: path })).toBe(datasetDigest(content));
    expect(canonicalQrelsLines(content.qrels).join('\n')).toBe(CANONICAL.join('\n'));
  });

  it.each([
    ['keys in another order', ['{"qid":"q1","docid":"d1","rel":1}', CANONICAL[1], CANONICAL[2]]],
    ['rel spelt -0', ['{"docid":"d1","qid":"q1","rel":-0}', CANONICAL[1], CANONICAL[2]]],
    ['documents out of order', [CANONICAL[1], CANONICAL[0], CANONICAL[2]]],
    ['queries out of order', [CANONICAL[2], CANONICAL[0], CANONICAL[1]]],
    ['a line parsed as JSON', ['{ "docid":"d1","qid":"q1","rel":1}', CANONICAL[1], CANONICAL[2]]],
    ['an extra key', ['{"docid":"d1","qid":"q1","rel":1,"x":1}', CANONICAL[1], CANONICAL[2]]],
    ['a blank line', [CANONICAL[0], '', CANONICAL[1], CANONICAL[2]]],
    ['a CR before a newline', [`${CANONICAL[0]}\r`, CANONICAL[1], CANONICAL[2]]],
  ])('does not take a file with %s for canonical', (_what, lines) => {
    expect(canonical(`${lines.join('\n')}\n`)).toBe(false);
  });

  it('does not take a file whose last line has no newline for canonical', () => {
    expect(canonical(CANONICAL.join('\n'))).toBe(false);
  });
});
