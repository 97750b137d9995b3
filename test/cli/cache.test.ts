import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CacheStats, NamespaceStats, PruneReport } from '../../src/retrieve/cache/maintenance.js';
import { REPO_ROOT, runCli, runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const VECTOR_CACHE = join(REPO_ROOT, 'dist', 'src', 'retrieve', 'cache', 'vector-cache.js');
const HASHING = join(REPO_ROOT, 'dist', 'src', 'retrieve', 'providers', 'embedders', 'hashing.js');

/** Embeds texts "text <from>" … "text <to - 1>" in another process (gone when this returns); its calls. */
function populate(cacheDir: string, dimensions: number, from: number, to: number): number {
  if (!existsSync(VECTOR_CACHE)) throw new Error(`${VECTOR_CACHE} is missing: run 'npm run build'`);
  const script = [
    `import { embedAll } from ${JSON.stringify(pathToFileURL(VECTOR_CACHE).href)};`,
    `import { HashingEmbedder } from ${JSON.stringify(pathToFileURL(HASHING).href)};`,
    `const embedder = new HashingEmbedder({ dimensions: ${dimensions}, batchSize: 4 });`,
    `const texts = Array.from({ length: ${to - from} }, (_, i) => 'text ' + (${from} + i));`,
    `const result = await embedAll({ embedder, texts, purpose: 'index-build', cacheDir: ${JSON.stringify(cacheDir)} });`,
    'process.stdout.write(String(result.calls));',
  ].join('\n');
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return Number(child.stdout);
}

/** The pid of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid as number;
}

async function stats(cacheDir: string): Promise<CacheStats> {
  const result = await runCliInProcess(['cache', 'stats', '--cache-dir', cacheDir, '--json']);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as CacheStats;
}

function namespace(cacheStats: CacheStats, dimensions: number): NamespaceStats {
  const found = cacheStats.namespaces.find((n) => n.dimensions === dimensions);
  if (!found) throw new Error(`no namespace of ${dimensions} dimensions`);
  return found;
}

function segments(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith('seg-'));
}

/** Every file under a folder with its size: what a dry run must leave as it was. */
function listing(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((name) => `${name} ${statSync(join(dir, name)).size}`)
    .sort();
}

/**
 * A cache with a 16-dimension namespace of 40 texts in two segments plus a copy of one (duplicates), an
 * 8-dimension namespace of 10 texts whose last record is torn, and a legacy chunk cache.
 */
function damagedCache(): { cacheDir: string; ns16: string; ns8: string } {
  const cacheDir = join(tempDir(), 'cache');
  expect(populate(cacheDir, 16, 0, 30)).toBe(8);
  expect(populate(cacheDir, 16, 20, 40)).toBe(3);
  expect(populate(cacheDir, 8, 0, 10)).toBe(3);
  const root = join(cacheDir, 'embeddings');
  const ns16 = folderOf(cacheDir, 16);
  const ns8 = folderOf(cacheDir, 8);
  const dir16 = join(root, ns16);
  const first = segments(dir16)[0] as string;
  copyFileSync(join(dir16, first), join(dir16, `seg-${deadPid()}-0123abcd.log`));
  const dir8 = join(root, ns8);
  const segment8 = join(dir8, segments(dir8)[0] as string);
  truncateSync(segment8, statSync(segment8).size - 5);
  mkdirSync(join(cacheDir, 'vectors', 'hashing', 'abc'), { recursive: true });
  writeFileSync(join(cacheDir, 'vectors', 'hashing', 'abc', 'chunk-000000.f32'), Buffer.alloc(1000));
  return { cacheDir, ns16, ns8 };
}

/** The namespace folder of the hashing embedder with these dimensions. */
function folderOf(cacheDir: string, dimensions: number): string {
  const root = join(cacheDir, 'embeddings');
  const found = readdirSync(root).find(
    (name) => JSON.parse(readFileSync(join(root, name, 'namespace.json'), 'utf8')).dimensions === dimensions,
  );
  if (!found) throw new Error(`no namespace of ${dimensions} dimensions in ${root}`);
  return found;
}

describe('retrieval-gate cache stats', () => {
  it('reports each namespace: entries, size, segments, damaged and torn records; the legacy cache; totals', async () => {
    const { cacheDir, ns16, ns8 } = damagedCache();
    const json = await stats(cacheDir);
    expect(json.schemaVersion).toBe(1);
    expect(namespace(json, 16)).toMatchObject({
      name: ns16,
      id: 'hashing/word-char-ngrams',
      version: '1',
      entries: 40,
      records: 70,
      duplicates: 30,
      damaged: 0,
      torn: 0,
      segments: 3,
      liveSegments: 0,
    });
    expect(namespace(json, 8)).toMatchObject({ name: ns8, entries: 9, records: 9, torn: 1, segments: 1 });
    expect(namespace(json, 8).lastWrite).not.toBeNull();
    expect(json.legacy).toMatchObject({ bytes: 1000, files: 1 });
    expect(json.totals).toMatchObject({ namespaces: 2, entries: 49, segments: 4 });

    const text = await runCliInProcess(['cache', 'stats', '--cache-dir', cacheDir]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(ns16);
    expect(text.stdout).toMatch(/^namespace\s+embedder\s+version\s+dims\s+entries/m);
    expect(text.stdout).toContain('total: 2 namespaces, 49 entries');
    expect(text.stdout).toContain('legacy chunk cache (no longer read)');
    expect(text.stdout).toContain('`retrieval-gate cache prune` drops them');
  });

  it('finds a flipped byte with --verify', async () => {
    const cacheDir = join(tempDir(), 'cache');
    populate(cacheDir, 8, 0, 4);
    const dir = join(cacheDir, 'embeddings', readdirSync(join(cacheDir, 'embeddings'))[0] as string);
    const file = join(dir, segments(dir)[0] as string);
    const bytes = readFileSync(file);
    bytes[60] = (bytes[60] as number) ^ 1;
    writeFileSync(file, bytes);
    expect(namespace(await stats(cacheDir), 8).damaged).toBe(0); // headers only
    const verified = await runCliInProcess(['cache', 'stats', '--cache-dir', cacheDir, '--json', '--verify']);
    expect(namespace(JSON.parse(verified.stdout) as CacheStats, 8)).toMatchObject({ damaged: 1, entries: 3 });
  });

  it('takes the cache folder from a run config (no API key needed), and says when there is no cache', async () => {
    const dir = tempDir();
    const config = join(dir, 'retrieval-gate.yaml');
    writeFileSync(
      config,
      [
        'dataset: somewhere',
        'cacheDir: my-cache',
        'models:',
        '  te3: { provider: openai, model: text-embedding-3-small, dimensions: 8, apiKeyEnv: RG_TEST_UNSET_KEY }',
        'indexes:',
        '  exact: { kind: embedded, distance: cosine }',
        'systems:',
        '  - { id: s, model: te3, index: exact }',
        '',
      ].join('\n'),
    );
    const empty = await runCliInProcess(['cache', 'stats', '--config', config]);
    expect(empty.status).toBe(0);
    expect(empty.stdout).toBe(`${join(dir, 'my-cache')} does not exist\n`);
    populate(join(dir, 'my-cache'), 8, 0, 3);
    const json = JSON.parse(
      (await runCliInProcess(['cache', 'stats', '--config', config, '--json'])).stdout,
    ) as CacheStats;
    expect(json.totals).toMatchObject({ namespaces: 1, entries: 3 });
  });

  it('refuses --cache-dir with --config, and a bad --older-than (exit 2)', async () => {
    const both = await runCliInProcess(['cache', 'stats', '--cache-dir', 'a', '--config', 'b.yaml']);
    expect(both.status).toBe(2);
    expect(both.stderr).toBe('retrieval-gate: give --cache-dir or --config, not both\n');
    const age = await runCliInProcess(['cache', 'prune', '--older-than', '3 weeks']);
    expect(age.status).toBe(2);
    expect(age.stderr).toContain('takes a number and a unit: m, h, d or w');
  });
});

/**
 * Prunes run as processes of their own, as in use: a compacted segment is named after the process that wrote
 * it, which must be gone for the next prune to see the segment finished (and a live writer must be another
 * process than the pruner).
 */
describe('retrieval-gate cache prune', () => {
  it('with --dry-run changes nothing; then compacts, removes the legacy cache, and keeps every vector', async () => {
    const { cacheDir, ns16, ns8 } = damagedCache();
    const before = listing(cacheDir);
    const dry = runCli(['cache', 'prune', '--cache-dir', cacheDir, '--dry-run']);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain(`would compact ${ns16}: 3 segments → 1, 40 entries kept, 30`);
    expect(dry.stdout).toContain(`would compact ${ns8}: 1 segments → 1, 9 entries kept`);
    expect(dry.stdout).toContain('would remove vectors (legacy)');
    expect(dry.stdout).toMatch(/would free \d/);
    expect(listing(cacheDir)).toEqual(before);

    const pruned = runCli(['cache', 'prune', '--cache-dir', cacheDir, '--json']);
    expect(pruned.status).toBe(0);
    const report = JSON.parse(pruned.stdout) as PruneReport;
    expect(report.actions.map((a) => [a.name, a.action])).toEqual([
      [ns8, 'compacted'],
      [ns16, 'compacted'],
      ['vectors (legacy)', 'removed'],
    ]);
    expect(report.bytesFreed).toBe(report.actions.reduce((sum, a) => sum + a.bytesFreed, 0));

    const after = await stats(cacheDir);
    expect(namespace(after, 16)).toMatchObject({ entries: 40, records: 40, duplicates: 0, segments: 1 });
    expect(namespace(after, 8)).toMatchObject({ entries: 9, records: 9, torn: 0, segments: 1 });
    expect(after.legacy).toBeNull();
    expect(existsSync(join(cacheDir, 'embeddings', ns16, 'prune.lock'))).toBe(false);
    // Nothing served before is lost; the torn text is embedded again.
    expect(populate(cacheDir, 16, 0, 40)).toBe(0);
    expect(populate(cacheDir, 8, 0, 10)).toBe(1);

    const again = runCli(['cache', 'prune', '--cache-dir', cacheDir]);
    expect(again.stdout).toContain(`compacted ${ns8}: 2 segments → 1`);
    expect(again.stdout).not.toContain(ns16);
  });

  it('--older-than removes namespaces unused for that long; --namespace removes one by name', () => {
    const cacheDir = join(tempDir(), 'cache');
    populate(cacheDir, 16, 0, 8);
    populate(cacheDir, 8, 0, 8);
    const root = join(cacheDir, 'embeddings');
    const old = folderOf(cacheDir, 8);
    const recent = folderOf(cacheDir, 16);
    const longAgo = new Date(Date.now() - 60 * 86_400_000);
    for (const name of readdirSync(join(root, old))) utimesSync(join(root, old, name), longAgo, longAgo);

    const pruned = runCli(['cache', 'prune', '--cache-dir', cacheDir, '--older-than', '30d']);
    expect(pruned.status).toBe(0);
    expect(pruned.stdout).toMatch(
      new RegExp(`^removed ${old}: unused since ${longAgo.toISOString().slice(0, 10)}`, 'm'),
    );
    expect(readdirSync(root)).toEqual([recent]);

    const named = runCli([
      'cache',
      'prune',
      '--cache-dir',
      cacheDir,
      '--namespace',
      recent,
      '--namespace',
      'nope',
    ]);
    expect(named.stdout).toContain('skipped nope: no such namespace');
    expect(named.stdout).toContain(`removed ${recent}: named`);
    expect(readdirSync(root)).toEqual([]);
  });

  it('never removes or compacts what a running process writes, nor works beside another prune', () => {
    const cacheDir = join(tempDir(), 'cache');
    populate(cacheDir, 8, 0, 8);
    populate(cacheDir, 8, 8, 16);
    const name = readdirSync(join(cacheDir, 'embeddings'))[0] as string;
    const dir = join(cacheDir, 'embeddings', name);
    // This test's process is alive: a segment named after it is being written.
    const live = `seg-${process.pid}-00aa11bb.log`;
    copyFileSync(join(dir, segments(dir)[0] as string), join(dir, live));

    const removal = runCli(['cache', 'prune', '--cache-dir', cacheDir, '--namespace', name]);
    expect(removal.stdout).toContain(`skipped ${name}: named, but process ${process.pid} is writing to it`);
    const compaction = runCli(['cache', 'prune', '--cache-dir', cacheDir]);
    expect(compaction.stdout).toContain(`compacted ${name}: 2 segments → 1`);
    expect(segments(dir)).toContain(live);
    expect(segments(dir)).toHaveLength(2);

    writeFileSync(join(dir, 'prune.lock'), `${process.pid}\n`);
    const locked = runCli(['cache', 'prune', '--cache-dir', cacheDir, '--namespace', name]);
    expect(locked.stdout).toContain(`skipped ${name}: another prune (pid ${process.pid}) is working on it`);

    // A lock left by a prune that died is taken over.
    writeFileSync(join(dir, 'prune.lock'), `${deadPid()}\n`);
    writeFileSync(join(dir, `compact.${deadPid()}.0badf00d.tmp`), 'partial');
    const unlocked = runCli(['cache', 'prune', '--cache-dir', cacheDir]);
    expect(unlocked.stdout).toContain(`compacted ${name}: removed temporary files of dead processes`);
    expect(readdirSync(dir).sort()).toEqual(['namespace.json', ...segments(dir)].sort());
  });
});
