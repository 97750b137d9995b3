import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { median } from './timing.js';

/**
 * Start-up time of the CLI: quick commands should cost little more than starting node itself (target
 * ≤ 1.3× bare `node -e 0`), which holds only while each command loads its dependencies when it runs.
 * Prints the median wall time of each command and its ratio to bare node; never fails on timing.
 */
export const name = 'startup';

const RUNS = 15;
const CLI = join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'main.js');
const GOOD = join(PACKAGE_ROOT, 'test', 'fixtures', 'good');
const DATASET = join(PACKAGE_ROOT, 'datasets', 'bike-repair', '1.0.0');

interface Case {
  label: string;
  args: string[];
  /** Exit codes that count as a normal run (a gate may fail: 1). */
  exits: number[];
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rg-bench-startup-'));
  try {
    const cases: Case[] = [
      { label: 'node -e 0', args: ['-e', '0'], exits: [0] },
      { label: '--help', args: [CLI, '--help'], exits: [0] },
      { label: 'validate <dataset>', args: [CLI, 'validate', DATASET], exits: [0] },
      {
        label: 'trec-eval <qrels> <run>',
        args: [CLI, 'trec-eval', join(GOOD, 'qrels.trec'), join(GOOD, 'run.trec')],
        exits: [0],
      },
      {
        label: 'gate <run folder>',
        args: [CLI, 'gate', '--policy', join(PACKAGE_ROOT, 'gates', 'default.yaml')],
        exits: [0, 1],
      },
    ];
    const gate = cases.at(-1) as Case;
    gate.args.push('--results', smallRunFolder(dir), '--out', join(dir, 'gate'));

    const bare = medianSeconds(cases[0] as Case);
    console.log(`${'command'.padEnd(26)} median wall  × node -e 0 (${RUNS} runs each)`);
    for (const [i, c] of cases.entries()) {
      const seconds = i === 0 ? bare : medianSeconds(c);
      console.log(
        `${c.label.padEnd(26)} ${`${(seconds * 1000).toFixed(0)} ms`.padStart(11)}  ${(seconds / bare).toFixed(2)}×`,
      );
    }
    console.log('  target: ≤ 1.30× for --help, validate, trec-eval and gate');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A BM25-only run of the example dataset, for `gate` to read. */
function smallRunFolder(dir: string): string {
  const config = join(dir, 'retrieval-gate.yaml');
  writeFileSync(
    config,
    [
      `dataset: ${JSON.stringify(DATASET)}`,
      'cacheDir: cache',
      'measures: [nDCG@10, R@5]',
      'indexes:',
      '  bm25: { kind: bm25 }',
      'systems:',
      '  - { id: bm25, index: bm25, k: 20 }',
      '',
    ].join('\n'),
  );
  const reports = join(dir, 'reports');
  const args = [
    'run',
    '--config',
    config,
    '--reports',
    reports,
    '--run-id',
    'small',
    '--quiet',
    '--no-report',
  ];
  spawnOrThrow({ label: 'run (setup)', args: [CLI, ...args], exits: [0] });
  return join(reports, 'small');
}

function medianSeconds(c: Case): number {
  spawnOrThrow(c); // warm the file system cache
  return median(Array.from({ length: RUNS }, () => spawnOrThrow(c)));
}

/** Runs node with the case's arguments, output discarded; returns the wall time in seconds. */
function spawnOrThrow(c: Case): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, c.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.error) throw result.error;
  if (!c.exits.includes(result.status ?? -1)) {
    throw new Error(`${c.label} exited with ${result.status}:\n${result.stderr.toString('utf8')}`);
  }
  return seconds;
}
