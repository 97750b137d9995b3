import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveBaseline } from '../../src/app/baseline.js';
import { UserError } from '../../src/errors.js';
import { checkComparable, pairQueries } from '../../src/gate/compare.js';
import { type BaselineFile, loadBaseline } from '../../src/results/baseline.js';
import type { MeasuredResults, MeasuredSystem } from '../../src/results/measured.js';
import { loadResults } from '../../src/results/run-folder.js';
import { TOOL_VERSION } from '../../src/version.js';
import { runExample } from '../helpers/results.js';
import { tempDir } from '../helpers/tmp.js';

let root: string;
let runDir: string;
let results: MeasuredResults;

beforeAll(async () => {
  root = tempDir();
  runDir = await runExample(root, 'r1', ['bm25', 'hash', 'broken']);
  results = loadResults(runDir);
});

describe('saveBaseline and loadBaseline', () => {
  it('round-trips the named systems: what loads is what the results measured', async () => {
    const to = join(tempDir(), 'gates', 'baselines', 'main.json');
    const saved = saveBaseline({ from: runDir, systems: ['hash', 'bm25'], to });
    expect(saved.systems.map((s) => s.id)).toEqual(['bm25', 'hash']); // the results' order
    const loaded = await loadBaseline(to);
    expect(loaded.source).toBe(to);
    expect(loaded.runId).toBe('r1');
    expect(loaded.dataset).toEqual(results.dataset);
    expect(loaded.settings).toEqual(results.settings);
    expect(loaded.systems).toEqual(results.systems.filter((s) => s.id !== 'broken'));
  });

  it('writes byte-identical files for the same results, with no timestamp or path of this machine', () => {
    const dir = tempDir();
    saveBaseline({ from: runDir, systems: ['bm25', 'hash'], to: join(dir, 'a.json') });
    saveBaseline({ from: runDir, systems: ['hash', 'bm25'], to: join(dir, 'b.json') });
    const text = readFileSync(join(dir, 'a.json'), 'utf8');
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toBe(text);
    expect(text).not.toContain(root);
    expect(text).not.toMatch(/startedAt|finishedAt|\d{4}-\d\d-\d\dT/);
    const file = JSON.parse(text) as BaselineFile;
    expect(file).toMatchObject({
      schemaVersion: 1,
      kind: 'baseline',
      runId: 'r1',
      tool: { name: 'retrieval-gate' },
    });
  });

  it('says its latencies are per query; one saved by an earlier version (no latencyPer) reads as per call', async () => {
    const to = join(tempDir(), 'main.json');
    saveBaseline({ from: runDir, systems: ['bm25'], to });
    const file = JSON.parse(readFileSync(to, 'utf8')) as BaselineFile;
    expect(file.systems[0]?.latencyPer).toBe('query');
    expect((await loadBaseline(to)).systems[0]?.latencyPer).toBeUndefined();
    delete file.systems[0]?.latencyPer;
    writeFileSync(to, JSON.stringify(file));
    expect((await loadBaseline(to)).systems[0]?.latencyPer).toBe('call');
  });

  it('refuses an unknown system, listing the known ones', () => {
    expect(() =>
      saveBaseline({ from: runDir, systems: ['bm25', 'bm26'], to: join(tempDir(), 'x.json') }),
    ).toThrow(new UserError(`no system 'bm26' in ${runDir}; its systems: bm25, hash, broken`));
  });

  it('refuses to bless a failed system, named or by default', () => {
    const to = join(tempDir(), 'x.json');
    expect(() => saveBaseline({ from: runDir, systems: ['broken'], to })).toThrow(
      /: a failed system cannot be a baseline: 'broken' \(command index 'broken' .*: exited with code 1 [^\n]*\)$/,
    );
    expect(() => saveBaseline({ from: runDir, to })).toThrow(/; name the others with --system$/);
    expect(existsSync(to)).toBe(false);
  });

  it('names the file and field of a malformed baseline', async () => {
    const file = join(tempDir(), 'bad.json');
    saveBaseline({ from: runDir, systems: ['bm25'], to: file });
    const value = JSON.parse(readFileSync(file, 'utf8')) as BaselineFile;
    value.systems[0]?.perQuery.values.RR?.push(1);
    writeFileSync(file, JSON.stringify(value));
    await expect(loadBaseline(file)).rejects.toThrow(
      `${file}: field 'systems[0].perQuery.values.RR': has 74 values for 73 qids`,
    );
    writeFileSync(file, JSON.stringify({ ...value, kind: 'evaluation' }));
    await expect(loadBaseline(file)).rejects.toThrow(
      new UserError("is a 'evaluation' file, not a baseline (kind: baseline, from `baseline save`)", {
        file,
        field: 'kind',
      }),
    );
    writeFileSync(file, '{"kind": ');
    await expect(loadBaseline(file)).rejects.toThrow(/malformed JSON/);
  });
});

