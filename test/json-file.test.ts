import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.js';
import { writeJsonFile } from '../src/files.js';
import { tempDir } from './helpers/tmp.js';

describe('writeJsonFile', () => {
  it('writes exactly what JSON.stringify with a two-space indent writes, and a newline', () => {
    const value = {
      empty: {},
      none: [],
      nested: [[], [{}], { a: [1, -0, 1e-7, 2.5e21, Number.NaN, Number.POSITIVE_INFINITY] }],
      text: 'quote " backslash \\ newline \n tab \t é 字 \u2028 \ud800',
      skipped: undefined,
      fn: () => 1,
      holes: [undefined, () => 1, null, true, false],
      when: new Date(Date.UTC(2026, 11, 4)),
      custom: { toJSON: (key: string) => ({ key }) },
      gone: { toJSON: () => undefined },
      'odd key "': 0,
    };
    const path = join(tempDir(), 'value.json');
    writeJsonFile(path, value);
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });

  it('writes a value larger than its buffer in pieces, multi-byte text across their seams', () => {
    const value = {
      qids: Array.from({ length: 60_000 }, (_, i) => `q${i}é`),
      values: Array.from({ length: 60_000 }, (_, i) => i / 7),
      // Arrays of plain items are written a slice at a time: what they hold and how deep they sit.
      deeper: {
        mixed: Array.from({ length: 20_000 }, (_, i) => [i, 'a\nb', null, Number.NaN, -0, true][i % 6]),
      },
    };
    const path = join(tempDir(), 'large.json');
    writeJsonFile(path, value);
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });

  it('names the file it cannot write, as a user error', () => {
    const dir = tempDir();
    expect(() => writeJsonFile(dir, {})).toThrow(UserError);
    expect(() => writeJsonFile(dir, {})).toThrow(/cannot write: is a folder/);
  });
});
