import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary, SystemSummary } from '../../src/results/summary.js';
import { CLI, type CliResult, REPO_ROOT, runCliInProcess } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

const DATASET = join(REPO_ROOT, 'datasets', 'bike-repair', '1.0.0');
const QUERIES = 73;

/** A config over the example dataset with its cache and reports in a fresh folder. */
function writeConfig(dir: string, extra: { indexes?: string[]; systems: string[] }): string {
  const file = join(dir, 'retrieval-gate.yaml');
  const yaml = [
    `dataset: ${JSON.stringify(DATASET)}`,
    'cacheDir: cache',
    'measures: [nDCG@10, R@5]',
    'models:',
    '  hash-64: { provider: hashing, dimensions: 64 }',
    '  hash-32: { provider: hashing, dimensions: 32, batchSize: 128 }',
    'indexes:',
    '  exact: { kind: embedded, distance: cosine }',
    '  bm25: { kind: bm25 }',
    ...(extra.indexes ?? []).map((line) => `  ${line}`),
    'rerankers:',
    '  lexical: { kind: lexical, depth: 20 }',
    'systems:',
    ...extra.systems.map((line) => `  - ${line}`),
  ];
  writeFileSync(file, `${yaml.join('\n')}\n`);
  return file;
}

function readSummary(dir: string, runId: string): RunSummary {
  return JSON.parse(readFileSync(join(dir, 'reports', runId, 'summary.json'), 'utf8')) as RunSummary;
}

function system(summary: RunSummary, id: string): SystemSummary {
  const found = summary.systems.find((s) => s.id === id);
  if (!found) throw new Error(`no system ${id} in the summary`);
  return found;
}