/** Runs git in `cwd`, failing the test when git fails. */
function git(cwd: string, ...args: string[]): void {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
}

describe('loadBaseline from git', () => {
  const PATH = 'gates/baselines/main.json';
  let repo: string;

  /** A repository whose first commit blesses bm25 and hash and whose second blesses bm25 alone. */
  beforeAll(() => {
    repo = tempDir();
    git(repo, 'init', '--quiet', '--initial-branch', 'main');
    git(repo, 'config', 'user.name', 'Test');
    git(repo, 'config', 'user.email', 'test@example.com');
    git(repo, 'config', 'commit.gpgsign', 'false');
    saveBaseline({ from: runDir, systems: ['bm25', 'hash'], to: join(repo, PATH) });
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'baseline: bm25 and hash');
    saveBaseline({ from: runDir, systems: ['bm25'], to: join(repo, PATH) });
    git(repo, 'commit', '--quiet', '-am', 'baseline: bm25 only');
    git(repo, 'branch', 'release', 'HEAD~1');
  });

  it('reads the file as a revision holds it', async () => {
    const before = await loadBaseline(`git:HEAD~1:${PATH}`, repo);
    expect(before.source).toBe(`git:HEAD~1:${PATH}`);
    expect(before.systems.map((s) => s.id)).toEqual(['bm25', 'hash']);
    expect((await loadBaseline(`git:main:${PATH}`, repo)).systems.map((s) => s.id)).toEqual(['bm25']);
    expect((await loadBaseline(PATH, repo)).systems.map((s) => s.id)).toEqual(['bm25']);
    const inSub = join(repo, 'gates');
    expect((await loadBaseline('git:HEAD~1:./baselines/main.json', inSub)).systems).toHaveLength(2);
  });

  it('says a path is not in the revision', async () => {
    await expect(loadBaseline('git:HEAD~1:gates/baselines/other.json', repo)).rejects.toThrow(
      /^git:HEAD~1:gates\/baselines\/other.json: revision 'HEAD~1' has no file 'gates\/baselines\/other.json'/,
    );
  });

  it('says a revision is unknown', async () => {
    await expect(loadBaseline(`git:release-9:${PATH}`, repo)).rejects.toThrow(
      new UserError(`unknown revision 'release-9' in the git repository of ${repo}`, {
        file: `git:release-9:${PATH}`,
      }),
    );
  });

  it('explains a shallow clone, and its advice works', async () => {
    const clone = join(tempDir(), 'clone');
    git(repo, 'clone', '--quiet', '--depth', '1', `file://${repo}`, clone);
    expect((await loadBaseline(`git:HEAD:${PATH}`, clone)).systems).toHaveLength(1);

    const parent = loadBaseline(`git:HEAD~1:${PATH}`, clone);
    await expect(parent).rejects.toThrow(UserError);
    await expect(parent).rejects.toThrow(
      `git:HEAD~1:${PATH}: revision 'HEAD~1' is not in this clone, which is shallow (it holds only the latest commits): fetch the history with 'git fetch --unshallow', or one branch with 'git fetch origin <branch>:refs/remotes/origin/<branch>' and read it as git:origin/<branch>:PATH; in GitHub Actions, check out with 'fetch-depth: 0' (actions/checkout)`,
    );
    const branch = loadBaseline(`git:release:${PATH}`, clone);
    await expect(branch).rejects.toThrow(
      "one branch with 'git fetch origin release:refs/remotes/origin/release' and read it as git:origin/release:PATH",
    );

    git(clone, 'fetch', '--quiet', 'origin', 'release:refs/remotes/origin/release');
    expect((await loadBaseline(`git:origin/release:${PATH}`, clone)).systems).toHaveLength(2);
    git(clone, 'fetch', '--quiet', '--unshallow');
    expect((await loadBaseline(`git:HEAD~1:${PATH}`, clone)).systems).toHaveLength(2);
  });

  it('says a folder is not a git repository', async () => {
    await expect(loadBaseline(`git:HEAD:${PATH}`, tempDir())).rejects.toThrow(/is not in a git repository/);
  });

  it('names git:REF:PATH and the field of a malformed file', async () => {
    const bad = join(repo, 'bad.json');
    const value = JSON.parse(readFileSync(join(repo, PATH), 'utf8')) as BaselineFile;
    writeFileSync(bad, JSON.stringify({ ...value, schemaVersion: 2 }));
    git(repo, 'add', 'bad.json');
    git(repo, 'commit', '--quiet', '-m', 'a broken baseline');
    await expect(loadBaseline('git:HEAD:bad.json', repo)).rejects.toThrow(
      new UserError(
        `has schemaVersion 2; this version of the tool (${TOOL_VERSION}) reads baselines of schemaVersion 1: save the baseline again with \`baseline save\``,
        { file: 'git:HEAD:bad.json', field: 'schemaVersion' },
      ),
    );
    await expect(loadBaseline('git:HEAD', repo)).rejects.toThrow(/^git:HEAD: expected git:REF:PATH/);
  });
});

