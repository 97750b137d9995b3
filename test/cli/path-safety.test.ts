import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/results/summary.js';
import { type CliResult, REPO_ROOT, runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Names that become path components (the run id, system ids, the collection of a build record) never write
 * outside the folder the user named, whatever the flags or the config say; a folder given where a file
 * belongs, or a file where a folder does, is exit 2 naming the path (issue 17.5, 17.6). A run whose config
 * names its dataset by folder can be reported on again without --dataset (issue 21.7).
 */

const DATASET = join(REPO_ROOT, 'datasets', 'bike-repair', '1.0.0');

function writeConfig(dir: string, systems: string[], dataset = JSON.stringify(DATASET)): string {
  const file = join(dir, 'retrieval-gate.yaml');
  writeFileSync(
    file,
    [
      `dataset: ${dataset}`,
      'cacheDir: cache',
      'measures: [nDCG@10]',
      'models:',
      '  hash-64: { provider: hashing, dimensions: 64 }',
      'indexes:',
      '  exact: { kind: embedded }',
      '  bm25: { kind: bm25 }',
      'systems:',
      ...systems.map((line) => `  - ${line}`),
      '',
    ].join('\n'),
  );
  return file;
}

/** Every path under `dir`, relative to it (folders end with /). */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((entry) => {
      const path = join(entry.parentPath, entry.name).slice(dir.length + 1);
      return entry.isDirectory() ? `${path}/` : path;
    })
    .sort();
}

/** A refusal as the user sees it: exit 2, one line naming what, no stack trace. */
function expectRefused(result: CliResult, ...named: string[]): void {
  expect(result.status, result.stderr).toBe(2);
  for (const text of named) expect(result.stderr).toContain(text);
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(result.stderr.length).toBeLessThan(2000);
}

describe('run ids are one path component under --reports', () => {
  const hostile: [string, string][] = [
    ['..', 'names a folder that already exists'],
    ['.', 'names a folder that already exists'],
    ['../escape', 'path separator'],
    ['a/b', 'path separator'],
    ['a\\b', 'path separator'],
    ['a\0b', 'NUL'],
    ['x'.repeat(8 * 1024 * 1024), 'characters long'],
    ['CON', 'device name'],
    ['nul.txt', 'device name'],
    ['com1', 'device name'],
    ['trailing.', 'ends with a dot'],
    ['a:b', 'Windows refuses'],
    ['line\nbreak', 'control character'],
  ];

  it.each(
    hostile.map(([id, why]) => [
      id.length > 40 ? `${id.slice(0, 8)}… (${id.length})` : JSON.stringify(id),
      id,
      why,
    ]),
  )('--run-id %s is refused before anything is written', async (_label, id, why) => {
    const dir = tempDir();
    const config = writeConfig(dir, ['{ id: bm25, index: bm25, k: 10 }']);
    const before = tree(dir);
    const result = await runCliInProcess(
      ['run', '--config', config, '--reports', join(dir, 'out', 'reports'), '--run-id', id, '--quiet'],
      dir,
    );
    expectRefused(result, '--run-id', why);
    // Nothing at all was written: no reports folder, no run folder beside it, no cache.
    expect(tree(dir)).toEqual(before);
  });

  it('an absolute --run-id is refused, and nothing is written where it points', async () => {
    const dir = tempDir();
    const elsewhere = tempDir();
    const config = writeConfig(dir, ['{ id: bm25, index: bm25, k: 10 }']);
    const result = await runCliInProcess(
      ['run', '--config', config, '--run-id', join(elsewhere, 'stolen'), '--quiet'],
      dir,
    );
    expectRefused(result, '--run-id', 'path separator');
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('an ordinary --run-id still names the run folder', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, ['{ id: bm25, index: bm25, k: 10 }']);
    const result = await runCliInProcess(
      ['run', '--config', config, '--run-id', 'nightly-2026.12.03_a', '--quiet', '--no-report'],
      dir,
    );
    expect(result.status, result.stderr).toBe(0);
    expect(readdirSync(join(dir, 'reports'))).toEqual(['nightly-2026.12.03_a']);
  });
});

describe('system ids are checked at config load, naming the file, line and field', () => {
  const cases: [string, string[], string[]][] = [
    ['a Windows device name', ['{ id: CON, index: bm25 }'], ["field 'systems[0].id'", 'device name', ':10:']],
    [
      'a device name with an extension',
      ['{ id: aux.x, index: bm25 }'],
      ["field 'systems[0].id'", 'device name'],
    ],
    [
      'an 8 MB id',
      [`{ id: ${'s'.repeat(8 * 1024 * 1024)}, index: bm25 }`],
      ["field 'systems[0].id'", 'characters long'],
    ],
    [
      'two ids written to one folder',
      ['{ id: a~b, index: bm25 }', '{ id: a_b, index: bm25 }'],
      ["field 'systems[1].id'", 'systems/a_b', 'a~b'],
    ],
    ['a path separator', ['{ id: ../up, index: bm25 }'], ["field 'systems[0].id'"]],
    ['dots only', ['{ id: "..", index: bm25 }'], ["field 'systems[0].id'"]],
    ['a trailing dot', ['{ id: "ends.", index: bm25 }'], ["field 'systems[0].id'", 'ends with a dot']],
  ];

  it.each(cases)('%s', async (_label, systems, named) => {
    const dir = tempDir();
    const config = writeConfig(dir, systems);
    const before = tree(dir);
    const result = await runCliInProcess(['run', '--config', config, '--quiet'], dir);
    expectRefused(result, config, ...named);
    expect(tree(dir)).toEqual(before);
  });

  it('a sweep id is written as one folder name inside systems/', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, ['{ id: "x.y@z+w-1", index: bm25, k: 10 }']);
    const result = await runCliInProcess(
      ['run', '--config', config, '--run-id', 'r', '--quiet', '--no-report'],
      dir,
    );
    expect(result.status, result.stderr).toBe(0);
    expect(readdirSync(join(dir, 'reports', 'r', 'systems'))).toEqual(['x.y@z+w-1']);
  });
});

