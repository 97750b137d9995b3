import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadPolicy } from '../../src/config/load-policy.js';
import { UserError } from '../../src/errors.js';
import { loadBaseline } from '../../src/results/baseline.js';
import { tempDir } from '../helpers/tmp.js';

/** A file whose second line holds Latin-1 "é" (byte e9), as an editor with a legacy encoding saves it. */
function latin1(name: string, first: string, second: string): string {
  const file = join(tempDir('rg-utf8-'), name);
  writeFileSync(
    file,
    Buffer.concat([Buffer.from(`${first}\n`), Buffer.from(second, 'latin1'), Buffer.from('\n')]),
  );
  return file;
}

describe('configs, policies and baselines are UTF-8, or refused by file and line', () => {
  it.each([
    ['a run config', () => loadConfig(latin1('c.yaml', 'dataset: bike-repair@1.0.0', '# café'))],
    [
      'a gate policy',
      () => loadPolicy(latin1('p.yaml', 'rules:', '  - { kind: floor, metric: R@5, min: 0.1 } # café')),
    ],
    ['a baseline', () => loadBaseline(latin1('b.json', '{', '"x": "café"}'), process.cwd())],
  ])('%s', async (_what, load) => {
    const failure = await Promise.resolve()
      .then((): unknown => load())
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(UserError);
    expect((failure as Error).message).toMatch(/:2: .*not UTF-8 text \(bytes e9/);
  });
});
