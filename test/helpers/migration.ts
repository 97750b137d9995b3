import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type CliResult, runCliInProcess } from './cli.js';
import { tempDir } from './tmp.js';

/**
 * The migration scenario the pgvector and Qdrant tests share: an old model (hash-64) serving through the
 * alias `docs` from docs_v1, a better candidate (hash-384 on docs_v2) and a measurably worse one (hash-2 on
 * docs_v3), as CLI calls in a folder of their own.
 */
export class MigrationScenario {
  readonly dir = tempDir('rg-migrate-');
  readonly configFile = join(this.dir, 'migration.yaml');
  readonly reports = join(this.dir, 'reports');

  /** `index(name)`: the config's flow map for the index named `name` (docs, docs_v1…) in the store tested. */
  constructor(index: (name: string) => string) {
    writeFileSync(
      this.configFile,
      `dataset: bike-repair@1.0.0
measures: [nDCG@10, R@5, R@10]
cacheDir: cache
models:
  hash-64: { provider: hashing, dimensions: 64 }
  hash-384: { provider: hashing, dimensions: 384 }
  hash-2: { provider: hashing, dimensions: 2 }
indexes:
  docs: ${index('docs')}
  v1: ${index('docs_v1')}
  v2: ${index('docs_v2')}
  v3: ${index('docs_v3')}
systems:
  - { id: live, model: hash-64, index: docs, k: 10 }
  - { id: better, model: hash-384, index: v2, k: 10 }
  - { id: worse, model: hash-2, index: v3, k: 10 }
`,
    );
  }

  cli(args: string[]): Promise<CliResult> {
    return runCliInProcess(args, this.dir);
  }

  migrate(...args: string[]): Promise<CliResult> {
    return this.cli(['migrate', ...args, '--reports', this.reports]);
  }

  /** `index build` of one index with its model (`extra`: --alias, --collection). */
  async build(model: string, index: string, extra: string[] = []): Promise<void> {
    const args = ['index', 'build', '--config', this.configFile, '--model', model, '--index', index];
    const built = await this.cli([...args, '--reports', this.reports, '--quiet', ...extra]);
    expect(built.status, built.stderr).toBe(0);
  }

  /** The three indexes, the alias on the old one; `extra(index)` adds flags per build. */
  async buildAll(extra: (index: string) => string[] = () => []): Promise<void> {
    await this.build('hash-64', 'v1', ['--alias', 'docs', ...extra('v1')]);
    await this.build('hash-384', 'v2', extra('v2'));
    await this.build('hash-2', 'v3', extra('v3'));
  }

  /** `migrate review` of a candidate against the live system, into reports/<candidate>/. */
  review(candidate: string, extra: string[] = []): Promise<CliResult> {
    const args = ['--config', this.configFile, '--live', 'live', '--candidate', candidate];
    return this.migrate('review', ...args, '--run-id', candidate, '--quiet', ...extra);
  }

  /** `migrate cutover` of the alias to `to` on the review of `reviewed`. */
  cutover(to: string, reviewed: string, ...extra: string[]): Promise<CliResult> {
    return this.migrate(
      'cutover',
      '--alias',
      'docs',
      '--to',
      to,
      '--review',
      join(this.reports, reviewed),
      ...extra,
    );
  }
}
