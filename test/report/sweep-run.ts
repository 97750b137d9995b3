import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { QdrantTestServer } from '../servers/qdrant-server.js';

/**
 * A real run folder with a parameter sweep, as test/cli/ann-check.test.ts makes one: hashing embeddings in a
 * collection of the local Qdrant server, searched at hnsw_ef 2, 8 and 64 and exactly, beside BM25 (no
 * check). Returns the run folder, whose report.html the run wrote.
 */
export async function sweepRun(): Promise<string> {
  const qdrant = await QdrantTestServer.start();
  const dir = tempDir('rg-sweep-');
  const cli = async (...args: string[]) => {
    const result = await runCliInProcess(args, dir);
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  };
  try {
    writeFileSync(
      join(dir, 'sweep.yaml'),
      `dataset: bike-repair@1.0.0
measures: [nDCG@10, R@10]
cacheDir: cache
models:
  hash: { provider: hashing, dimensions: 64 }
indexes:
  hnsw: { kind: qdrant, url: "${qdrant.url}", collection: docs, maxRetries: 0 }
  bm25: { kind: bm25 }
systems:
  - { id: bm25, index: bm25, k: 20 }
  - id: hash@hnsw
    model: hash
    index: hnsw
    k: 20
    search: [{ hnswEf: 2 }, { hnswEf: 8 }, { hnswEf: 64 }, { exact: true }]
`,
    );
    await cli(
      'index',
      'build',
      '--config',
      'sweep.yaml',
      '--model',
      'hash',
      '--index',
      'hnsw',
      '--collection',
      'docs',
      '--quiet',
    );
    await cli('run', '--config', 'sweep.yaml', '--run-id', 'sweep', '--quiet');
    return join(dir, 'reports', 'sweep');
  } finally {
    await qdrant.close();
  }
}
