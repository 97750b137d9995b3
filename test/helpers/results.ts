import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createComponentFactory } from '../../src/app/components.js';
import { type RunOutcome, runConfig } from '../../src/app/run.js';
import { loadConfig } from '../../src/config/load.js';
import type { SystemQuery } from '../../src/retrieve/run-system.js';
import { REPO_ROOT } from './cli.js';
import { FIXTURES } from './fixtures.js';

export const EXAMPLE_DATASET = join(REPO_ROOT, 'datasets', 'bike-repair', '1.0.0');

/**
 * Systems a results test can pick from: BM25, a hashing embedder alone and reranked (its first stage is an
 * evaluation run of its own), and a command index that crashes after its first answer (a failed system).
 */
export const SYSTEMS = {
  bm25: '{ id: bm25, index: bm25, k: 20 }',
  hash: '{ id: hash, model: hash-64, index: exact, k: 20 }',
  'hash+lexical': '{ id: hash+lexical, model: hash-64, index: exact, reranker: lexical, k: 20 }',
  broken: '{ id: broken, index: broken, k: 20 }',
};

/**
 * Runs the real pipeline over the example dataset into <dir>/reports/<runId>/, as `retrieval-gate run`
 * does, with the embedding cache in `dir`; returns the run folder. `sample`: unjudged queries the systems
 * also answer (sample.trec), as `migrate review --queries` runs them.
 */
export async function runExample(
  dir: string,
  runId: string,
  systems: (keyof typeof SYSTEMS)[],
  sample?: SystemQuery[],
): Promise<string> {
  return (await runExampleOutcome(dir, runId, systems, sample)).dir;
}

/** runExample, returning what the run returns (its folder, the dataset, what it holds of each system). */
export async function runExampleOutcome(
  dir: string,
  runId: string,
  systems: (keyof typeof SYSTEMS)[],
  sample?: SystemQuery[],
): Promise<RunOutcome> {
  const file = join(dir, `${runId}.yaml`);
  const crash = JSON.stringify(join(FIXTURES, 'commands', 'faulty.mjs'));
  const yaml = [
    `dataset: ${JSON.stringify(EXAMPLE_DATASET)}`,
    'cacheDir: cache',
    'measures: [nDCG@10, R@5, RR]',
    'models:',
    '  hash-64: { provider: hashing, dimensions: 64 }',
    'indexes:',
    '  exact: { kind: embedded, distance: cosine }',
    '  bm25: { kind: bm25 }',
    `  broken: { kind: command, command: [node, ${crash}, crash] }`,
    'rerankers:',
    '  lexical: { kind: lexical, depth: 20 }',
    'systems:',
    ...systems.map((id) => `  - ${SYSTEMS[id]}`),
  ];
  writeFileSync(file, `${yaml.join('\n')}\n`);
  const outcome = await runConfig({
    config: loadConfig(file),
    reportsDir: join(dir, 'reports'),
    runId,
    build: createComponentFactory(),
    ...(sample ? { sample } : {}),
  });
  return outcome;
}

/** A system's run file as its ranking only (`qid Q0 docid rank`): scores differ in float precision between indexes. */
export function systemRanking(reports: string, runId: string, system: string): string {
  return readFileSync(join(reports, runId, 'systems', system, 'run.trec'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' ').slice(0, 4).join(' '))
    .join('\n');
}
