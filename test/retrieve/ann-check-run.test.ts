import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BuiltSystem, runConfig } from '../../src/app/run.js';
import type { RunConfig, SystemConfig } from '../../src/config/types.js';
import { loadDataset } from '../../src/dataset/native.js';
import { seededSample } from '../../src/metrics/sample.js';
import type { Hit, Index, Reranker } from '../../src/retrieve/types.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const DATASET = join(REPO_ROOT, 'datasets', 'bike-repair', '1.0.0');
const DOCS = Array.from({ length: 22 }, (_, i) => `d${String(i + 1).padStart(3, '0')}`);

/**
 * An index whose exact answer is d001…d020 for every query and whose approximate answer misses d001 (it
 * returns d021 instead): ANNRecall@10 is 0.9 and ANNRecall@20 0.95 on every query. It records its calls.
 */
function lossyIndex(calls: string[]): Index {
  // Each document has one true score, whichever search returns it.
  const hits = (docids: string[]): Hit[] =>
    docids.map((docid) => ({ docid, score: 1 - DOCS.indexOf(docid) / 100 }));
  return {
    resolved: 'lossy:test',
    needsVectors: false,
    batchSize: 8,
    async search(queries, k) {
      calls.push('search');
      return queries.map(() => hits(DOCS.slice(1, 21)).slice(0, k));
    },
    async searchExact(queries, k) {
      calls.push('exact');
      return queries.map(() => hits(DOCS.slice(0, 20)).slice(0, k));
    },
  };
}

/** Reverses the candidates: the reranked top 10 is what the index ranked 11th to 20th. */
const reversing: Reranker = {
  id: 'reverse',
  async rerank(_query, candidates) {
    return { scores: candidates.map((_, i) => i) };
  },
};

function config(systems: SystemConfig[]): RunConfig {
  const file = join(tempDir(), 'retrieval-gate.yaml');
  writeFileSync(file, '# written by the test\n');
  return {
    file,
    dir: tempDir(),
    dataset: DATASET,
    measures: ['nDCG@10', 'R@10'],
    cacheDir: tempDir(),
    models: [],
    indexes: [],
    sources: [],
    systems,
  };
}

const index = { alias: 'lossy', kind: 'bm25', k1: 0.9, b: 0.4 } as const;
const reranker = { alias: 'reverse', kind: 'lexical', depth: 20, k1: 0.9, b: 0.4 } as const;

describe('the ANN check in a run', () => {
  it('checks a seeded sample after the approximate searches, on the index’s own answer (not the reranked one)', async () => {
    const calls: string[] = [];
    const outcome = await runConfig({
      config: config([
        { id: 'ann', index, k: 20 },
        { id: 'ann+reverse', index, reranker, k: 20 },
      ]),
      reportsDir: tempDir(),
      runId: 'r1',
      annCheck: { sample: 20 },
      build: async (system): Promise<BuiltSystem> => ({
        index: lossyIndex(calls),
        ...(system.reranker ? { reranker: reversing } : {}),
        indexBuild: { embeddingCalls: 0, tokens: 0 },
        close: async () => {},
      }),
    });
    const queries = [...loadDataset(DATASET).queries.keys()];
    const sampled = seededSample(queries, 20, 42);
    for (const system of outcome.summary.systems) {
      const check = system.annCheck;
      if (check?.status !== 'ok') throw new Error(`${system.id} was checked: ${JSON.stringify(check)}`);
      expect(check).toMatchObject({ k: 20, queries: 20, sample: { size: 20, seed: 42 } });
      expect(Object.keys(check.recall)).toEqual(['ANNRecall@10', 'ANNRecall@20']);
      // Every query loses the same neighbour: the mean, and every resample's, is that query's value.
      for (const [name, expected] of [
        ['ANNRecall@10', 0.9],
        ['ANNRecall@20', 0.95],
      ] as const) {
        const { value, ciLow, ciHigh } = check.recall[name] ?? {};
        for (const figure of [value, ciLow, ciHigh]) expect(figure).toBeCloseTo(expected, 12);
      }
      expect(check.perQuery.qids).toEqual(sampled);
      expect(system.files?.exact).toBe(join('systems', system.id, 'exact.trec'));
    }
    // Exact scans start once a system's approximate searches are done (10 batches of 8 for 73 queries).
    expect(calls).toEqual(
      [...Array(10).fill('search'), ...Array(3).fill('exact')].concat([
        ...Array(10).fill('search'),
        ...Array(3).fill('exact'),
      ]),
    );
    // The exact run is evaluated on the sampled queries only: none of the others counts as missing.
    const exact = outcome.evaluation.runs.find((r) => r.name === 'ann~exact');
    expect(exact).toMatchObject({ queriesEvaluated: 20, missingQueries: [] });
    expect(exact?.perQuery.qids).toEqual(sampled);
    expect(outcome.warnings.filter((w) => w.includes('exact'))).toEqual([]);
    expect(outcome.evaluation.runs.map((r) => r.name)).toEqual([
      'ann',
      'ann~exact',
      'ann+reverse',
      'ann+reverse~first-stage',
      'ann+reverse~exact',
    ]);
  });

  it('warms an index up on the first batch before any timed search, and keeps the warm-up out of the run', async () => {
    const calls: string[] = [];
    const warmed: string[][] = [];
    const outcome = await runConfig({
      config: config([{ id: 'warm', index, k: 20 }]),
      reportsDir: tempDir(),
      runId: 'r2',
      build: async (): Promise<BuiltSystem> => ({
        index: {
          ...lossyIndex(calls),
          async warmUp(queries, k) {
            calls.push(`warm-up k=${k}`);
            warmed.push(queries.map((q) => q.id));
          },
        },
        indexBuild: { embeddingCalls: 0, tokens: 0 },
        close: async () => {},
      }),
    });
    const queries = [...loadDataset(DATASET).queries.keys()].sort();
    expect(calls[0]).toBe('warm-up k=20');
    expect(calls.slice(1, 11)).toEqual(Array(10).fill('search'));
    expect(warmed).toEqual([queries.slice(0, 8)]);
    // The warm-up is not measured: one search latency per query, from the 10 timed batches.
    expect(outcome.summary.systems[0]?.latencyMs?.search?.count).toBe(73);
  });
});