describe('checkComparable', () => {
  const other = (changes: Partial<MeasuredResults>): MeasuredResults => ({
    ...results,
    source: 'gates/baselines/main.json',
    ...changes,
  });
  const nextVersion = {
    name: 'bike-repair',
    version: '1.1.0',
    digest: `sha256:${'b'.repeat(64)}`,
    judgedQueries: 80,
  };

  it('accepts the same dataset and settings without a warning', () => {
    expect(checkComparable(results, other({}), false)).toEqual([]);
  });

  it('refuses a baseline measured on other dataset contents', () => {
    const digest = results.dataset.digest.slice(0, 'sha256:'.length + 12);
    expect(() => checkComparable(results, other({ dataset: nextVersion }), false)).toThrow(
      `the results (${runDir}) were measured on bike-repair@1.0.0 (${digest}…) but the baseline (gates/baselines/main.json) on bike-repair@1.1.0 (sha256:bbbbbbbbbbbb…); the numbers are not comparable; pass --allow-dataset-change to compare anyway (per-query comparisons use only the queries in both)`,
    );
  });

  it('warns instead with --allow-dataset-change, and about differing settings', () => {
    const warnings = checkComparable(
      results,
      other({
        dataset: nextVersion,
        settings: { ...results.settings, relevanceLevel: 2, missingQueries: 'skip' },
      }),
      true,
    );
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(
      /^the dataset changed: .*\(73 and 80 judged queries\); per-query comparisons use only/,
    );
    expect(warnings[1]).toBe(
      'relevance levels differ: the results count grades ≥ 1 as relevant, the baseline grades ≥ 2',
    );
    expect(warnings[2]).toBe(
      'judged queries a run has no results for are scored 0 in the results but left out in the baseline',
    );
  });
});

describe('pairQueries', () => {
  const system = (qids: string[], values: number[]): MeasuredSystem => ({
    id: 's',
    status: 'ok',
    description: null,
    measures: {},
    perQuery: { qids, values: { RR: values, 'P@5': values.map(() => 0) } },
    latencyMs: null,
    costPerQuery: null,
  });

  it('aligns the queries both sides evaluated, in byte order of qid', () => {
    const paired = pairQueries(
      system(['q3', 'q10', 'q1', 'q2'], [0.4, 0.2, 0.1, 0.3]),
      system(['q2', 'q3', 'q4', 'q10'], [0.5, 0.6, 0.7, 0.8]),
      'RR',
    );
    expect(paired.qids).toEqual(['q10', 'q2', 'q3']);
    expect(Array.from(paired.candidate)).toEqual([0.2, 0.3, 0.4]);
    expect(Array.from(paired.baseline)).toEqual([0.8, 0.5, 0.6]);
  });

  it('pairs nothing when no query is shared', () => {
    const paired = pairQueries(system(['a'], [1]), system(['b'], [1]), 'P@5');
    expect(paired.qids).toEqual([]);
    expect(paired.candidate).toHaveLength(0);
  });

  it('pairs a real system with its own baseline value for value', async () => {
    const to = join(tempDir(), 'b.json');
    saveBaseline({ from: runDir, systems: ['hash'], to });
    const [candidate] = results.systems.filter((s) => s.id === 'hash');
    const [base] = (await loadBaseline(to)).systems;
    if (!candidate || !base) throw new Error('no hash system');
    const paired = pairQueries(candidate, base, 'nDCG@10');
    expect(paired.qids).toHaveLength(73);
    expect(Array.from(paired.candidate)).toEqual(Array.from(paired.baseline));
  });
});