describe('a folder where a file belongs, a file where a folder does: exit 2 naming the path', () => {
  it('--config, --gate, eval --run and trec-eval files that are folders', async () => {
    const dir = tempDir();
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    const config = writeConfig(dir, ['{ id: bm25, index: bm25, k: 10 }']);
    const run = join(DATASET, 'runs', 'bm25.trec');
    for (const args of [
      ['run', '--config', folder, '--quiet'],
      ['run', '--config', config, '--gate', folder, '--quiet'],
      ['eval', '--dataset', DATASET, '--run', folder],
      ['compare', '--dataset', DATASET, '--run', run, '--run', folder],
      ['trec-eval', folder, run],
      ['trec-eval', join(DATASET, 'qrels.jsonl'), folder],
      ['gate', '--policy', folder, '--results', folder],
    ]) {
      const result = await runCliInProcess(args, dir);
      expectRefused(result, folder, 'is a folder');
    }
    expect(readdirSync(dir).sort()).toEqual(['a-folder', 'retrieval-gate.yaml']);
  });

  it('run --reports naming a file is refused before anything runs', async () => {
    const dir = tempDir();
    const file = join(dir, 'a-file');
    writeFileSync(file, 'keep me\n');
    const config = writeConfig(dir, ['{ id: hash, model: hash-64, index: exact, k: 10 }']);
    const result = await runCliInProcess(['run', '--config', config, '--reports', file, '--quiet'], dir);
    expectRefused(result, '--reports', file, 'names a file');
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
    expect(readdirSync(dir).sort()).toEqual(['a-file', 'retrieval-gate.yaml']);

    const below = await runCliInProcess(
      ['run', '--config', config, '--reports', join(file, 'sub'), '--quiet'],
      dir,
    );
    expectRefused(below, '--reports', 'is a file, not a folder');
  });

  it('index build --reports naming a file is refused before anything is embedded', async () => {
    const dir = tempDir();
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const config = writeConfig(dir, ['{ id: hash, model: hash-64, index: exact, k: 10 }']);
    const result = await runCliInProcess(
      [
        'index',
        'build',
        '--config',
        config,
        '--model',
        'hash-64',
        '--index',
        'exact',
        '--reports',
        file,
        '--quiet',
      ],
      dir,
    );
    expectRefused(result, '--reports', file);
    expect(readdirSync(dir).sort()).toEqual(['a-file', 'retrieval-gate.yaml']);
  });
});

describe('report finds the dataset a run read by folder (issue 21.7)', () => {
  it('reads the folder the summary records, and names the --dataset to pass when it is gone', async () => {
    const dir = tempDir();
    const data = join(dir, 'data', 'bikes');
    cpSync(DATASET, data, { recursive: true });
    // A dataset of its own name: no name@version lookup (./datasets, the shipped ones) finds it.
    const manifest = join(data, 'manifest.json');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace('"name": "bike-repair"', '"name": "bikes-local"'),
    );
    const config = writeConfig(dir, ['{ id: bm25, index: bm25, k: 10 }'], 'data/bikes');
    const ran = await runCliInProcess(
      ['run', '--config', config, '--run-id', 'r1', '--quiet', '--no-report'],
      dir,
    );
    expect(ran.status, ran.stderr).toBe(0);
    const runDir = join(dir, 'reports', 'r1');
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary.dataset).toMatchObject({ reference: 'data/bikes', path: data });

    // From another folder, where neither data/bikes nor ./datasets is.
    const elsewhere = tempDir();
    const report = await runCliInProcess(['report', runDir], elsewhere);
    expect(report.status, report.stderr).toBe(0);
    expect(readdirSync(runDir)).toContain('report.html');
    // The gate's coverage rule finds it the same way.
    const policy = join(elsewhere, 'coverage.yaml');
    writeFileSync(policy, 'rules:\n  - { kind: coverage, k: 10, minJudged: 0 }\n');
    const gated = await runCliInProcess(['gate', '--policy', policy, '--results', runDir], elsewhere);
    expect(gated.stdout, gated.stderr).toMatch(/^gate PASS/);

    // The dataset moved (and a copy of another version is not it): the message says what to pass.
    const moved = join(dir, 'moved');
    renameSync(data, moved);
    const lost = await runCliInProcess(['report', runDir], elsewhere);
    expectRefused(lost, 'summary.json', data, 'is gone', '--dataset');
    const found = await runCliInProcess(['report', runDir, '--dataset', moved], elsewhere);
    expect(found.status, found.stderr).toBe(0);
  });
});
