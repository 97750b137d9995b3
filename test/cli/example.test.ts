import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/** The README's first command evaluates these; they must stay valid and meaningful. */
describe('the shipped example', () => {
  const runs = join(REPO_ROOT, 'datasets', 'bike-repair', '1.0.0', 'runs');

  it('bike-repair@1.0.0 validates: manifest, hashes, digest and references', async () => {
    const result = await runCliInProcess(['validate', join(REPO_ROOT, 'datasets', 'bike-repair', '1.0.0')]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^ok: dataset bike-repair@1\.0\.0: 73 queries, 248 documents, 508 judgments, sha256:/,
    );
    expect(result.status).toBe(0);
  });

  it('evaluates the two example runs by name@version, BM25 ahead of title overlap', async () => {
    const result = await runCliInProcess([
      'eval',
      '--dataset',
      'bike-repair@1.0.0',
      '--run',
      join(runs, 'bm25.trec'),
      '--run',
      join(runs, 'title-overlap.trec'),
      '--measures',
      'nDCG@10',
    ]);
    expect(result.status).toBe(0);
    // Same figures as NIST trec_eval 10.0 on these files (ndcg_cut_10: 0.6378 and 0.5358).
    expect(result.stdout).toMatch(/\nbm25 +0\.6378 /);
    expect(result.stdout).toMatch(/\ntitle-overlap +0\.5358 /);
  });

  it('the shipped baseline is of the example config on the current dataset (the README gates against it)', async () => {
    const path = join(REPO_ROOT, 'gates', 'baselines', 'bike-repair.json');
    const result = await runCliInProcess(['validate', path]);
    expect(result.status).toBe(0);
    const baseline = JSON.parse(readFileSync(path, 'utf8'));
    const dataset = await runCliInProcess(['validate', join(REPO_ROOT, 'datasets', 'bike-repair', '1.0.0')]);
    expect(dataset.stdout).toContain(baseline.dataset.digest);
    const config = await runCliInProcess(['validate', join(REPO_ROOT, 'retrieval-gate.yaml')]);
    for (const system of baseline.systems) expect(config.stdout).toContain(system.id);
  });
});

describe("the README's gated example", () => {
  it('passes on an unchanged checkout against the shipped baseline, whatever this machine times', async () => {
    const reports = tempDir();
    const result = await runCliInProcess([
      'run',
      '--config',
      join(REPO_ROOT, 'retrieval-gate.yaml'),
      '--gate',
      join(REPO_ROOT, 'gates', 'example.yaml'),
      '--baseline',
      join(REPO_ROOT, 'gates', 'baselines', 'bike-repair.json'),
      '--reports',
      reports,
      '--quiet',
    ]);
    expect(result.stdout).toMatch(/\ngate PASS · bike-repair@1\.0\.0/);
    expect(result.stdout).not.toMatch(/^(WARN|FAIL) /m);
    expect(result.status, result.stderr).toBe(0);
  });
});
