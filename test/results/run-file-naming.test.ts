import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Run } from '../../src/metrics/types.js';
import { systemRunFile } from '../../src/results/layout.js';
import { RunFolderWriter } from '../../src/results/run-folder-writer.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Issue 21.6: a run whose ids hold whitespace cannot be TREC, so only run.jsonl is written; every place that
 * names the run file (evaluation.json's runs, summary.json's files) names that file and its digest.
 */

function run(runId: string, docids: string[]): Run {
  return { runId, queries: new Map([['q1', { docids, scores: docids.map((_, i) => 1 - i / 10) }]]) };
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function writer(): { dir: string; folder: RunFolderWriter } {
  const dir = tempDir();
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'dataset: x\n');
  return { dir, folder: RunFolderWriter.create(join(dir, 'reports'), 'r1', config) };
}

describe('run files are named as written', () => {
  it('ids with whitespace: run.jsonl is written and named, with its own digest', () => {
    const { folder } = writer();
    folder.startSystem('sys');
    const { files, runs } = folder.writeSystemRuns('sys', run('sys', ['doc 1', 'd2']), {
      firstStage: run('sys~first-stage', ['doc 1']),
      exact: { run: run('sys~exact', ['d2', 'doc 1']) },
    });
    expect(files).toMatchObject({
      run: join('systems', 'sys', 'run.jsonl'),
      firstStage: join('systems', 'sys', 'first-stage.jsonl'),
      exact: join('systems', 'sys', 'exact.jsonl'),
    });
    for (const named of runs) {
      expect(named.file.name).toMatch(/\.jsonl$/);
      expect(existsSync(join(folder.dir, named.file.name))).toBe(true);
      expect(named.file.sha256).toBe(sha256(join(folder.dir, named.file.name)));
    }
    expect(existsSync(join(folder.dir, 'systems', 'sys', 'run.trec'))).toBe(false);
    expect(systemRunFile(folder.dir, 'sys')).toBe(join(folder.dir, files.run));
  });

  it('plain ids: run.trec is named, with its digest', () => {
    const { folder } = writer();
    folder.startSystem('sys');
    const { files, runs } = folder.writeSystemRuns('sys', run('sys', ['d1', 'd2']));
    expect(files.run).toBe(join('systems', 'sys', 'run.trec'));
    expect(runs[0]?.file).toEqual({ name: files.run, sha256: sha256(join(folder.dir, files.run)) });
  });

  it('a run.trec left by an earlier run under the same id is removed, not read in place of run.jsonl', () => {
    const { dir } = writer();
    const config = join(dir, 'config.yaml');
    const first = RunFolderWriter.create(join(dir, 'reports'), 'again', config);
    first.startSystem('sys');
    first.writeSystemRuns('sys', run('sys', ['d1']));
    const second = RunFolderWriter.create(join(dir, 'reports'), 'again', config);
    second.startSystem('sys');
    const { files } = second.writeSystemRuns('sys', run('sys', ['doc 1']));
    expect(systemRunFile(second.dir, 'sys')).toBe(join(second.dir, files.run));
  });

  it('a system id that cannot name a folder is refused by the writer too (the programmatic API)', () => {
    const { folder } = writer();
    for (const id of ['..', 'CON', 'x'.repeat(300)]) {
      expect(() => folder.startSystem(id)).toThrow(/cannot name its folder/);
    }
    expect(() =>
      RunFolderWriter.create(join(folder.dir, '..'), '../up', join(folder.dir, 'config.yaml')),
    ).toThrow(/cannot name a run folder/);
  });
});
