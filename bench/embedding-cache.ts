import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadDataset } from '../src/dataset/native.js';
import { sortIds } from '../src/metrics/order.js';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { HashingEmbedder } from '../src/retrieve/embedders/hashing.js';
import type { Embedder, EmbeddingBatch, EmbeddingPurpose } from '../src/retrieve/types.js';
import { embedAll } from '../src/retrieve/vector-cache.js';

/**
 * The on-disk vector cache on the example dataset: its corpus embedded twice with the hashing embedder
 * through a fresh cache folder. The first run makes every embedding call; the second must make none.
 */
export const name = 'embedding-cache';

const DATASET = join(PACKAGE_ROOT, 'datasets', 'bike-repair', '1.0.0');

export async function run(): Promise<void> {
  const dataset = loadDataset(DATASET);
  const corpus = dataset.corpus;
  if (!corpus) throw new Error(`${DATASET} has no corpus`);
  const texts = sortIds(corpus.keys()).map((id) => {
    const doc = corpus.get(id);
    return doc?.title ? `${doc.title}\n${doc.text}` : (doc?.text ?? '');
  });
  const cacheDir = mkdtempSync(join(tmpdir(), 'rg-bench-cache-'));
  try {
    for (const label of ['first run', 'second run']) {
      const embedder = new CountingEmbedder(new HashingEmbedder({ dimensions: 256, batchSize: 32 }));
      const start = performance.now();
      const result = await embedAll({
        embedder,
        texts,
        purpose: 'index-build',
        cacheDir,
        contentKey: `${dataset.digest}:corpus`,
      });
      const ms = performance.now() - start;
      console.log(
        `${label}: ${embedder.calls} embedding calls, ${result.embeddedCount} texts embedded, ${result.cachedCount} from the cache, ${ms.toFixed(1)} ms (${texts.length} documents, ${embedder.dimensions} dimensions)`,
      );
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** Counts the calls that reach the embedder, which is what a paid provider bills. */
class CountingEmbedder implements Embedder {
  readonly id: string;
  readonly version: string;
  readonly dimensions: number;
  readonly maxBatchSize: number;
  calls = 0;

  constructor(private readonly base: Embedder) {
    this.id = base.id;
    this.version = base.version;
    this.dimensions = base.dimensions;
    this.maxBatchSize = base.maxBatchSize;
  }

  embed(texts: string[], purpose: EmbeddingPurpose): Promise<EmbeddingBatch> {
    this.calls++;
    return this.base.embed(texts, purpose);
  }
}
