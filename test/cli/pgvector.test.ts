import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/results/summary.js';
import { killCliWhen, runCliInProcess } from '../helpers/cli.js';
import { systemRanking } from '../helpers/results.js';
import { buildWholeAndSharded } from '../helpers/sharded-build.js';
import { tempDir } from '../helpers/tmp.js';
import { type EmbeddingsServer, startEmbeddingsServer } from '../servers/openai-embeddings-server.js';

/**
 * `index build` into an embedded pgvector table and `run` against it, through the CLI: the build record,
 * resumption, refusals, the compatibility check in summary.json, and a build killed with SIGKILL resumed
 * to the same table as an uninterrupted build, with no text embedded twice.
 */

const KEY = 'sk-test-secret-key-5678';
/**
 * After the vectors are cached, the rows take ~150 ms per insert of 64 × 1024 here: 200 ms lands mid-write.
 * Shorter delays are the fallbacks for a machine that finishes sooner.
 */
const KILL_AFTER_MS = [200, 60, 0];
let openai: EmbeddingsServer;
let dir: string;

const model = (alias: string, dimensions: number) => `  ${alias}:
    provider: openai
    model: text-embedding-3-small
    version: "1"
    url: "${openai.url}"
    dimensions: ${dimensions}
    apiKeyEnv: TEST_OPENAI_KEY
    limits: { concurrency: 2 }
`;

function config(
  name: string,
  indexes: string,
  systems = '  - { id: pg, model: small, index: pg }',
  cache = 'cache',
) {
  const file = join(dir, name);
  writeFileSync(
    file,
    `dataset: bike-repair@1.0.0
measures: [nDCG@10, R@10]
cacheDir: ${cache}
models:
${model('small', 64)}${model('narrow', 32)}${model('wide', 1024)}indexes:
${indexes}
  exact: { kind: embedded }
systems:
${systems}
`,
  );
  return file;
}

const cli = (args: string[]) => runCliInProcess(args, dir, { TEST_OPENAI_KEY: KEY });

const build = (file: string, modelAlias = 'small', index = 'pg') =>
  cli(['index', 'build', '--config', file, '--model', modelAlias, '--index', index, '--quiet', '--json']);

/** Every row of a table, in id order: what two builds must agree on. */
async function tableRows(dataDir: string, table: string): Promise<unknown[]> {
  const db = await PGlite.create({ dataDir, extensions: { vector } });
  try {
    return (await db.query(`SELECT id, embedding::text, content_sha256 FROM ${table} ORDER BY id`)).rows;
  } finally {
    await db.close();
  }
}

