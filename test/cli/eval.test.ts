import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationFile } from '../../src/evaluation/types.js';
import { runCliInProcess } from '../helpers/cli.js';
import { FIXTURES, importMiniDataset } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

const RUN_A = join(FIXTURES, 'mini-run-a.trec');
const RUN_B = join(FIXTURES, 'mini-run-b.jsonl');
let dataset: string;

beforeAll(() => {
  dataset = join(tempDir(), 'mini');
  const result = importMiniDataset(dataset);
  expect(result.status).toBe(0);
});

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

async function evaluate(...extra: string[]): Promise<{
  evaluation: EvaluationFile;
  stdout: string;
  stderr: string;
  bytes: string;
}> {
  const out = join(tempDir(), 'evaluation.json');
  const result = await runCliInProcess([
    'eval',
    '--dataset',
    dataset,
    '--run',
    RUN_A,
    '--run',
    RUN_B,
    '--measures',
    'RR,AP,P@1,NumRet',
    '--out',
    out,
    ...extra,
  ]);
  expect(result.status, result.stderr).toBe(0);
  const bytes = readFileSync(out, 'utf8');
  return {
    evaluation: JSON.parse(bytes) as EvaluationFile,
    stdout: result.stdout,
    stderr: result.stderr,
    bytes,
  };
}

