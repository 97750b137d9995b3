import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/results/summary.js';
import { type CliResult, REPO_ROOT, runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const DATASET = join(REPO_ROOT, 'datasets', 'bike-repair', '1.0.0');

/** The example config, its dataset by folder and its cache beside it: a cold cache per run, as in CI. */
function exampleConfig(dir: string): string {
  const text = readFileSync(join(REPO_ROOT, 'retrieval-gate.yaml'), 'utf8').replace(
    /^dataset: .*$/m,
    `dataset: ${JSON.stringify(DATASET)}\ncacheDir: cache`,
  );
  const file = join(dir, 'retrieval-gate.yaml');
  writeFileSync(file, text);
  return file;
}

const TIMING_KEYS = new Set([
  'startedAt',
  'finishedAt',
  'generatedAt',
  'latencyMs',
  'batchLatencyMs',
  'queriesPerSecond',
]);

/** A value with its timings removed, at any depth. */
function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !TIMING_KEYS.has(key))
      .map(([key, v]) => [key, withoutTimings(v)]),
  );
}

/** report.html as its page (the time it was made masked) and its data (timings removed). */
function reportParts(file: string): { page: string; data: unknown } {
  const html = readFileSync(file, 'utf8');
  const match = /(<script type="application\/json" id="report-data">)(.*?)(<\/script>)/s.exec(html);
  if (!match) throw new Error(`no report data in ${file}`);
  const page = html.replace(match[0], '').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g, '<time>');
  return { page, data: withoutTimings(JSON.parse(match[2] as string)) };
}

const read = (file: string): string => readFileSync(file, 'utf8');
const summaryOf = (dir: string): RunSummary => JSON.parse(read(join(dir, 'summary.json'))) as RunSummary;