/** Bytes under a folder (the embedding cache), 0 while it does not exist. */
function cachedBytes(folder: string): number {
  if (!existsSync(folder)) return 0;
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

beforeAll(async () => {
  openai = await startEmbeddingsServer({ apiKey: KEY });
  dir = tempDir();
});

afterAll(async () => {
  await openai?.close();
});

describe('pgvector through the CLI (embedded PGlite)', () => {
  it('index build writes the table, its HNSW index and build record; resumes; run checks and searches it', async () => {
    const file = config(
      'build.yaml',
      '  pg: { kind: pgvector, table: docs, dataDir: .pgvector, ann: { type: hnsw, m: 8, efConstruction: 32 } }\n' +
        '  pg-exact: { kind: pgvector, table: docs, dataDir: .pgvector, exact: true }',
      '  - { id: pg, model: small, index: pg }\n  - { id: pg-exact, model: small, index: pg-exact }\n  - { id: local, model: small, index: exact }',
    );
    const first = await build(file);
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ documents: 248, written: 248, unchanged: 0 });
    expect(first.stderr).toMatch(/pgvector table docs \(pglite \.pgvector\): ready/);
    const again = await build(file);
    expect(JSON.parse(again.stdout)).toMatchObject({ written: 0, unchanged: 248, embeddingCalls: 0 });

    const run = await cli(['run', '--config', file, '--run-id', 'r1', '--quiet', '--no-report']);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(
      readFileSync(join(dir, 'reports', 'r1', 'summary.json'), 'utf8'),
    ) as RunSummary;
    const [pg, exact] = summary.systems;
    expect(pg?.description.index).toEqual({
      alias: 'pg',
      kind: 'pgvector',
      resolved: 'docs@pglite .pgvector',
    });
    expect(pg?.indexCheck?.collection).toMatchObject({
      collection: 'docs',
      size: 64,
      distance: 'cosine',
      points: 248,
    });
    expect(pg?.indexCheck?.collection.metadata).toMatchObject({
      modelAlias: 'small',
      providerModel: 'text-embedding-3-small',
      dimensions: 64,
      status: 'ready',
      dataset: { name: 'bike-repair', version: '1.0.0' },
      ann: { type: 'hnsw', m: 8, efConstruction: 32, name: 'docs_hnsw' },
    });
    expect(pg?.indexCheck?.collection.metadata?.ann).toMatchObject({
      sizeBytes: expect.any(Number),
      seconds: expect.any(Number),
    });
    expect(pg?.indexCheck?.collection.metadata?.sizeBytes).toBeGreaterThan(0);
    expect(pg?.indexCheck?.ann).toMatchObject({ type: 'hnsw', params: { m: 8, efConstruction: 32 } });
    expect(pg?.indexCheck?.compatibility).toEqual({ problems: [], warnings: [], overridden: false });
    expect(pg?.indexCheck?.missingRelevant).toMatchObject({ missing: [] });
    expect(systemRanking(join(dir, 'reports'), 'r1', 'pg-exact')).toBe(
      systemRanking(join(dir, 'reports'), 'r1', 'local'),
    );
    expect(exact?.measures?.['nDCG@10']?.value).toBeCloseTo(
      summary.systems[2]?.measures?.['nDCG@10']?.value ?? 0,
      10,
    );
    expect(Math.max(...openai.stats.embedCounts.values())).toBe(1);
  });

  it('refuses a model of another dimension, a table it did not build, and ANN parameters pgvector rejects (exit 2)', async () => {
    const file = config(
      'refuse.yaml',
      '  pg: { kind: pgvector, table: docs, dataDir: .pgvector }\n' +
        '  bad: { kind: pgvector, table: bad_ann, dataDir: .pgvector, ann: { type: hnsw, m: 16, efConstruction: 8 } }',
    );
    const narrow = await build(file, 'narrow');
    expect(narrow.status).toBe(2);
    expect(narrow.stderr).toMatch(
      /cannot resume into a table built for something else: .*holds 64-dimensional vectors; model 'narrow' makes 32/,
    );
    const rejected = await build(file, 'small', 'bad');
    expect(rejected.status).toBe(2);
    expect(rejected.stderr).toMatch(
      /refuse\.yaml: field 'indexes\.bad\.ann': pgvector refused the hnsw parameters: .*ef_construction/,
    );
    // The rows are there but the record says the build did not finish: a run is warned.
    const run = await cli([
      'run',
      '--config',
      config('warned.yaml', '  pg: { kind: pgvector, table: bad_ann, dataDir: .pgvector }'),
      '--run-id',
      'r2',
      '--quiet',
      '--no-report',
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/bad_ann .*its index build has not finished/);
    const missing = await cli([
      'run',
      '--config',
      config('missing.yaml', '  pg: { kind: pgvector, table: dosc, dataDir: .pgvector }'),
      '--run-id',
      'r3',
      '--quiet',
      '--no-report',
    ]);
    expect(missing.status).toBe(2);
    const failed = JSON.parse(readFileSync(join(dir, 'reports', 'r3', 'summary.json'), 'utf8')) as RunSummary;
    expect(failed.systems[0]?.error).toMatch(
      /pglite .pgvector has no table dosc; tables with a vector column: bad_ann, docs/,
    );
  });

  it('a run through a view searches the table behind it and records both; index build into a view is refused', async () => {
    const db = await PGlite.create({ dataDir: join(dir, '.pgvector'), extensions: { vector } });
    await db.exec('CREATE OR REPLACE VIEW docs_live AS SELECT * FROM docs');
    await db.close();
    const file = config('view.yaml', '  pg: { kind: pgvector, table: docs_live, dataDir: .pgvector }');
    const run = await cli(['run', '--config', file, '--run-id', 'r-view', '--quiet', '--no-report']);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(
      readFileSync(join(dir, 'reports', 'r-view', 'summary.json'), 'utf8'),
    ) as RunSummary;
    const [pg] = summary.systems;
    expect(pg?.description.index.resolved).toBe('docs@pglite .pgvector (alias docs_live)');
    expect(pg?.indexCheck?.collection).toMatchObject({ alias: 'docs_live', collection: 'docs', points: 248 });
    expect(pg?.indexCheck?.collection.metadata).toMatchObject({ modelAlias: 'small', status: 'ready' });
    const refused = await build(file);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      /docs_live is a view \(an alias of table docs\): index build writes a table, never through an alias/,
    );
  });

  it('resumes an index build killed with SIGKILL to the same table as an uninterrupted build, nothing embedded twice', async () => {
    // The kill must land before the build ends: on a machine fast enough to finish within the delay, the
    // attempt is made again, on a fresh table and cache, with a shorter delay.
    let attempt = 0;
    let file = '';
    for (const delayMs of KILL_AFTER_MS) {
      attempt++;
      file = config(
        `killed-${attempt}.yaml`,
        `  pg: { kind: pgvector, table: killed, dataDir: .pg-killed-${attempt} }`,
        undefined,
        `cache-killed-${attempt}`,
      );
      if (await killMidBuild(file, join(dir, `cache-killed-${attempt}`), delayMs)) break;
      if (delayMs === KILL_AFTER_MS.at(-1)) throw new Error('every build ended before it was killed');
    }
    const embeddedBefore = new Map(openai.stats.embedCounts);

    const resumed = await build(file, 'wide');
    expect(resumed.status, resumed.stderr).toBe(0);
    const record = JSON.parse(resumed.stdout);
    expect(record.unchanged + record.written).toBe(248);
    expect(record.embeddingCalls).toBe(0);
    expect(openai.stats.embedCounts).toEqual(embeddedBefore);

    const clean = config(
      'clean.yaml',
      '  pg: { kind: pgvector, table: killed, dataDir: .pg-clean }',
      undefined,
      `cache-killed-${attempt}`,
    );
    expect((await build(clean, 'wide')).status).toBe(0);
    const rows = await tableRows(join(dir, `.pg-killed-${attempt}`), 'killed');
    expect(rows).toHaveLength(248);
    expect(rows).toEqual(await tableRows(join(dir, '.pg-clean'), 'killed'));
  });
});

