import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

/** The README's first command evaluates these; they must stay valid and meaningful. */
describe('the shipped example', () => {
  const runs = join(REPO_ROOT, 'datasets', 'bike-repair', '1.0.0', 'runs');

  it('bike-repair@1.0.0 validates: manifest, hashes, digest and references', () => {
    const result = runCli(['validate', join(REPO_ROOT, 'datasets', 'bike-repair', '1.0.0')]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^ok: dataset bike-repair@1\.0\.0: 73 queries, 248 documents, 508 judgments, sha256:/,
    );
    expect(result.status).toBe(0);
  });

  it('evaluates the two example runs by name@version, BM25 ahead of title overlap', () => {
    const result = runCli([
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
});
