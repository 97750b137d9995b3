import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';
import { buildWholeAndSharded } from '../helpers/sharded-build.js';
import { tempDir } from '../helpers/tmp.js';
import { type EmbeddingsServer, startEmbeddingsServer } from '../servers/openai-embeddings-server.js';
import { QdrantTestServer } from '../servers/qdrant-server.js';

/**
 * `index build --shard I/N` then `--finish`, into the contract-checked Qdrant test server: the same points as
 * an unsharded build, each text embedded once, a shard run again writing nothing, one build record with the
 * shards' figures summed, and --finish refused while a shard or its points are missing. The same for an
 * embedded pgvector table is in pgvector.test.ts, which has a database made already (making one takes seconds).
 * Last, a sharded run over the built collection with a sampled ANN check, merged: the unsharded check.
 */

const KEY = 'sk-test-secret-key-shards';
const DOCUMENTS = 248;
let openai: EmbeddingsServer;
let qdrant: QdrantTestServer;
let dir: string;
let file: string;

const cli = (args: string[]) => runCliInProcess(args, dir, { TEST_OPENAI_KEY: KEY });

/** index build of model 'small' into `index`, with extra flags. */
const build = (index: string, ...flags: string[]) =>
  cli(['index', 'build', '--config', file, '--model', 'small', '--index', index, '--quiet', ...flags]);

async function qdrantPoints(collection: string): Promise<unknown[]> {
  const response = await fetch(`${qdrant.url}/collections/${collection}/points/scroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ limit: 1000, with_payload: true, with_vector: true }),
  });
  const { result } = (await response.json()) as { result: { points: { id: unknown }[] } };
  return result.points.sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

beforeAll(async () => {
  openai = await startEmbeddingsServer({ apiKey: KEY });
  qdrant = await QdrantTestServer.start();
  dir = tempDir();
  file = join(dir, 'retrieval-gate.yaml');
  writeFileSync(
    file,
    `dataset: bike-repair@1.0.0
cacheDir: cache
models:
  small:
    provider: openai
    model: text-embedding-3-small
    version: "1"
    url: "${openai.url}"
    dimensions: 32
    apiKeyEnv: TEST_OPENAI_KEY
    pricePer1MTokens: 0.02
indexes:
  docs: { kind: qdrant, url: "${qdrant.url}", collection: docs }
systems:
  - { id: live, model: small, index: docs }
`,
  );
});

afterAll(async () => {
  await qdrant?.close();
  await openai?.close();
});

describe('index build --shard I/N, then --finish (qdrant)', () => {
  it('stores the same points as an unsharded build, each text embedded once, with one summed record', async () => {
    await buildWholeAndSharded({
      openai,
      dir,
      documents: DOCUMENTS,
      build: (...flags) => build('docs', ...flags),
      whole: ['--collection', 'whole'],
      sharded: ['--collection', 'sharded'],
    });
    const whole = await qdrantPoints('whole');
    expect(whole).toHaveLength(DOCUMENTS);
    expect(await qdrantPoints('sharded')).toEqual(whole);
  });

  it('refuses --finish while a shard is missing, or its points are, naming it', async () => {
    const partial = (...flags: string[]) => build('docs', '--collection', 'partial', ...flags);
    for (const i of [1, 3]) expect((await partial('--shard', `${i}/3`)).status).toBe(0);
    const early = await partial('--finish');
    expect(early.status).toBe(2);
    expect(early.stderr).toContain('shard 2/3 of partial missing');
    expect(early.stderr).toContain('missing');
    // A shard record whose points were lost is caught by counting the points.
    const records = join(dir, 'reports', 'index-builds');
    const first = readdirSync(records).find(
      (n) => n.includes('partial') && n.includes('.shard-1-of-3'),
    ) as string;
    writeFileSync(
      join(records, first.replace('shard-1-of-3', 'shard-2-of-3')),
      readFileSync(join(records, first), 'utf8').replace(/"index": 1/, '"index": 2'),
    );
    const lacking = await partial('--finish');
    expect(lacking.status).toBe(2);
    expect(lacking.stderr).toMatch(/lacks \d+ of the corpus's 248 documents/);
    expect((await partial('--shard', '1/3', '--finish')).status).toBe(2);
    expect((await partial('--shard', '1/3', '--alias', 'live')).status).toBe(2);
  });
});

describe('run --shard and merge over a live approximate index', () => {
  it('checks ANN recall on a sample drawn from all queries: the merged check is the unsharded one', async () => {
    // The collection the first test built; hnsw_ef 4 loses neighbours, so the check has something to find.
    const runConfig = join(dir, 'ann.yaml');
    writeFileSync(
      runConfig,
      readFileSync(file, 'utf8')
        .replace('collection: docs }', 'collection: whole, hnswEf: 4 }')
        .replace(
          '{ id: live, model: small, index: docs }',
          '{ id: live, model: small, index: docs, k: 20, annCheck: { sample: 30 } }',
        )
        .replace('cacheDir: cache', 'measures: [nDCG@10]\ncacheDir: cache'),
    );
    const run = await cli([
      'run',
      '--config',
      runConfig,
      '--reports',
      'ann',
      '--run-id',
      'whole',
      '--quiet',
      '--no-report',
    ]);
    expect(run.status, run.stderr).toBe(0);
    for (const i of [1, 2]) {
      const shard = await cli([
        'run',
        '--config',
        runConfig,
        '--reports',
        'ann',
        '--shard',
        `${i}/2`,
        '--quiet',
      ]);
      expect(shard.status, shard.stderr).toBe(0);
    }
    const merged = await cli([
      'merge',
      join('ann', 'shard-1-of-2'),
      join('ann', 'shard-2-of-2'),
      '--out',
      join('ann', 'merged'),
      '--no-report',
    ]);
    expect(merged.status, merged.stderr).toBe(0);
    const read = (run: string, name: string) => readFileSync(join(dir, 'ann', run, name), 'utf8');
    expect(read('merged', 'evaluation.json')).toBe(read('whole', 'evaluation.json'));
    const annCheck = (run: string) => {
      const { latencyMs: _latency, ...check } = JSON.parse(read(run, 'summary.json')).systems[0].annCheck;
      return check;
    };
    expect(annCheck('whole')).toMatchObject({ status: 'ok', queries: 30, sample: { size: 30 } });
    expect(annCheck('merged')).toEqual(annCheck('whole'));
  });
});