describe('retrieval-gate eval', () => {
  it('computes hand-checked means for a TREC and a JSONL run', async () => {
    const { evaluation } = await evaluate();
    const [a, b] = evaluation.runs;
    // run A: q1 ranks d1 (rel), d5 (0), d2 (rel); q2 ranks d4 (0), d3 (rel); q3 ranks d6 (rel).
    expect(a?.measures.RR?.value).toBeCloseTo((1 + 1 / 2 + 1) / 3, 12);
    expect(a?.measures.AP?.value).toBeCloseTo(((1 + 2 / 3) / 2 + 1 / 2 + 1) / 3, 12);
    expect(a?.measures.NumRet?.value).toBe(6);
    // Counts are summed; their interval is n × the mean's.
    expect(a?.measures.NumRet?.ciLow).toBeLessThanOrEqual(6);
    expect(a?.measures.NumRet?.ciHigh).toBeGreaterThanOrEqual(6);
    // run B: q1 finds nothing relevant, q2 finds d3 first, q3 is missing and scores 0.
    expect(b?.measures.RR?.value).toBeCloseTo(1 / 3, 12);
    expect(b?.missingQueries).toEqual(['q3']);
    expect(b?.unjudgedQueries).toBe(1);
    expect(b?.perQuery).toEqual({
      qids: ['q1', 'q2', 'q3'],
      values: { RR: [0, 1, 0], AP: [0, 1, 0], 'P@1': [0, 1, 0], NumRet: [2, 1, 0] },
    });
  });

  it('records what was measured: tool, dataset digest, run file digest, settings', async () => {
    const { evaluation } = await evaluate();
    expect(evaluation.schemaVersion).toBe(1);
    expect(evaluation.tool.name).toBe('retrieval-gate');
    expect(evaluation.dataset).toMatchObject({ name: 'mini', version: '1', queries: 3, judgedQueries: 3 });
    expect(evaluation.dataset.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(evaluation.runs.map((run) => run.file)).toEqual([
      { name: 'mini-run-a.trec', sha256: sha256(RUN_A) },
      { name: 'mini-run-b.jsonl', sha256: sha256(RUN_B) },
    ]);
    expect(evaluation.settings).toEqual({
      measures: ['RR', 'AP', 'P@1', 'NumRet'],
      relevanceLevel: 1,
      missingQueries: 'zero',
      bootstrap: { samples: 1000, confidence: 0.95, seed: 42 },
    });
  });

  it('digests a run as given: read in one pass, read twice when its queries interleave, or compressed', async () => {
    const lines = readFileSync(RUN_A, 'utf8').trimEnd().split('\n');
    const dir = tempDir();
    const interleaved = join(dir, 'interleaved.trec');
    writeFileSync(interleaved, `${[lines[3], ...lines.slice(0, 3), ...lines.slice(4)].join('\n')}\n`);
    const compressed = join(dir, 'compressed.trec.gz');
    writeFileSync(compressed, gzipSync(readFileSync(RUN_A)));
    const { evaluation } = await evaluate('--run', interleaved, '--run', compressed);
    const [a, , again, gz] = evaluation.runs;
    expect(again?.file.sha256).toBe(sha256(interleaved));
    expect(gz?.file.sha256).toBe(sha256(compressed));
    expect(again?.measures).toEqual(a?.measures);
    expect(gz?.measures).toEqual(a?.measures);
  });

  it('gives byte-identical JSON for the same inputs; a seed changes the intervals, never the means', async () => {
    const first = await evaluate();
    expect((await evaluate()).bytes).toBe(first.bytes);
    const other = await evaluate('--seed', '7');
    expect(other.evaluation.runs[0]?.measures.AP?.value).toBe(first.evaluation.runs[0]?.measures.AP?.value);
  });

  it('brackets each mean by its bootstrap interval', async () => {
    for (const run of (await evaluate()).evaluation.runs) {
      for (const name of ['RR', 'AP', 'P@1']) {
        const summary = run.measures[name];
        expect(summary?.ciLow).not.toBeNull();
        expect(summary?.ciLow as number).toBeLessThanOrEqual(summary?.value as number);
        expect(summary?.ciHigh as number).toBeGreaterThanOrEqual(summary?.value as number);
      }
    }
  });

  it('prints a table with one row per run and warns about missing and unjudged queries', async () => {
    const { stdout, stderr } = await evaluate();
    expect(stdout).toMatch(/^dataset mini@1 \(sha256:/);
    expect(stdout).toMatch(/\nmini-run-a +0\.8333 \[\d\.\d{3}, \d\.\d{3}\]/);
    expect(stdout).toMatch(/\nmini-run-b +0\.3333 /);
    expect(stderr).toMatch(/mini-run-b.jsonl: 1 judged queries have no results \(scored 0\), e.g. q3/);
    expect(stderr).toMatch(/mini-run-b.jsonl: 1 queries are not judged by mini@1 and are ignored/);
  });

  it('averages over the queries a run answered with --skip-missing', async () => {
    const { evaluation } = await evaluate('--skip-missing');
    expect(evaluation.runs[1]?.measures.RR?.value).toBeCloseTo(1 / 2, 12);
    expect(evaluation.settings.missingQueries).toBe('skip');
  });

  it("computes trec_eval's other measures by their registry names, parameters included", async () => {
    // A later --measures replaces the helper's list.
    const { evaluation } = await evaluate('--measures', 'SetP,SetF(beta=2),GMAP');
    const [a] = evaluation.runs;
    expect(a?.measures.SetP?.value).toBeCloseTo((2 / 3 + 1 / 2 + 1) / 3, 12);
    expect(a?.measures['SetF(beta=2)']).toBeDefined();
    // The geometric mean of the queries' AP (5/6, 1/2, 1); its interval bootstraps the mean of the logarithms,
    // so its ends are geometric means of resamples: between the smallest and the largest AP.
    const gmap = a?.measures.GMAP;
    expect(gmap?.value).toBeCloseTo(Math.cbrt((5 / 6) * (1 / 2)), 12);
    expect(gmap?.ciLow).toBeGreaterThanOrEqual(1 / 2 - 1e-12);
    expect(gmap?.ciLow).toBeLessThan(gmap?.value ?? 0);
    expect(gmap?.ciHigh).toBeGreaterThan(gmap?.value ?? 0);
    expect(gmap?.ciHigh).toBeLessThanOrEqual(1 + 1e-12);
  });

  it('exits 2 with the valid measures listed for an unknown measure, without a stack trace', async () => {
    const result = await runCliInProcess([
      'eval',
      '--dataset',
      dataset,
      '--run',
      RUN_A,
      '--measures',
      'nDCG@10,nonsense',
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown measure 'nonsense'. Valid measures: P@k, R@k/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints the stack only with --debug', async () => {
    const result = await runCliInProcess([
      'eval',
      '--dataset',
      join(dataset, 'nope'),
      '--run',
      RUN_A,
      '--debug',
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});

describe('retrieval-gate eval --qrels: a qrels file and a run file, no dataset folder', () => {
  // The mini dataset's judgments as trec_eval's users hold them: a TREC qrels file.
  const QRELS_LINES = ['q1 0 d1 1', 'q1 0 d2 1', 'q1 0 d5 0', 'q2 0 d3 1', 'q2 0 d4 0', 'q3 0 d6 2'];

  it('gives the same means and intervals as the dataset it came from, named after the file', async () => {
    const qrels = join(tempDir(), 'qrels.txt');
    writeFileSync(qrels, `${QRELS_LINES.join('\n')}\n`);
    const out = join(tempDir(), 'evaluation.json');
    const args = ['--run', RUN_A, '--measures', 'RR,AP,nDCG@10', '--out', out];
    const result = await runCliInProcess(['eval', '--qrels', qrels, ...args]);
    expect(result.status, result.stderr).toBe(0);
    const fromQrels = JSON.parse(readFileSync(out, 'utf8')) as EvaluationFile;
    expect(result.stdout).toContain('nDCG@10');
    expect(fromQrels.dataset).toMatchObject({ name: 'qrels.txt', queries: 3, judgedQueries: 3 });
    expect(fromQrels.dataset.version).toMatch(/^[0-9a-f]{12}$/);
    expect(fromQrels.dataset.version).toBe(fromQrels.dataset.digest.slice(7, 19));
    expect((await runCliInProcess(['eval', '--dataset', dataset, ...args])).status).toBe(0);
    const fromDataset = JSON.parse(readFileSync(out, 'utf8')) as EvaluationFile;
    const run = (e: EvaluationFile) => e.runs[0]?.measures;
    expect(run(fromQrels)).toEqual(run(fromDataset));
    expect(run(fromQrels)?.AP?.ciLow).toBeLessThan(run(fromQrels)?.AP?.value ?? 0);
  });

  it('asks for judgments when given neither, and refuses both', async () => {
    const neither = await runCliInProcess(['eval', '--run', RUN_A]);
    expect(neither.status).toBe(2);
    expect(neither.stderr).toContain('--dataset FOLDER|name@version, or --qrels FILE');
    const both = await runCliInProcess(['eval', '--dataset', dataset, '--qrels', RUN_A, '--run', RUN_A]);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('give --dataset or --qrels, not both');
  });
});
