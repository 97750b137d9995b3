import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import type { EvaluationFile } from '../../src/evaluation/types.js';
import { loadResults } from '../../src/results/run-folder.js';
import type { RunSummary } from '../../src/results/summary.js';
import { runExample } from '../helpers/results.js';
import { tempDir } from '../helpers/tmp.js';

let runDir: string;
let summary: RunSummary;
let evaluation: EvaluationFile;

beforeAll(async () => {
  runDir = await runExample(tempDir(), 'r1', ['bm25', 'hash+lexical', 'broken', 'hash']);
  summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  evaluation = JSON.parse(readFileSync(join(runDir, 'evaluation.json'), 'utf8')) as EvaluationFile;
});

/** A copy of the run folder with one file changed (or removed, when `edit` returns undefined). */
function editedCopy(file: string, edit: (value: Record<string, unknown>) => unknown): string {
  const dir = join(tempDir(), 'r1');
  cpSync(runDir, dir, { recursive: true });
  const path = join(dir, file);
  const edited = edit(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>);
  if (edited === undefined) rmSync(path);
  else writeFileSync(path, JSON.stringify(edited));
  return dir;
}

describe('loadResults', () => {
  it('has one system per system of summary.json, in its order; first stages are not systems', () => {
    const results = loadResults(runDir);
    expect(results.systems.map((s) => s.id)).toEqual(['bm25', 'hash+lexical', 'broken', 'hash']);
    expect(evaluation.runs.map((r) => r.name)).toContain('hash+lexical~first-stage');
    expect(results).toMatchObject({
      source: runDir,
      runId: 'r1',
      dataset: {
        name: 'bike-repair',
        version: '1.0.0',
        digest: evaluation.dataset.digest,
        judgedQueries: 73,
      },
      settings: evaluation.settings,
    });
  });

  it('takes measures and per-query values from evaluation.json, latency, cost and description from the summary', () => {
    const results = loadResults(runDir);
    for (const id of ['bm25', 'hash+lexical', 'hash']) {
      const system = results.systems.find((s) => s.id === id);
      const run = evaluation.runs.find((r) => r.name === id);
      const summarized = summary.systems.find((s) => s.id === id);
      expect(system?.status).toBe('ok');
      expect(system?.measures).toEqual(run?.measures);
      expect(system?.perQuery).toEqual(run?.perQuery);
      expect(system?.perQuery.qids).toHaveLength(73);
      expect(system?.latencyMs).toEqual(summarized?.latencyMs);
      expect(system?.latencyMs?.total?.count).toBe(73);
      expect(system?.costPerQuery).toBe(summarized?.cost?.perQuery);
      expect(system?.description).toEqual(summarized?.description);
    }
    // The reranked system's values are its own, not its first stage's.
    const reranked = results.systems.find((s) => s.id === 'hash+lexical');
    const firstStage = evaluation.runs.find((r) => r.name === 'hash+lexical~first-stage');
    expect(reranked?.perQuery.values['nDCG@10']).not.toEqual(firstStage?.perQuery.values['nDCG@10']);
  });

  it("marks the latencies of a summary of schemaVersion 1 as per call (each query carried its call's time)", () => {
    expect(summary.schemaVersion).toBe(2);
    expect(loadResults(runDir).systems.map((s) => s.latencyPer)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    const older = editedCopy('summary.json', (value) => ({ ...value, schemaVersion: 1 }));
    const systems = loadResults(older).systems;
    expect(systems.filter((s) => s.status === 'ok').map((s) => s.latencyPer)).toEqual([
      'call',
      'call',
      'call',
    ]);
  });

  it('reports a failed system with its error and nothing measured', () => {
    const broken = loadResults(runDir).systems.find((s) => s.id === 'broken');
    expect(broken).toMatchObject({
      status: 'failed',
      measures: {},
      perQuery: { qids: [], values: {} },
      latencyMs: null,
      costPerQuery: null,
    });
    expect(broken?.error).toContain('CUDA out of memory');
    expect(broken?.description?.index.kind).toBe('command');
  });

  it('says a folder without summary.json did not finish', () => {
    const dir = editedCopy('summary.json', () => undefined);
    expect(() => loadResults(dir)).toThrow(
      new UserError(
        'no summary.json: the run did not finish (it was killed or is still running); run it again',
        {
          file: dir,
        },
      ),
    );
    expect(() => loadResults(dir)).toThrow(UserError); // exit code 2, no stack
    expect(() => loadResults(join(dir, 'nope'))).toThrow(`${join(dir, 'nope')}: no such folder`);
  });

  it('says a folder of run folders is not a run folder, and names one to give instead', () => {
    const parent = tempDir();
    for (const run of ['r1', 'r2']) cpSync(runDir, join(parent, run), { recursive: true });
    mkdirSync(join(parent, 'notes'));
    expect(() => loadResults(parent)).toThrow(
      `${parent}: not a run folder, but a folder of run folders (r1, r2): give one of them, e.g. ${join(parent, 'r2')}`,
    );
    expect(() => loadResults(join(parent, 'notes'))).toThrow(
      'not a run folder: it has no summary.json and none of the files a run writes',
    );
  });

  it('refuses a system that ran but has no evaluation run', () => {
    const dir = editedCopy('evaluation.json', (value) => ({
      ...value,
      runs: (value.runs as { name: string }[]).filter((r) => r.name !== 'hash'),
    }));
    expect(() => loadResults(dir)).toThrow(
      `${join(dir, 'evaluation.json')}: field 'runs': has no run named 'hash'`,
    );
  });

  it('names the file and field of a summary that breaks its schema', () => {
    const dir = editedCopy('summary.json', (value) => {
      (value.systems as { status: string }[])[1] = {
        ...(value.systems as object[])[1],
        status: 'maybe',
      } as never;
      return value;
    });
    expect(() => loadResults(dir)).toThrow(`${join(dir, 'summary.json')}: field 'systems[1].status'`);
  });

  it('refuses per-query columns that do not line up with the qids', () => {
    const dir = editedCopy('evaluation.json', (value) => {
      const run = (value.runs as EvaluationFile['runs'])[0];
      run?.perQuery.values.RR?.pop();
      return value;
    });
    expect(() => loadResults(dir)).toThrow(
      `${join(dir, 'evaluation.json')}: field 'runs[0].perQuery.values.RR': has 72 values for 73 qids`,
    );
  });

  it('refuses a summary and an evaluation of different datasets', () => {
    const dir = editedCopy('evaluation.json', (value) => ({
      ...value,
      dataset: { ...(value.dataset as object), digest: `sha256:${'0'.repeat(64)}` },
    }));
    expect(() => loadResults(dir)).toThrow(
      /evaluation.json: field 'dataset.digest': .* the two files come from different runs$/,
    );
  });
});
