import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/app/report.js';
import { loadDataset } from '../../src/dataset/native.js';
import { inert } from '../../src/report/gate-markdown.js';
import { runCliInProcess } from '../helpers/cli.js';
import { importMiniDataset } from '../helpers/fixtures.js';
import { EXAMPLE_DATASET, runExample, runExampleOutcome } from '../helpers/results.js';
import { tempDir } from '../helpers/tmp.js';

let dir: string;
let base: string;
let candidate: string;

beforeAll(async () => {
  dir = tempDir();
  base = await runExample(dir, 'base', ['bm25']);
  candidate = await runExample(dir, 'candidate', ['bm25', 'hash']);
});

describe('retrieval-gate report', () => {
  it('writes report.html and report.md into the run folder, compared with a baseline run (exit 0)', async () => {
    const result = await runCliInProcess(['report', candidate, '--baseline', base]);
    expect(result.status).toBe(0);
    const html = join(candidate, 'report.html');
    expect(result.stderr).toContain(`report written to ${html}`);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/i);
    const markdown = readFileSync(join(candidate, 'report.md'), 'utf8');
    expect(markdown).toMatch(/^## retrieval-gate report\n/);
    expect(markdown).toContain(`baseline ${inert(base)} (run base)`);
    expect(markdown).toMatch(/^\| bm25 \| .* \| \+0\.0000 \[\+0\.0000, \+0\.0000\] \|/m);
  });

  it('given the reports folder, says it holds run folders and names one, not that a run did not finish', async () => {
    const reports = join(dir, 'reports');
    const result = await runCliInProcess(['report', reports]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `retrieval-gate: ${reports}: not a run folder, but a folder of run folders (base, candidate): give one of them, e.g. ${candidate}\n`,
    );
  });

  it('writes where --out says, the Markdown beside the HTML', async () => {
    const out = join(dir, 'out', 'pr-7.html');
    expect((await runCliInProcess(['report', candidate, '--out', out])).status).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(join(dir, 'out', 'pr-7.md'))).toBe(true);
  });

  it('refuses a dataset other than the one the results were measured on (exit 2)', async () => {
    const mini = join(dir, 'mini');
    expect(importMiniDataset(mini).status).toBe(0);
    const result = await runCliInProcess(['report', candidate, '--dataset', mini]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /the dataset mini@1 .* has digest sha256:\w+, but the results were measured on bike-repair@1\.0\.0/,
    );
  });

  it('made from a dataset already in memory (as run and merge make it) is the one made by reading it, byte for byte', async () => {
    const now = new Date('2026-01-02T03:04:05Z');
    const read = await writeReport({ resultsDir: candidate, out: join(dir, 'read', 'r.html'), now });
    const held = await writeReport({
      resultsDir: candidate,
      out: join(dir, 'held', 'r.html'),
      loadedDataset: loadDataset(EXAMPLE_DATASET),
      now,
    });
    expect(readFileSync(held.html, 'utf8')).toBe(readFileSync(read.html, 'utf8'));
    expect(readFileSync(held.markdown, 'utf8')).toBe(readFileSync(read.markdown, 'utf8'));
    // Held or read, a dataset other than the results' is refused.
    const mini = join(dir, 'mini-held');
    expect(importMiniDataset(mini).status).toBe(0);
    await expect(
      writeReport({
        resultsDir: candidate,
        out: join(dir, 'held', 'x.html'),
        loadedDataset: loadDataset(mini),
      }),
    ).rejects.toThrow(/the dataset mini@1 .* but the results were measured on bike-repair@1\.0\.0/);
  });

  it('made by the run from the runs and top hits it holds is the page made from its folder alone, byte for byte', async () => {
    const outcome = await runExampleOutcome(dir, 'held', ['bm25', 'hash+lexical', 'broken']);
    // A failed system holds nothing, and is read as nothing.
    expect([...outcome.held.keys()]).toEqual(['bm25', 'hash+lexical']);
    const now = new Date('2026-01-02T03:04:05Z');
    const read = await writeReport({
      resultsDir: outcome.dir,
      baseline: base,
      out: join(dir, 'held-read', 'r.html'),
      now,
    });
    const held = await writeReport({
      resultsDir: outcome.dir,
      baseline: base,
      out: join(dir, 'held-held', 'r.html'),
      loadedDataset: outcome.dataset,
      held: outcome.held,
      now,
    });
    expect(readFileSync(held.html, 'utf8')).toBe(readFileSync(read.html, 'utf8'));
    expect(readFileSync(held.markdown, 'utf8')).toBe(readFileSync(read.markdown, 'utf8'));
  });

  it('is written by run (after the gate, with its verdict) unless --no-report', async () => {
    const policy = join(dir, 'floor.yaml');
    const config = join(dir, 'candidate.yaml'); // written by runExample
    const reports = join(dir, 'reports-run');
    const run = (runId: string, args: string[]) =>
      runCliInProcess(
        ['run', '--config', config, '--reports', reports, '--run-id', runId, '--quiet', ...args],
        dir,
      );
    writeFileSync(policy, 'rules:\n  - { kind: maxDrop, metric: R@5, maxDrop: { abs: 0.03 } }\n');
    const baseline = join(dir, 'baseline.json');
    expect((await runCliInProcess(['baseline', 'save', '--from', candidate, '--to', baseline])).status).toBe(
      0,
    );
    const gated = await run('gated', ['--gate', policy, '--baseline', baseline]);
    expect(gated.status).toBe(0);
    expect(gated.stderr).toContain(`report written to ${join(reports, 'gated', 'report.html')}`);
    const markdown = readFileSync(join(reports, 'gated', 'report.md'), 'utf8');
    expect(markdown).toMatch(/^## ✅ pass · retrieval-gate report/);
    expect(markdown).toContain(`baseline ${inert(baseline)} (run candidate)`);

    const quiet = await run('quiet', ['--no-report']);
    expect(quiet.status).toBe(0);
    expect(existsSync(join(reports, 'quiet', 'summary.json'))).toBe(true);
    expect(existsSync(join(reports, 'quiet', 'report.html'))).toBe(false);
  });
});
