import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationFile } from '../../src/evaluation/types.js';
import type { AnnCheck, RunSummary } from '../../src/results/summary.js';
import type { Verdict } from '../../src/results/verdict.js';
import { runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { QdrantTestServer } from '../servers/qdrant-server.js';

/**
 * The ANN check end to end through the CLI, on a collection of the local Qdrant server: a tiny hnsw_ef loses
 * neighbours (the server answers as a small HNSW beam does), the run measures it against the same
 * collection's exact answer, and a gate ann rule fails on it; a check that cannot run fails the rule.
 */

let qdrant: QdrantTestServer;
let dir: string;

const cli = (...args: string[]) => runCliInProcess(args, dir);

function summaryOf(runId: string): RunSummary {
  return JSON.parse(readFileSync(join(dir, 'reports', runId, 'summary.json'), 'utf8')) as RunSummary;
}

function annCheckOf(runId: string, id: string): AnnCheck | undefined {
  return summaryOf(runId).systems.find((s) => s.id === id)?.annCheck;
}

beforeAll(async () => {
  qdrant = await QdrantTestServer.start();
  dir = tempDir();
  const index = (extra: string) =>
    `{ kind: qdrant, url: "${qdrant.url}", collection: docs, batchSize: 16, concurrency: 2, maxRetries: 0${extra} }`;
  writeFileSync(
    join(dir, 'ann.yaml'),
    `dataset: bike-repair@1.0.0
measures: [nDCG@10, R@10]
cacheDir: cache
models:
  hash: { provider: hashing, dimensions: 64 }
indexes:
  weak: ${index(', hnswEf: 4')}
  hnsw: ${index('')}
  brute: ${index(', exact: true')}
systems:
  - { id: weak, model: hash, index: weak, k: 20 }
  - { id: hnsw, model: hash, index: hnsw, k: 20 }
  - { id: brute, model: hash, index: brute, k: 20 }
`,
  );
  writeFileSync(join(dir, 'gate.yaml'), 'rules:\n  - { kind: ann, minRecall: 0.95 }\n');
  const built = await cli(
    'index',
    'build',
    '--config',
    'ann.yaml',
    '--model',
    'hash',
    '--index',
    'hnsw',
    '--collection',
    'docs',
    '--quiet',
  );
  expect(built.status, built.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await qdrant?.close();
});

describe('ANN check (local Qdrant server)', () => {
  it('a tiny hnsw_ef shows ANNRecall@10 < 1 with the exact run above the approximate one, and fails the gate', async () => {
    const run = await cli('run', '--config', 'ann.yaml', '--run-id', 'r1', '--quiet');
    expect(run.status, run.stderr).toBe(0);
    // The printed table and report.md show the exact run under the system, and the ANNRecall column.
    expect(run.stdout).toMatch(/^system +nDCG@10 +R@10 +ANNRecall@10 +p95 ms/m);
    expect(run.stdout).toMatch(/^weak~exact +0\.\d{4} \[/m);
    expect(run.stdout).toMatch(/^brute +.* 1 \(exact search\) /m);
    const markdown = readFileSync(join(dir, 'reports', 'r1', 'report.md'), 'utf8');
    expect(markdown).toContain('| system | nDCG@10 | R@10 | ANNRecall@10 |');
    expect(markdown).toMatch(/^\| weak\\~exact \| 0\.\d{4} \[/m);
    const systems = summaryOf('r1').systems;
    const weak = systems.find((s) => s.id === 'weak');
    const check = weak?.annCheck;
    if (check?.status !== 'ok') throw new Error(`the weak system was checked: ${JSON.stringify(check)}`);
    expect(check).toMatchObject({ k: 20, queries: 73, sample: null });
    const recall = check.recall['ANNRecall@10'];
    expect(recall?.value).toBeLessThan(0.5);
    expect(recall?.ciLow).toBeLessThanOrEqual(recall?.value ?? Number.NaN);
    expect(Object.keys(check.recall)).toEqual(['ANNRecall@10', 'ANNRecall@20']);
    expect(check.perQuery.qids).toHaveLength(73);
    // The model is the same: the exact answer is better, so the loss is the index's.
    const exact = check.exactMeasures['nDCG@10']?.value ?? 0;
    expect(exact).toBeGreaterThan((weak?.measures?.['nDCG@10']?.value ?? 1) + 0.1);
    expect(weak?.files?.exact).toBe(join('systems', 'weak', 'exact.trec'));
    expect(existsSync(join(dir, 'reports', 'r1', 'systems', 'weak', 'exact.jsonl'))).toBe(true);
    const evaluation = JSON.parse(
      readFileSync(join(dir, 'reports', 'r1', 'evaluation.json'), 'utf8'),
    ) as EvaluationFile;
    expect(evaluation.runs.map((r) => r.name)).toEqual(['weak', 'weak~exact', 'hnsw', 'hnsw~exact', 'brute']);
    expect(evaluation.runs[1]?.measures['nDCG@10']?.value).toBe(exact);

    // The default beam reaches the whole collection: nothing lost. exact: true has nothing to check.
    const hnsw = annCheckOf('r1', 'hnsw');
    expect(hnsw?.status === 'ok' && hnsw.recall['ANNRecall@10']?.value).toBe(1);
    expect(annCheckOf('r1', 'brute')).toEqual({ status: 'exact', k: 20 });

    const gate = await cli('gate', '--policy', 'gate.yaml', '--results', 'reports/r1', '--out', 'gate-r1');
    expect(gate.status, gate.stderr).toBe(1);
    const verdict = JSON.parse(readFileSync(join(dir, 'gate-r1', 'gate.json'), 'utf8')) as Verdict;
    expect(verdict.outcomes.map((o) => [o.system, o.status, o.metric])).toEqual([
      ['weak', 'fail', 'ANNRecall@10'],
      ['hnsw', 'pass', 'ANNRecall@10'],
      ['brute', 'pass', 'ANNRecall@10'],
    ]);
    expect(verdict.outcomes[0]?.reason).toMatch(
      /^the index returns only [\d.]+ % of the exact top 10 \(ANNRecall@10 0\.\d{4} over 73 queries\); exact search gives nDCG@10 /,
    );
    expect(readFileSync(join(dir, 'gate-r1', 'gate.md'), 'utf8')).toContain('ANNRecall@10');
  });

  it('fails closed when the exact check cannot run: the run records why, the gate fails', async () => {
    const config = readFileSync(join(dir, 'ann.yaml'), 'utf8');
    writeFileSync(join(dir, 'weak.yaml'), config.replace(/\n {2}- \{ id: (hnsw|brute),.*/g, ''));
    qdrant.failNext(100, 400, { exact: true, message: 'exact search refused' });
    try {
      const run = await cli('run', '--config', 'weak.yaml', '--run-id', 'r2', '--quiet', '--no-report');
      expect(run.status, run.stderr).toBe(0);
    } finally {
      qdrant.clearFaults();
    }
    expect(summaryOf('r2').systems.map((s) => s.id)).toEqual(['weak']);
    const weak = summaryOf('r2').systems.find((s) => s.id === 'weak');
    expect(weak?.status).toBe('ok');
    expect(weak?.annCheck).toMatchObject({ status: 'failed', k: 20, queries: 73 });
    expect(weak?.annCheck?.status === 'failed' && weak.annCheck.error).toMatch(
      /HTTP 400: .*exact search refused/,
    );
    expect(existsSync(join(dir, 'reports', 'r2', 'systems', 'weak', 'exact.trec'))).toBe(false);
    const gate = await cli('gate', '--policy', 'gate.yaml', '--results', 'reports/r2', '--out', 'gate-r2');
    expect(gate.status).toBe(1);
    const verdict = JSON.parse(readFileSync(join(dir, 'gate-r2', 'gate.json'), 'utf8')) as Verdict;
    expect(verdict.outcomes[0]?.reason).toMatch(
      /^the exact check did not run, so ANN quality is unknown: .*HTTP 400/,
    );
  });

  it('sweeps hnsw_ef: one system per setting, named by it, each with its ANNRecall, the exact point as reference', async () => {
    const config = readFileSync(join(dir, 'ann.yaml'), 'utf8').replace(
      /\nsystems:\n[\s\S]*$/,
      '\nsystems:\n  - id: hash@hnsw\n    model: hash\n    index: hnsw\n    k: 20\n    annCheck: { sample: 30 }\n    search: [{ hnswEf: 2 }, { hnswEf: 8 }, { hnswEf: 64 }, { exact: true }]\n',
    );
    writeFileSync(join(dir, 'sweep.yaml'), config);
    const run = await cli('run', '--config', 'sweep.yaml', '--run-id', 'sweep', '--quiet', '--no-report');
    expect(run.status, run.stderr).toBe(0);
    const systems = summaryOf('sweep').systems;
    expect(systems.map((s) => s.id)).toEqual([
      'hash@hnsw[hnswEf=2]',
      'hash@hnsw[hnswEf=8]',
      'hash@hnsw[hnswEf=64]',
      'hash@hnsw[exact=true]',
    ]);
    expect(systems.map((s) => s.description.index.search)).toEqual([
      { hnswEf: 2 },
      { hnswEf: 8 },
      { hnswEf: 64 },
      { exact: true },
    ]);
    const recall = systems.map((s) =>
      s.annCheck?.status === 'ok' ? s.annCheck.recall['ANNRecall@10']?.value : s.annCheck?.status,
    );
    // A wider beam reaches more of the collection; the exact point has nothing to check.
    expect(recall[0]).toBeLessThan(recall[1] as number);
    expect(recall[2]).toBe(1);
    expect(recall[3]).toBe('exact');
    expect(systems[0]?.annCheck).toMatchObject({ queries: 30, sample: { size: 30, seed: 42 } });
  });
});
