import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSha256, fileSha256InBackground } from '../../src/dataset/digest.js';
import { UserError } from '../../src/errors.js';
import { tempDir } from '../helpers/tmp.js';

describe('fileSha256InBackground', () => {
  it('gives the file digest fileSha256 gives, across its read buffer', () => {
    const path = join(tempDir(), 'run.trec');
    writeFileSync(path, Buffer.alloc(3 << 19, 'q1 Q0 d1 1 1 t\n'));
    const digest = fileSha256InBackground(path);
    expect(digest.result()).toBe(fileSha256(path));
    expect(digest.result()).toBe(fileSha256(path));
  });

  it('leaves a file it cannot read to fileSha256, a user error', () => {
    const digest = fileSha256InBackground(join(tempDir(), 'missing.trec'));
    expect(() => digest.result()).toThrow(UserError);
  });
});
