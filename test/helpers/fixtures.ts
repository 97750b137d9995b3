import { join } from 'node:path';
import { type CliResult, REPO_ROOT, runCli } from './cli.js';

export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');

/** The command line that imports test/fixtures/beir-mini (3 judged queries, 6 documents) as mini@1 into `dir`. */
export function importMiniArgs(dir: string): string[] {
  return [
    'dataset',
    'import',
    '--from',
    'beir',
    join(FIXTURES, 'beir-mini'),
    '--name',
    'mini',
    '--version',
    '1',
    '--out',
    dir,
  ];
}

/** Imports the mini dataset into `dir` through the built CLI. */
export function importMiniDataset(dir: string): CliResult {
  return runCli(importMiniArgs(dir));
}