describe('retrieval-gate run', () => {
  let dir: string;
  let first: CliResult;
  let second: CliResult;

  beforeAll(async () => {
    dir = tempDir();
    const config = writeConfig(dir, {
      indexes: [
        `broken: { kind: command, command: [node, ${JSON.stringify(join(FIXTURES, 'commands', 'faulty.mjs'))}, crash] }`,
      ],
      systems: [
        '{ id: bm25, index: bm25, k: 20 }',
        '{ id: hash+lexical, model: hash-64, index: exact, reranker: lexical, k: 20 }',
        '{ id: hash, model: hash-64, index: exact, k: 20 }',
        '{ id: broken, index: broken, k: 20 }',
      ],
    });
    const args = ['run', '--config', config, '--reports', join(dir, 'reports'), '--quiet'];
    first = await runCliInProcess([...args, '--run-id', 'first'], dir);
    second = await runCliInProcess([...args, '--run-id', 'second'], dir);
  });

  it('measures the working systems, reports the failed one, and exits 2', () => {
    expect(first.status).toBe(2);
    expect(first.stderr).toContain('1 of 4 systems failed');
    // The program's own stderr comes through the command's stderr, named by its alias.
    expect(first.stderr).toMatch(/^\[broken\] RuntimeError: CUDA out of memory$/m);
    expect(first.stdout).toMatch(/^bm25 +\d\.\d{4} \[/m);
    expect(first.stdout).toMatch(/^hash\+lexical .*\(ceiling R@20 /m);
    expect(first.stdout).toMatch(/^broken +FAILED +FAILED/m);

    const summary = readSummary(dir, 'first');
    const broken = system(summary, 'broken');
    expect(broken.status).toBe('failed');
    expect(broken.error).toContain('CUDA out of memory');
    expect(broken.measures).toBeUndefined();
    expect(broken.latencyMs).toBeUndefined();
    expect(system(summary, 'bm25').status).toBe('ok');
    expect(system(summary, 'hash+lexical').lift?.measures['nDCG@10']).toBeDefined();

    const evaluation = JSON.parse(readFileSync(join(dir, 'reports', 'first', 'evaluation.json'), 'utf8'));
    expect(evaluation.runs.map((r: { name: string }) => r.name)).toEqual([
      'bm25',
      'hash+lexical',
      'hash+lexical~first-stage',
      'hash',
    ]);
  });

  it('writes a run, a JSONL run and a trace of every query per system', () => {
    for (const id of ['bm25', 'hash+lexical']) {
      const folder = join(dir, 'reports', 'first', 'systems', id);
      expect(existsSync(join(folder, 'run.trec'))).toBe(true);
      expect(existsSync(join(folder, 'run.jsonl'))).toBe(true);
      const trace = readFileSync(join(folder, 'trace.jsonl'), 'utf8').trim().split('\n');
      expect(trace).toHaveLength(QUERIES);
      expect(JSON.parse(trace[0] ?? '{}').system).toBe(id);
    }
    expect(existsSync(join(dir, 'reports', 'first', 'systems', 'hash+lexical', 'first-stage.trec'))).toBe(
      true,
    );
  });

  it('embeds nothing twice: not for a second system on the same model, not on the second run', () => {
    expect(second.status).toBe(2);
    const before = system(readSummary(dir, 'first'), 'hash+lexical');
    const after = system(readSummary(dir, 'second'), 'hash+lexical');
    expect(before.embeddingCalls).toEqual({ query: 1, indexBuild: 1 });
    expect(after.embeddingCalls).toEqual({ query: 0, indexBuild: 0 });
    // Same model and index as hash+lexical: the corpus and queries were embedded once for both.
    expect(system(readSummary(dir, 'first'), 'hash').embeddingCalls).toEqual({ query: 0, indexBuild: 0 });
    expect(after.measures).toEqual(before.measures);
  });

  it('exits 2 naming the file, line and field of a config error, without running anything', async () => {
    const bad = tempDir();
    const config = writeConfig(bad, { systems: ['{ id: s, model: hash-99, index: exact }'] });
    const result = await runCliInProcess(['run', '--config', config, '--reports', join(bad, 'reports')], bad);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /retrieval-gate\.yaml:13: field 'systems\[0\]\.model': unknown model 'hash-99'/,
    );
    expect(result.stderr).not.toContain('    at ');
    expect(existsSync(join(bad, 'reports'))).toBe(false);
  });
});

describe('a run killed midway', () => {
  it('embeds on the next run only what the killed run had not embedded', async () => {
    const dir = tempDir();
    // A command index that SIGKILLs retrieval-gate at its first search, once (the marker file remembers):
    // by then the first system is done and the second system's queries are embedded.
    const killer = join(dir, 'killer.mjs');
    writeFileSync(
      killer,
      [
        "import { existsSync, writeFileSync } from 'node:fs';",
        "import { createInterface } from 'node:readline';",
        'const marker = process.argv[2];',
        'for await (const line of createInterface({ input: process.stdin })) {',
        '  const request = JSON.parse(line);',
        "  if (!existsSync(marker)) { writeFileSync(marker, 'killed'); process.kill(process.ppid, 'SIGKILL'); }",
        '  const results = request.queries.map((q) => ({ qid: q.qid, hits: [{ docid: "a01", score: 1 }] }));',
        "  process.stdout.write(JSON.stringify({ id: request.id, results }) + '\\n');",
        '}',
      ].join('\n'),
    );
    const config = writeConfig(dir, {
      indexes: [
        `killer: { kind: command, command: [node, killer.mjs, ${JSON.stringify(join(dir, 'marker'))}], vectors: true, dimensions: 32 }`,
      ],
      systems: [
        '{ id: dense, model: hash-64, index: exact, k: 20 }',
        '{ id: remote, model: hash-32, index: killer, k: 20 }',
      ],
    });
    const args = [CLI, 'run', '--config', config, '--reports', join(dir, 'reports'), '--quiet'];

    const killed = spawnSync(process.execPath, [...args, '--run-id', 'killed'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(join(dir, 'reports', 'killed', 'summary.json'))).toBe(false);

    const resumed = await runCliInProcess(
      ['run', '--config', config, '--reports', join(dir, 'reports'), '--quiet', '--run-id', 'resumed'],
      dir,
    );
    expect(resumed.status).toBe(0);
    const summary = readSummary(dir, 'resumed');
    expect(system(summary, 'dense').embeddingCalls).toEqual({ query: 0, indexBuild: 0 });
    expect(system(summary, 'remote').embeddingCalls).toEqual({ query: 0, indexBuild: 0 });
    expect(system(summary, 'remote').measures?.['R@5']).toBeDefined();
  });
});
