import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/results/summary.js';
import { CLI, killCliWhen, REPO_ROOT } from '../helpers/cli.js';
import { closedPort } from '../helpers/ports.js';
import { systemRanking } from '../helpers/results.js';
import { tempDir } from '../helpers/tmp.js';
import { type EmbeddingsServer, startEmbeddingsServer } from '../servers/openai-embeddings-server.js';
import { QdrantTestServer } from '../servers/qdrant-server.js';

/**
 * The live path end to end through the CLI, against local OpenAI-compatible and Qdrant servers: index build
 * (new collection, metadata, alias, resume), run (alias resolved and recorded, compatibility checked, results
 * equal to the embedded exact index over the same vectors), and faults survived with identical results.
 * The CLI runs as a child process (asynchronously: the servers live in this process).
 */

const KEY = 'sk-test-secret-key-1234';
let openai: EmbeddingsServer;
let qdrant: QdrantTestServer;
let dir: string;

async function cli(args: string[], cwd = dir) {
  const result = await execa(process.execPath, [CLI, ...args], {
    cwd,
    reject: false,
    env: { TEST_OPENAI_KEY: KEY },
  });
  return { status: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function config(name: string, dataset: string, models: string, systems: string, cache = 'cache'): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `dataset: ${dataset}
measures: [nDCG@10, R@10, RR]
cacheDir: ${cache}
models:
${models}
indexes:
  docs: { kind: qdrant, url: "${qdrant.url}", collection: docs, batchSize: 8, concurrency: 3, maxRetries: 4 }
  exact: { kind: embedded }
systems:
${systems}
`,
  );
  return file;
}

const model = (alias: string, dimensions: number, version = '1') =>
  `  ${alias}:
    provider: openai
    model: text-embedding-3-small
    version: "${version}"
    url: "${openai.url}"
    dimensions: ${dimensions}
    apiKeyEnv: TEST_OPENAI_KEY
    pricePer1MTokens: 0.02
    limits: { concurrency: 2 }
`;

const LIVE_SYSTEM = '  - { id: live, model: small, index: docs }';

/** `index build` of model 'small' into index 'docs' as `collection`, with extra flags. */
function indexBuild(configFile: string, collection: string, ...flags: string[]) {
  return cli([
    'index',
    'build',
    '--config',
    configFile,
    '--model',
    'small',
    '--index',
    'docs',
    '--collection',
    collection,
    '--quiet',
    ...flags,
  ]);
}

/** A config of the example dataset with the single live system and an index built and aliased for it. */
async function builtLiveConfig(name: string, collection: string): Promise<string> {
  const file = config(name, 'bike-repair@1.0.0', model('small', 64), LIVE_SYSTEM);
  const built = await indexBuild(file, collection, '--alias', 'docs');
  expect(built.status, built.stderr).toBe(0);
  return file;
}

function summaryOf(reports: string, runId: string): RunSummary {
  return JSON.parse(readFileSync(join(reports, runId, 'summary.json'), 'utf8')) as RunSummary;
}

function runFile(reports: string, runId: string, system: string): string {
  return readFileSync(join(reports, runId, 'systems', system, 'run.trec'), 'utf8');
}

beforeAll(async () => {
  openai = await startEmbeddingsServer({ apiKey: KEY });
  qdrant = await QdrantTestServer.start();
  dir = tempDir();
  // The example dataset without one relevant document: a collection built from it lacks d025.
  const partial = join(dir, 'bike-partial');
  cpSync(join(REPO_ROOT, 'datasets/bike-repair/1.0.0'), partial, { recursive: true });
  rmSync(join(partial, 'manifest.json'));
  rmSync(join(partial, 'runs'), { recursive: true, force: true });
  const corpus = readFileSync(join(partial, 'corpus.jsonl'), 'utf8').split('\n');
  writeFileSync(join(partial, 'corpus.jsonl'), corpus.filter((line) => !line.includes('"d025"')).join('\n'));
  const sealed = await cli(['dataset', 'seal', partial, '--name', 'bike-repair', '--version', 'partial']);
  expect(sealed.stderr).not.toMatch(/error/);
}, 60_000);

afterAll(async () => {
  await openai?.close();
  await qdrant?.close();
});

