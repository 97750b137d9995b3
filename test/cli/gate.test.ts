import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/results/verdict.js';
import { runCliInProcess } from '../helpers/cli.js';
import { runExample } from '../helpers/results.js';
import { tempDir } from '../helpers/tmp.js';

let dir: string;
let base: string;
let candidate: string;
let baselineFile: string;

function writePolicy(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${['samples: 2000', 'rules:', ...lines.map((l) => `  - ${l}`)].join('\n')}\n`);
  return file;
}

function gateCli(policy: string, results: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCliInProcess(['gate', '--policy', policy, '--results', results, ...args], undefined, env);
}

beforeAll(async () => {
  dir = tempDir();
  base = await runExample(dir, 'base', ['bm25', 'hash']);
  candidate = await runExample(dir, 'candidate', ['bm25', 'hash']);
  baselineFile = join(dir, 'baselines', 'main.json');
  expect((await runCliInProcess(['baseline', 'save', '--from', base, '--to', baselineFile])).status).toBe(0);
});

describe('retrieval-gate gate', () => {
  it('passes an unchanged candidate (exit 0) and writes the Markdown, JUnit and JSON outputs', async () => {
    const policy = writePolicy('drops.yaml', ['{ kind: maxDrop, metric: nDCG@10, maxDrop: { abs: 0.02 } }']);
    const out = join(dir, 'out-pass');
    const result = await gateCli(policy, candidate, ['--baseline', baselineFile, '--out', out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^gate PASS/);
    for (const file of ['gate.md', 'gate.junit.xml', 'gate.json'])
      expect(existsSync(join(out, file))).toBe(true);
    const verdict = JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8')) as Verdict;
    expect(verdict.outcomes.map((o) => [o.system, o.status, o.difference])).toEqual([
      ['bm25', 'pass', 0],
      ['hash', 'pass', 0],
    ]);
  });

  it('fails a real regression (exit 1), says why, and annotates it under GitHub Actions', async () => {
    // The hashing system compared with BM25's baseline: a real, large nDCG@10 drop.
    const policy = writePolicy('regression.yaml', [
      '{ kind: maxDrop, metric: nDCG@10, maxDrop: { abs: 0.02 }, systems: [hash], baselineSystem: bm25 }',
    ]);
    const summary = join(dir, 'step-summary.md');
    const result = await gateCli(
      policy,
      candidate,
      ['--baseline', baselineFile, '--out', join(dir, 'out-fail')],
      {
        GITHUB_ACTIONS: 'true',
        GITHUB_STEP_SUMMARY: summary,
      },
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^gate FAIL/);
    expect(result.stdout).toMatch(/^FAIL +hash +maxDrop nDCG@10/m);
    expect(result.stdout).toMatch(
      /nDCG@10 dropped 0\.\d{4} \(0\.\d{4} → 0\.\d{4}, 73 queries\), more than the allowed 0\.0200, and the drop is significant/,
    );
    expect(result.stdout).toMatch(/^::error /m);
    expect(readFileSync(summary, 'utf8')).toContain('hash');
    expect(result.stderr).toContain('the gate failed');
  });

  it('lets no user text start a workflow command on the CI log: only its own escaped annotations do', async () => {
    const hostile = 'bm25\n::error file=evil.js,line=1::INJECTED';
    const policy = writePolicy('hostile.yaml', [
      `{ kind: floor, metric: R@5, min: 0.99, systems: [${JSON.stringify(hostile)}] }`,
    ]);
    const result = await gateCli(policy, candidate, [], { GITHUB_ACTIONS: 'true' });
    expect(result.status).toBe(1);
    const commands = `${result.stdout}${result.stderr}`.split(/\r?\n/).filter((line) => /^\s*::/.test(line));
    expect(commands.length).toBeGreaterThan(0);
    for (const line of commands) expect(line).toMatch(/^::(error|warning) title=retrieval-gate/);
    // The table shows the name on one line, its line break escaped.
    expect(result.stdout).toContain('bm25\\n::error file=evil.js,line=1::INJECTED');
  });

  it('fails closed without a baseline, and on a failed system', async () => {
    const policy = writePolicy('closed.yaml', ['{ kind: maxDrop, metric: R@5, maxDrop: { abs: 0.03 } }']);
    const noBaseline = await gateCli(policy, candidate, ['--out', join(dir, 'out-none')]);
    expect(noBaseline.status).toBe(1);
    expect(noBaseline.stdout).toContain('no baseline to compare with');

    const broken = await runExample(dir, 'broken', ['bm25', 'broken']);
    const floor = writePolicy('floor.yaml', ['{ kind: floor, metric: R@5, min: 0 }']);
    const gated = await gateCli(floor, broken, []);
    expect(gated.status).toBe(1);
    expect(gated.stdout).toMatch(/^FAIL +broken +system ran/m);
  });

  it('refuses a baseline measured on another dataset (exit 2) unless told to compare anyway', async () => {
    const other = JSON.parse(readFileSync(baselineFile, 'utf8'));
    other.dataset.digest = `sha256:${'0'.repeat(64)}`;
    const otherFile = join(dir, 'baselines', 'other.json');
    writeFileSync(otherFile, JSON.stringify(other));
    const policy = writePolicy('digest.yaml', ['{ kind: maxDrop, metric: R@5, maxDrop: { abs: 0.03 } }']);
    const refused = await gateCli(policy, candidate, ['--baseline', otherFile]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--allow-dataset-change');
    const allowed = await gateCli(policy, candidate, [
      '--baseline',
      otherFile,
      '--allow-dataset-change',
      '--out',
      join(dir, 'out-allowed'),
    ]);
    expect(allowed.status).toBe(0);
  });

  it('runs and gates in one command, refusing a bad policy before running anything', async () => {
    const bad = writePolicy('bad.yaml', ['{ kind: floor, metric: R@5 }']);
    const refused = await runCliInProcess(
      ['run', '--config', join(dir, 'candidate.yaml'), '--reports', join(dir, 'reports2'), '--gate', bad],
      dir,
    );
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/bad\.yaml:3: field 'rules\[0\]\.min': is missing/);
    expect(existsSync(join(dir, 'reports2'))).toBe(false);

    const policy = writePolicy('run.yaml', ['{ kind: floor, metric: R@5, min: 0.1 }']);
    const result = await runCliInProcess(
      [
        'run',
        '--config',
        join(dir, 'candidate.yaml'),
        '--reports',
        join(dir, 'reports2'),
        '--run-id',
        'gated',
        '--quiet',
        '--gate',
        policy,
      ],
      dir,
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^gate PASS/m);
    expect(existsSync(join(dir, 'reports2', 'gated', 'gate.junit.xml'))).toBe(true);
  });
});
