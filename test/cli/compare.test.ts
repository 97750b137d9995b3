import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';
import { FIXTURES, importMiniDataset } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

/** `compare` through the CLI: run files and a run folder mixed, every format, per-query values, refusals. */

const RUN_A = join(FIXTURES, 'mini-run-a.trec');
const RUN_B = join(FIXTURES, 'mini-run-b.jsonl');
let dataset: string;

beforeAll(() => {
  dataset = join(tempDir(), 'mini');
  expect(importMiniDataset(dataset).status).toBe(0);
});

const compare = (...args: string[]) =>
  runCliInProcess([
    'compare',
    '--dataset',
    dataset,
    '--run',
    RUN_A,
    '--run',
    RUN_B,
    '--measures',
    'RR,AP',
    '--samples',
    '500',
    ...args,
  ]);

describe('compare', () => {
  it('prints the lettered table of means and the pairs with win/tie/loss', async () => {
    const result = await compare();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^mini@\S+, \d+ judged queries; letters: the runs a mean beats/);
    expect(result.stdout).toMatch(/\na +mini-run-a +\d\.\d{4}/);
    expect(result.stdout).toMatch(/a vs b +RR +[+-]\d\.\d{4} +\d+\/\d+\/\d+/);
  });

  it('writes Markdown, CSV and LaTeX, and per-query values as TSV or JSON lines', async () => {
    expect((await compare('--format', 'markdown')).stdout).toContain('| --- |');
    expect((await compare('--format', 'csv')).stdout.split('\n')[0]).toBe(
      'letter,run,RR,RR beats,AP,AP beats',
    );
    expect((await compare('--format', 'latex')).stdout).toContain('\\begin{tabular}{llrr}');
    const tsv = join(tempDir(), 'per-query.tsv');
    expect((await compare('--per-query', tsv)).status).toBe(0);
    expect(readFileSync(tsv, 'utf8').split('\n')[0]).toMatch(/^mini-run-a\t\S+\tRR\t[\d.]+$/);
  });

  it('needs two runs and a dataset (exit 2)', async () => {
    const one = await runCliInProcess(['compare', '--dataset', dataset, '--run', RUN_A]);
    expect(one.status).toBe(2);
    expect(one.stderr).toMatch(/at least two runs; it was given 1/);
    const none = await runCliInProcess(['compare', '--run', RUN_A, '--run', RUN_B]);
    expect(none.stderr).toMatch(/needs --dataset/);
    const twice = await runCliInProcess(['compare', '--dataset', dataset, '--run', RUN_A, '--run', RUN_A]);
    expect(twice.stderr).toMatch(/two runs are named 'mini-run-a'/);
  });
});
