import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBaseline } from '../../src/results/baseline.js';
import { loadResults } from '../../src/results/run-folder.js';
import { runCliInProcess } from '../helpers/cli.js';
import { runExample } from '../helpers/results.js';
import { tempDir } from '../helpers/tmp.js';

describe('retrieval-gate baseline save', () => {
  let dir: string;

  beforeAll(async () => {
    dir = tempDir();
    await runExample(dir, 'r1', ['bm25', 'hash', 'broken']);
  });

  it('saves the named systems and says what it saved in one line', async () => {
    const to = 'gates/baselines/main.json';
    const saved = await runCliInProcess(
      ['baseline', 'save', '--from', 'reports/r1', '--system', 'bm25', '--system', 'hash', '--to', to],
      dir,
    );
    expect(saved.stderr).toBe('');
    expect(saved.status).toBe(0);
    const { digest } = loadResults(join(dir, 'reports', 'r1')).dataset;
    expect(saved.stdout).toBe(
      `saved 2 systems (bm25, hash) of run r1 on bike-repair@1.0.0 (${digest}) to gates/baselines/main.json\n`,
    );
    const baseline = await loadBaseline(to, dir);
    expect(baseline.systems.map((s) => s.id)).toEqual(['bm25', 'hash']);
    expect(baseline.runId).toBe('r1');
  });

  it('writes the same bytes for the same run', async () => {
    const args = ['baseline', 'save', '--from', 'reports/r1', '--system', 'hash'];
    expect((await runCliInProcess([...args, '--to', 'a.json'], dir)).status).toBe(0);
    expect((await runCliInProcess([...args, '--to', 'b.json'], dir)).status).toBe(0);
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toBe(readFileSync(join(dir, 'a.json'), 'utf8'));
  });

  it('exits 2 with one line for an unknown system, listing the known ones', async () => {
    const result = await runCliInProcess(
      ['baseline', 'save', '--from', 'reports/r1', '--system', 'nope', '--to', 'x.json'],
      dir,
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      "retrieval-gate: no system 'nope' in reports/r1; its systems: bm25, hash, broken\n",
    );
    expect(result.stdout).toBe('');
  });

  it('exits 2 when a failed system would be blessed', async () => {
    const result = await runCliInProcess(['baseline', 'save', '--from', 'reports/r1', '--to', 'x.json'], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^retrieval-gate: reports\/r1: a failed system cannot be a baseline: 'broken'/,
    );
    expect(result.stderr).toContain('name the others with --system');
  });

  it('exits 2 without a stack for a run that did not finish', async () => {
    // What the runner leaves when killed: the systems/ folder and the config's copy, no summary.json.
    mkdirSync(join(dir, 'reports', 'killed', 'systems'), { recursive: true });
    const result = await runCliInProcess(
      ['baseline', 'save', '--from', 'reports/killed', '--to', 'x.json'],
      dir,
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      'retrieval-gate: reports/killed: no summary.json: the run did not finish (it was killed or is still running); run it again\n',
    );
  });

  it('needs --from and --to', async () => {
    const result = await runCliInProcess(['baseline', 'save', '--from', 'reports/r1'], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("required option '--to <file>' not specified");
  });
});
