import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/results/summary.js';
import type { Verdict } from '../../src/results/verdict.js';
import { REPO_ROOT, runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * examples/pgvector-ann.yaml end to end on real PGlite + pgvector, as its README section says to run it:
 * `index build` of the embedded table with its small HNSW graph, then the efSearch sweep gated by
 * gates/ann.yaml. A tiny ef_search loses neighbours, the exact run of the same table scores higher, and the
 * ann rule fails on it (issue 13's acceptance item).
 */

const EXAMPLE = join(REPO_ROOT, 'examples', 'pgvector-ann.yaml');
const GATE = join(REPO_ROOT, 'gates', 'ann.yaml');
const IDS = ['efSearch=4', 'efSearch=10', 'efSearch=40', 'exact=true'].map((s) => `hash-256@docs[${s}]`);
let dir: string;

const cli = (...args: string[]) => runCliInProcess(args, dir);

beforeAll(() => {
  // The example as shipped, in a folder of its own: its dataDir (.pgvector) and cache land beside it.
  dir = tempDir();
  writeFileSync(join(dir, 'pgvector-ann.yaml'), readFileSync(EXAMPLE, 'utf8'));
});

describe('examples/pgvector-ann.yaml (embedded pgvector)', () => {
  it('index build, then a run gated by gates/ann.yaml: tiny efSearch loses neighbours and fails the ann rule', async () => {
    const built = await cli(
      'index',
      'build',
      '--config',
      'pgvector-ann.yaml',
      '--model',
      'hash-256',
      '--index',
      'docs',
      '--quiet',
      '--json',
    );
    expect(built.status, built.stderr).toBe(0);
    expect(JSON.parse(built.stdout)).toMatchObject({ documents: 248, written: 248 });

    const run = await cli(
      'run',
      '--config',
      'pgvector-ann.yaml',
      '--gate',
      GATE,
      '--run-id',
      'r1',
      '--no-report',
    );
    expect(run.status, run.stderr).toBe(1); // the gate failed
    expect(run.stdout).toMatch(/^system +nDCG@10 +R@10 +RR +ANNRecall@10 +p95 ms/m);
    expect(run.stdout).toMatch(/^hash-256@docs\[efSearch=4\]~exact +0\.\d{4} \[/m);

    const summary = JSON.parse(
      readFileSync(join(dir, 'reports', 'r1', 'summary.json'), 'utf8'),
    ) as RunSummary;
    expect(summary.systems.map((s) => s.id)).toEqual(IDS);
    expect(summary.systems.map((s) => s.description.index.search)).toEqual([
      { efSearch: 4 },
      { efSearch: 10 },
      { efSearch: 40 },
      { exact: true },
    ]);
    const [weak, , wide, exact] = summary.systems;
    expect(weak?.indexCheck?.ann).toMatchObject({ type: 'hnsw', params: { m: 4, efConstruction: 8 } });
    const check = weak?.annCheck;
    if (check?.status !== 'ok') throw new Error(`efSearch=4 was checked: ${JSON.stringify(check)}`);
    expect(check).toMatchObject({ k: 10, queries: 73, sample: null });
    // HNSW returns at most ef_search rows: 4 of the exact top 10 at best, and the sparse graph misses some.
    const recall = check.recall['ANNRecall@10']?.value ?? Number.NaN;
    expect(recall).toBeLessThan(0.4);
    expect(recall).toBeGreaterThan(0);
    // The same table searched exactly: the model is not the problem, the index's loss is.
    const exactNdcg = check.exactMeasures['nDCG@10']?.value ?? Number.NaN;
    const approximateNdcg = weak?.measures?.['nDCG@10']?.value ?? Number.NaN;
    expect(exactNdcg).toBeGreaterThan(approximateNdcg + 0.1);
    expect(exact?.measures?.['nDCG@10']?.value).toBeCloseTo(exactNdcg, 12);
    expect(exact?.annCheck).toEqual({ status: 'exact', k: 10 });
    const wideRecall =
      wide?.annCheck?.status === 'ok' ? wide.annCheck.recall['ANNRecall@10']?.value : undefined;
    expect(wideRecall).toBeGreaterThan(recall);

    const verdict = JSON.parse(readFileSync(join(dir, 'reports', 'r1', 'gate.json'), 'utf8')) as Verdict;
    expect(verdict.status).toBe('fail');
    const outcome = (id: string | undefined) => verdict.outcomes.find((o) => o.system === id);
    const failed = outcome(IDS[0]);
    expect([failed?.kind, failed?.status, failed?.metric]).toEqual(['ann', 'fail', 'ANNRecall@10']);
    expect(failed?.reason).toMatch(
      /^the index returns only [\d.]+ % of the exact top 10 \(ANNRecall@10 0\.\d{4} over 73 queries\); exact search gives nDCG@10 0\.\d{4} against 0\.\d{4}/,
    );
    expect(outcome(IDS[3])?.status).toBe('pass');
    // Every setting passes exactly when its ANNRecall@10 reaches the rule's 0.95.
    for (const system of summary.systems.slice(0, 3)) {
      const value =
        system.annCheck?.status === 'ok' ? system.annCheck.recall['ANNRecall@10']?.value : undefined;
      expect(outcome(system.id)?.status).toBe((value ?? 0) >= 0.95 ? 'pass' : 'fail');
    }
  });
});