/**
 * Runs `index build` of the wide model in a child process and kills it with SIGKILL `delayMs` after the
 * corpus's vectors are in the cache (while the rows are being written); false when it ended first.
 */
function killMidBuild(file: string, cacheDir: string, delayMs: number): Promise<boolean> {
  return killCliWhen(
    [
      'index',
      'build',
      '--config',
      file,
      '--model',
      'wide',
      '--index',
      'pg',
      '--quiet',
      '--batch-size',
      '64',
      '--parallel',
      '2',
    ],
    {
      cwd: dir,
      env: { TEST_OPENAI_KEY: KEY },
      ready: () => cachedBytes(cacheDir) >= 248 * 1024 * 4,
      afterMs: delayMs,
    },
  );
}

describe('index build --shard I/N, then --finish, into embedded pgvector', () => {
  // PGlite is a single writer: the shards of an embedded table run one after another (Qdrant's side by side).
  it('stores the same rows as an unsharded build, each text embedded once, with one summed record', async () => {
    const file = config(
      'sharded.yaml',
      '  pg-whole: { kind: pgvector, table: docs_whole, dataDir: .pgvector }\n' +
        '  pg-sharded: { kind: pgvector, table: docs_sharded, dataDir: .pgvector }',
      '  - { id: pg, model: small, index: pg-sharded }',
    );
    await buildWholeAndSharded({
      openai,
      dir,
      documents: 248,
      build: (...flags) => cli(['index', 'build', '--config', file, '--model', 'small', '--quiet', ...flags]),
      whole: ['--index', 'pg-whole'],
      sharded: ['--index', 'pg-sharded'],
    });
    const whole = await tableRows(join(dir, '.pgvector'), 'docs_whole');
    expect(whole).toHaveLength(248);
    expect(await tableRows(join(dir, '.pgvector'), 'docs_sharded')).toEqual(whole);
  });
});