describe('run --shard I/N and merge', () => {
  let dir: string;
  let whole: string;
  let merged: string;
  let shards: string[];
  let merging: CliResult;

  beforeAll(async () => {
    dir = tempDir();
    const single = join(dir, 'single');
    const sharded = join(dir, 'sharded');
    for (const folder of [single, sharded]) mkdirSync(folder);
    const run = await runCliInProcess(
      ['run', '--config', exampleConfig(single), '--reports', 'reports', '--run-id', 'nightly', '--quiet'],
      single,
    );
    expect(run.status, run.stderr).toBe(0);
    whole = join(single, 'reports', 'nightly');
    const config = exampleConfig(sharded);
    shards = [];
    for (const i of [1, 2, 3]) {
      const shard = await runCliInProcess(
        ['run', '--config', config, '--reports', 'reports', '--shard', `${i}/3`, '--quiet'],
        sharded,
      );
      expect(shard.status, shard.stderr).toBe(0);
      shards.push(join(sharded, 'reports', `shard-${i}-of-3`));
    }
    merged = join(sharded, 'reports', 'nightly');
    merging = await runCliInProcess(['merge', ...shards, '--out', merged], sharded);
  });

  it('a shard holds its slice of the queries, with the digests that tie it to its run', () => {
    const manifests = shards.map((s) => JSON.parse(read(join(s, 'shard.json'))));
    expect(manifests.map((m) => m.shard)).toEqual([1, 2, 3].map((index) => ({ index, count: 3 })));
    expect(new Set(manifests.map((m) => m.config.digest)).size).toBe(1);
    expect(new Set(manifests.map((m) => m.dataset.digest)).size).toBe(1);
    const counts = manifests.map((m) => m.queries.length);
    expect(counts.every((n) => n > 0)).toBe(true);
    expect(counts.reduce((a, b) => a + b)).toBe(summaryOf(whole).dataset.queries);
    // A partial folder is not a run: nothing was evaluated in it.
    expect(() => read(join(shards[0] as string, 'evaluation.json'))).toThrow();
  });

  it('evaluation.json of the merged shards is byte-identical to the unsharded run’s', () => {
    expect(merging.status, merging.stderr).toBe(0);
    expect(read(join(merged, 'evaluation.json'))).toBe(read(join(whole, 'evaluation.json')));
    expect(read(join(merged, 'systems', 'bm25', 'run.trec'))).toBe(
      read(join(whole, 'systems', 'bm25', 'run.trec')),
    );
  });

  it('the summary is the unsharded one but for timings and the shards’ smaller embedding batches', () => {
    const [a, b] = [summaryOf(whole), summaryOf(merged)];
    // Each shard embeds its own queries: more, smaller calls; the same tokens.
    const batches = (s: RunSummary) =>
      s.systems.map((system) => {
        const { batchSizes, embeddingCalls, ...rest } = system;
        return { rest, batches: batchSizes, calls: embeddingCalls };
      });
    const [aa, bb] = [batches(a), batches(b)];
    expect(withoutTimings(bb.map((s) => s.rest))).toEqual(withoutTimings(aa.map((s) => s.rest)));
    const hashed = bb.find((_, i) => a.systems[i]?.id === 'hash-128@exact');
    expect(hashed?.calls?.query).toBe(3);
    expect(hashed?.batches?.embed.reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(a.dataset.queries);
    expect(withoutTimings({ ...b, systems: [] })).toEqual(withoutTimings({ ...a, systems: [] }));
    // Percentiles are taken over every query's timing, not averaged over shards.
    expect(b.systems.every((s) => s.latencyMs?.total?.count === a.dataset.queries)).toBe(true);
  });

  it('traces hold every query once, in the unsharded order; the report is the unsharded one but for timings', () => {
    const qids = (file: string) =>
      read(file)
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { qid: string }).qid);
    const trace = (run: string) => join(run, 'systems', 'hash-2048@exact+lexical', 'trace.jsonl');
    expect(qids(trace(merged))).toEqual(qids(trace(whole)));
    expect(read(join(merged, 'report.md'))).toBe(read(join(whole, 'report.md')));
    const [a, b] = [reportParts(join(whole, 'report.html')), reportParts(join(merged, 'report.html'))];
    expect(b.page).toBe(a.page);
    // The report shows the calls' batch sizes beside their latencies: shards make smaller batches.
    const withoutBatchSizes = (data: unknown) => {
      const { systems, ...rest } = data as { systems: Record<string, unknown>[] };
      return { ...rest, systems: systems.map(({ batchSizes: _sizes, ...system }) => system) };
    };
    expect(withoutBatchSizes(b.data)).toEqual(withoutBatchSizes(a.data));
  });

  it('refuses missing, duplicated and mismatched shards, naming them (exit 2)', async () => {
    const out = (name: string) => ['--out', join(dir, 'refused', name)];
    const [one, two, three] = shards as [string, string, string];
    const missing = await runCliInProcess(['merge', one, three, ...out('missing')], dir);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('shard 2/3 missing');

    const twice = join(dir, 'copy-of-1');
    cpSync(one, twice, { recursive: true });
    const duplicated = await runCliInProcess(['merge', one, two, three, twice, ...out('twice')], dir);
    expect(duplicated.status).toBe(2);
    expect(duplicated.stderr).toContain('shard 1/3 is there twice');
    expect(duplicated.stderr).toContain(twice);

    const other = join(dir, 'other-config');
    cpSync(three, other, { recursive: true });
    const manifest = JSON.parse(read(join(other, 'shard.json')));
    manifest.config.digest = 'edited';
    writeFileSync(join(other, 'shard.json'), JSON.stringify(manifest));
    const mismatched = await runCliInProcess(['merge', one, two, other, ...out('mismatched')], dir);
    expect(mismatched.status).toBe(2);
    expect(mismatched.stderr).toContain(`shard 3/3 in ${other} has the config digest edited`);

    const notShard = await runCliInProcess(['merge', one, two, whole, ...out('run')], dir);
    expect(notShard.status).toBe(2);
    expect(notShard.stderr).toContain('is not a shard');
    const gated = await runCliInProcess(
      ['gate', '--policy', join(REPO_ROOT, 'gates', 'default.yaml'), '--results', one],
      dir,
    );
    expect(gated.status).toBe(2);
    expect(gated.stderr).toContain('is one shard of a run (shard.json), not a run: merge the shards first');
    const reported = await runCliInProcess(['report', one], dir);
    expect(reported.status).toBe(2);
    expect(reported.stderr).toContain('merge the shards first');
    rmSync(join(dir, 'refused'), { recursive: true, force: true });
  });

  it('a system that failed in one shard is failed in the merge, naming the shard (exit 2 without a gate)', async () => {
    const [one, two, three] = shards as [string, string, string];
    const broken = join(dir, 'broken-2');
    cpSync(two, broken, { recursive: true });
    const manifest = JSON.parse(read(join(broken, 'shard.json')));
    const [first] = manifest.systems;
    first.summary = { ...first.summary, status: 'failed', error: 'the index went away' };
    delete first.summary.files;
    delete first.figures;
    writeFileSync(join(broken, 'shard.json'), JSON.stringify(manifest));
    const out = join(dir, 'with-failure');
    const result = await runCliInProcess(['merge', one, broken, three, '--out', out, '--no-report'], dir);
    expect(result.status).toBe(2);
    const failed = summaryOf(out).systems[0];
    expect(failed).toMatchObject({ status: 'failed', error: 'shard 2/3: the index went away' });
    expect(failed?.measures).toBeUndefined();
    expect(
      summaryOf(out)
        .systems.slice(1)
        .every((s) => s.status === 'ok'),
    ).toBe(true);
  });

  it('refuses a shard that is not I/N, and a gate on a shard', async () => {
    const config = join(dir, 'sharded', 'retrieval-gate.yaml');
    const bad = await runCliInProcess(
      ['run', '--config', config, '--shard', '4/3', '--reports', join(dir, 'x')],
      dir,
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--shard '4/3' is not a shard");
    const gated = await runCliInProcess(
      [
        'run',
        '--config',
        config,
        '--shard',
        '1/3',
        '--gate',
        'gates/default.yaml',
        '--reports',
        join(dir, 'x'),
      ],
      dir,
    );
    expect(gated.status).toBe(2);
    expect(gated.stderr).toContain('gate the merged run');
  });
});
