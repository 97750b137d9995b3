import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, REPO_ROOT, runCliInProcess } from '../helpers/cli.js';
import { closedPort } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { type EmbeddingsServer, startEmbeddingsServer } from '../servers/openai-embeddings-server.js';
import { QdrantTestServer } from '../servers/qdrant-server.js';

/**
 * `index build` when a service fails it (issue 17.4): an unreachable embedding server or Qdrant, a 401, a
 * 400, vectors of the wrong size. Each is exit 2 with what to check, as `run` is, never an internal error,
 * never the key, and no build record claims a build that did not happen.
 */

const KEY = 'sk-index-build-secret-4242';
const QDRANT_KEY = 'qdrant-secret-9191';
const DATASET = join(REPO_ROOT, 'datasets', 'bike-repair', '1.0.0');

let openai: EmbeddingsServer;
let qdrant: QdrantTestServer;

beforeAll(async () => {
  openai = await startEmbeddingsServer({ apiKey: KEY, nativeDimensions: 256 });
  qdrant = await QdrantTestServer.start({ apiKey: QDRANT_KEY });
});

afterAll(async () => {
  await openai?.close();
  await qdrant?.close();
});

interface Setup {
  modelUrl?: string;
  dimensions?: number;
  qdrantUrl?: string;
}

function writeConfig(dir: string, setup: Setup = {}): string {
  const file = join(dir, 'retrieval-gate.yaml');
  writeFileSync(
    file,
    `dataset: ${JSON.stringify(DATASET)}
measures: [nDCG@10]
cacheDir: cache
models:
  small:
    provider: openai
    model: text-embedding-3-small
    version: "1"
    url: "${setup.modelUrl ?? openai.url}"
    dimensions: ${setup.dimensions ?? 64}
    apiKeyEnv: TEST_OPENAI_KEY
    maxRetries: 1
    timeoutMs: 5000
indexes:
  exact: { kind: embedded }
  docs: { kind: qdrant, url: "${setup.qdrantUrl ?? qdrant.url}", collection: docs, apiKeyEnv: TEST_QDRANT_KEY, maxRetries: 1, timeoutMs: 5000 }
systems:
  - { id: local, model: small, index: exact }
`,
  );
  return file;
}

async function build(
  dir: string,
  config: string,
  index: string,
  env: { openai?: string; qdrant?: string } = {},
  ...flags: string[]
): Promise<CliResult> {
  return runCliInProcess(
    ['index', 'build', '--config', config, '--model', 'small', '--index', index, '--quiet', ...flags],
    dir,
    { TEST_OPENAI_KEY: env.openai ?? KEY, TEST_QDRANT_KEY: env.qdrant ?? QDRANT_KEY },
  );
}

/** Exit 2 with the advice, no stack, no key, and no build record written. */
function expectServiceFailure(dir: string, result: CliResult, ...named: (string | RegExp)[]): void {
  expect(result.status, result.stderr).toBe(2);
  for (const text of named) {
    if (typeof text === 'string') expect(result.stderr).toContain(text);
    else expect(result.stderr).toMatch(text);
  }
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  for (const secret of [KEY, QDRANT_KEY, 'sk-wrong-key-777', 'qdrant-wrong-key-888']) {
    expect(result.stderr).not.toContain(secret);
    expect(result.stdout).not.toContain(secret);
  }
  const records = join(dir, 'reports', 'index-builds');
  expect(existsSync(records) ? readdirSync(records) : []).toEqual([]);
}

describe('index build: service errors are exit 2 with what to check', () => {
  it('an unreachable embedding server names the url and what to check', async () => {
    const dir = tempDir();
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const result = await build(dir, writeConfig(dir, { modelUrl: url }), 'exact');
    expectServiceFailure(dir, result, url, 'check that the embedding server is running');
  });

  it('a 401 names the key variable, never the key (the server echoes it)', async () => {
    const dir = tempDir();
    const result = await build(dir, writeConfig(dir), 'exact', { openai: 'sk-wrong-key-777' });
    expectServiceFailure(dir, result, 'HTTP 401', 'TEST_OPENAI_KEY');
  });

  it('a 400 (dimensions the model cannot give) names the server and its answer', async () => {
    const dir = tempDir();
    const result = await build(dir, writeConfig(dir, { dimensions: 512 }), 'exact');
    expectServiceFailure(dir, result, 'HTTP 400', openai.url, 'dimensions');
  });

  it('vectors of another size than the config says name the dimensions to set', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, { dimensions: 64 });
    // The model does not shorten its vectors: the server answers 256-dimensional ones.
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace(
        '    dimensions: 64\n',
        '    dimensions: 64\n    sendDimensions: false\n',
      ),
    );
    const result = await build(dir, config, 'exact');
    expectServiceFailure(dir, result, /256-dimensional/, 'dimensions');
  });

  it('an unreachable Qdrant names its url', async () => {
    const dir = tempDir();
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await build(
      dir,
      writeConfig(dir, { qdrantUrl: url }),
      'docs',
      {},
      '--collection',
      'c_unreachable',
    );
    expectServiceFailure(dir, result, url, 'check that Qdrant is running');
  });

  it("a Qdrant 401 names the index's key variable, never the key", async () => {
    const dir = tempDir();
    const result = await build(
      dir,
      writeConfig(dir),
      'docs',
      { qdrant: 'qdrant-wrong-key-888' },
      '--collection',
      'c_401',
    );
    expectServiceFailure(dir, result, 'HTTP 401', 'apiKeyEnv');
  });

  it('a collection of other dimensions is refused, naming it and --collection', async () => {
    const dir = tempDir();
    const first = await build(
      dir,
      writeConfig(dir, { dimensions: 64 }),
      'docs',
      {},
      '--collection',
      'c_dims',
    );
    expect(first.status, first.stderr).toBe(0);
    const other = tempDir();
    const result = await build(
      other,
      writeConfig(other, { dimensions: 32 }),
      'docs',
      {},
      '--collection',
      'c_dims',
    );
    expectServiceFailure(other, result, 'c_dims', '64-dimensional', '--collection');
  });

  it('a --collection with path characters is recorded under index-builds/, never outside it', async () => {
    const dir = tempDir();
    const result = await build(dir, writeConfig(dir), 'docs', {}, '--collection', '../escaped');
    // Qdrant may refuse the name or accept it; either way nothing lands outside reports/index-builds/.
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    expect([0, 2]).toContain(result.status);
    for (const name of readdirSync(dir)) expect(['cache', 'reports', 'retrieval-gate.yaml']).toContain(name);
    if (existsSync(join(dir, 'reports'))) expect(readdirSync(join(dir, 'reports'))).toEqual(['index-builds']);
  });
});

describe('index build: a wait the server asks for', () => {
  it("is one line on the command's own stderr, and the build goes on", async () => {
    const dir = tempDir();
    const config = writeConfig(dir);
    openai.inject({ status: 429, retryAfterMs: 30 });
    const result = await build(dir, config, 'exact');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/HTTP 429, waiting 30 ms as the server asks \(retry-after-ms: 30\)/);
    expect(result.stderr).not.toContain(KEY);
  });
});