describe('index build and run against live services (local servers)', () => {
  it('builds a collection, resumes it, records metadata and the alias; runs equal the embedded exact index', async () => {
    const partialConfig = config('partial.yaml', 'bike-partial', model('small', 64), LIVE_SYSTEM);
    const full = config(
      'full.yaml',
      'bike-repair@1.0.0',
      model('small', 64),
      '  - { id: live, model: small, index: docs }\n  - { id: local, model: small, index: exact }',
    );

    // A build from the partial corpus, then the full one into the same collection: only d025 is new.
    const first = await indexBuild(partialConfig, 'bike_small_1');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/247 documents: 247 written/);
    const second = await indexBuild(full, 'bike_small_1', '--alias', 'docs', '--json');
    expect(second.status, second.stderr).toBe(0);
    const record = JSON.parse(second.stdout);
    expect(record).toMatchObject({ documents: 248, written: 1, unchanged: 247, embeddingCalls: 1 });
    expect(second.stderr).toMatch(/alias docs → bike_small_1/);
    expect(readdirSync(join(dir, 'reports', 'index-builds')).length).toBe(2);
    const again = await indexBuild(full, 'bike_small_1', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({
      written: 0,
      unchanged: 248,
      embeddingCalls: 0,
      tokens: 0,
    });
    // Every document text was embedded once over the three builds.
    expect(Math.max(...openai.stats.embedCounts.values())).toBe(1);

    const run = await cli(['run', '--config', full, '--run-id', 'r1', '--quiet', '--no-report']);
    expect(run.status, run.stderr).toBe(0);
    const summary = summaryOf(join(dir, 'reports'), 'r1');
    const [live, local] = summary.systems;
    expect(live?.description.index).toEqual({ alias: 'docs', kind: 'qdrant', resolved: 'bike_small_1' });
    expect(live?.indexCheck?.collection).toMatchObject({
      alias: 'docs',
      collection: 'bike_small_1',
      size: 64,
      distance: 'cosine',
      points: 248,
    });
    expect(live?.indexCheck?.collection.metadata).toMatchObject({
      modelAlias: 'small',
      providerModel: 'text-embedding-3-small',
      modelVersion: '1',
      dimensions: 64,
      status: 'ready',
      dataset: { name: 'bike-repair', version: '1.0.0' }, // the last build (resumed from the full corpus)
    });
    expect(live?.indexCheck?.compatibility).toEqual({ problems: [], warnings: [], overridden: false });
    expect(live?.indexCheck?.missingRelevant).toMatchObject({ missing: [] });
    expect(systemRanking(join(dir, 'reports'), 'r1', 'live')).toBe(
      systemRanking(join(dir, 'reports'), 'r1', 'local'),
    );
    expect(live?.measures?.['nDCG@10']?.value).toBeCloseTo(
      local?.measures?.['nDCG@10']?.value ?? Number.NaN,
      10,
    );
    // Queries were embedded once for both systems, and the embedded index read the corpus from the cache.
    expect(live?.embeddingCalls?.query).toBeGreaterThan(0);
    expect(local?.embeddingCalls).toEqual({ query: 0, indexBuild: 0 });
    expect(Math.max(...openai.stats.embedCounts.values())).toBe(1);
    expect(live?.batchSizes?.search).toEqual([1, 8]);
    expect(JSON.stringify(summary)).not.toContain(KEY);
  });

  it('lists judged-relevant documents the collection lacks, and the gate coverage rule sees them', async () => {
    const partialConfig = config('partial2.yaml', 'bike-partial', model('small', 64), LIVE_SYSTEM);
    const built = await indexBuild(partialConfig, 'partial_small', '--alias', 'docs');
    expect(built.status, built.stderr).toBe(0);
    const full = config('full2.yaml', 'bike-repair@1.0.0', model('small', 64), LIVE_SYSTEM);
    const run = await cli(['run', '--config', full, '--run-id', 'r2', '--quiet', '--no-report']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/partial_small .*lacks 1 judged-relevant documents .*: d025/);
    const live = summaryOf(join(dir, 'reports'), 'r2').systems[0];
    expect(live?.indexCheck?.missingRelevant.missing).toEqual(['d025']);
    expect(live?.indexCheck?.missingRelevant.relevant).toBeGreaterThan(100);
    const policy = join(dir, 'coverage.yaml');
    writeFileSync(policy, 'rules:\n  - { kind: coverage, maxMissingRelevant: 0 }\n');
    const gate = await cli([
      'gate',
      '--policy',
      policy,
      '--results',
      join(dir, 'reports', 'r2'),
      '--out',
      join(dir, 'gate-r2'),
    ]);
    expect(gate.status, gate.stderr + gate.stdout).toBe(1);
    expect(gate.stdout).toMatch(/d025/);
  });

  it('stops a system whose model does not fit the collection (exit 2) unless --allow-incompatible', async () => {
    await builtLiveConfig('build3.yaml', 'full_small');
    const mismatched = config(
      'mismatch.yaml',
      'bike-repair@1.0.0',
      model('narrow', 32) + model('newer', 64, '2'),
      '  - { id: narrow, model: narrow, index: docs }\n  - { id: newer, model: newer, index: docs }',
    );
    const refused = await cli(['run', '--config', mismatched, '--run-id', 'r3', '--quiet', '--no-report']);
    expect(refused.status).toBe(2);
    const [narrow, newer] = summaryOf(join(dir, 'reports'), 'r3').systems;
    expect(narrow).toMatchObject({ status: 'failed' });
    expect(narrow?.error).toMatch(/holds 64-dimensional vectors; model 'narrow' makes 32/);
    expect(newer?.error).toMatch(
      /built with text-embedding-3-small version 1; model 'newer' is version 2 .*--allow-incompatible/,
    );

    const allowed = await cli([
      'run',
      '--config',
      mismatched,
      '--run-id',
      'r4',
      '--quiet',
      '--no-report',
      '--allow-incompatible',
    ]);
    const [narrow4, newer4] = summaryOf(join(dir, 'reports'), 'r4').systems;
    expect(narrow4?.status).toBe('failed'); // vectors of another size cannot be searched at all
    expect(newer4?.status).toBe('ok');
    expect(newer4?.indexCheck?.compatibility.overridden).toBe(true);
    expect(allowed.status).toBe(2);
  });

  it('survives injected faults on both services with results identical to a clean run', async () => {
    await builtLiveConfig('build5.yaml', 'faults_small');
    // Fresh caches, so the queries are embedded again (through the faults).
    const clean = config('clean.yaml', 'bike-repair@1.0.0', model('small', 64), LIVE_SYSTEM, 'cache-clean');
    const cleanRun = await cli(['run', '--config', clean, '--run-id', 'clean', '--quiet', '--no-report']);
    expect(cleanRun.status, cleanRun.stderr).toBe(0);

    const faultyConfig = config(
      'faulty.yaml',
      'bike-repair@1.0.0',
      model('small', 64),
      LIVE_SYSTEM,
      'cache-faulty',
    );
    openai.inject({ status: 429, retryAfterMs: 30 }, 1);
    openai.inject('reset', 1);
    openai.inject({ status: 500 }, 1);
    qdrant.failNext(2, 503, { endpoint: 'POST /collections/{collection_name}/points/query/batch' });
    qdrant.resetNext(1, 'POST /collections/{collection_name}/points/query/batch');
    const faulty = await cli([
      'run',
      '--config',
      faultyConfig,
      '--run-id',
      'faulty',
      '--quiet',
      '--no-report',
    ]);
    expect(faulty.status, faulty.stderr).toBe(0);
    const reports = join(dir, 'reports');
    expect(runFile(reports, 'faulty', 'live')).toBe(runFile(reports, 'clean', 'live'));
    const measured = summaryOf(reports, 'faulty').systems[0];
    expect(measured?.retries?.embed).toBeGreaterThanOrEqual(3);
    expect(measured?.retries?.search).toBe(3);
  });

  it('resumes an index build killed with SIGKILL: nothing stored twice, the rest written, embeddings reused', async () => {
    const file = config('killed.yaml', 'bike-repair@1.0.0', model('small', 64), LIVE_SYSTEM, 'cache-killed');
    const upserts = () => qdrant.count('PUT /collections/{collection_name}/points');
    const before = upserts();
    // Slow upserts: the build is still writing when it is killed.
    qdrant.latencyMs = 150;
    const killed = await killCliWhen(
      [
        'index',
        'build',
        '--config',
        file,
        '--model',
        'small',
        '--index',
        'docs',
        '--collection',
        'killed_small',
        '--quiet',
        '--batch-size',
        '64',
        '--parallel',
        '2',
      ],
      { cwd: dir, env: { TEST_OPENAI_KEY: KEY }, ready: () => upserts() >= before + 1 },
    );
    expect(killed, 'the build ended before its first upsert').toBe(true);
    qdrant.latencyMs = 0;
    const resumed = await indexBuild(file, 'killed_small', '--json');
    expect(resumed.status, resumed.stderr).toBe(0);
    const record = JSON.parse(resumed.stdout);
    expect(record.unchanged).toBeGreaterThanOrEqual(64);
    expect(record.unchanged + record.written).toBe(248);
    expect(record.embeddingCalls).toBe(0); // every vector was cached before the first upsert
  });

  it('index build: refuses what it cannot build (exit 2), and fills the embedded index from any defined model', async () => {
    const file = config(
      'misc.yaml',
      'bike-repair@1.0.0',
      model('small', 64) + model('spare', 32),
      LIVE_SYSTEM,
      'cache-misc',
    );
    const unknown = await cli(['index', 'build', '--config', file, '--model', 'nope', '--index', 'docs']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no model 'nope' in .*misc.yaml \(it defines: small, spare\)/);
    const batch = await cli([
      'index',
      'build',
      '--config',
      file,
      '--model',
      'small',
      '--index',
      'docs',
      '--batch-size',
      '1000',
    ]);
    expect(batch.status).toBe(2);
    expect(batch.stderr).toMatch(/--batch-size must be an integer from 64 to 256, got 1000/);
    // 'spare' is used by no system and 'exact' by none either: both may still be built.
    const buildSpare = () =>
      cli(['index', 'build', '--config', file, '--model', 'spare', '--index', 'exact', '--quiet', '--json']);
    const embedded = await buildSpare();
    expect(embedded.status, embedded.stderr).toBe(0);
    expect(JSON.parse(embedded.stdout)).toMatchObject({
      documents: 248,
      written: 248,
      model: { alias: 'spare', dimensions: 32 },
    });
    const again = await buildSpare();
    expect(JSON.parse(again.stdout)).toMatchObject({ fromCache: 248, embeddingCalls: 0 });
  });

  it('index build against an unreachable model server exits 2, naming the url and what to check', async () => {
    const closed = await closedPort();
    const unreachable = `http://127.0.0.1:${closed}/v1`;
    const file = config(
      'unreachable.yaml',
      'bike-repair@1.0.0',
      model('small', 64).replace(`url: "${openai.url}"`, `url: "${unreachable}"\n    maxRetries: 0`),
      LIVE_SYSTEM,
      'cache-unreachable',
    );
    const build = await cli([
      'index',
      'build',
      '--config',
      file,
      '--model',
      'small',
      '--index',
      'exact',
      '--quiet',
    ]);
    expect(build.status, build.stderr).toBe(2);
    expect(build.stderr).not.toMatch(/internal error/);
    expect(build.stderr).toContain(`at ${unreachable}: connection failed (ECONNREFUSED)`);
    expect(build.stderr).toContain(`check that the embedding server is running at ${unreachable}`);
    expect(build.stderr).not.toContain(KEY);
  });

  it('fails the system, never reporting a partial run, when a service stays down', async () => {
    writeFileSync(
      join(dir, 'down.yaml'),
      readFileSync(join(dir, 'clean.yaml'), 'utf8').replace('maxRetries: 4', 'maxRetries: 1'),
    );
    qdrant.failNext(6, 503, { endpoint: 'POST /collections/{collection_name}/points/query/batch' });
    const down = await cli([
      'run',
      '--config',
      join(dir, 'down.yaml'),
      '--run-id',
      'down',
      '--quiet',
      '--no-report',
    ]);
    expect(down.status).toBe(2);
    const live = summaryOf(join(dir, 'reports'), 'down').systems[0];
    expect(live?.status).toBe('failed');
    expect(live?.error).toMatch(/HTTP 503/);
    expect(live?.measures).toBeUndefined();
    expect(existsSync(join(dir, 'reports', 'down', 'systems', 'live', 'run.trec'))).toBe(false);
  });
});
