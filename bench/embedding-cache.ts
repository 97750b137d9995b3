import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load.js';
import { loadDataset } from '../src/dataset/native.js';
import { sortIds } from '../src/metrics/order.js';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { createComponentFactory } from '../src/retrieve/components.js';
import { HashingEmbedder } from '../src/retrieve/embedders/hashing.js';
import { runConfig } from '../src/retrieve/runner.js';
import type { Embedder, EmbeddingBatch, EmbeddingPurpose } from '../src/retrieve/types.js';
import { embedAll } from '../src/retrieve/vector-cache.js';

/**
 * The on-disk vector cache on the example dataset: its corpus embedded twice with the hashing embedder
 * through a fresh cache folder, then the whole example config run twice. The first run makes every
 * embedding call; the second must make none (the count is what a paid provider would bill).
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
  await exampleConfigTwice();
}

async function exampleConfigTwice(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'rg-bench-run-'));
  try {
    const config = {
      ...loadConfig(join(PACKAGE_ROOT, 'retrieval-gate.yaml')),
      cacheDir: join(scratch, 'cache'),
    };
    for (const label of ['first run', 'second run']) {
      const start = performance.now();
      const { summary } = await runConfig({
        config,
        reportsDir: join(scratch, 'reports'),
        runId: label.replace(' ', '-'),
        build: createComponentFactory(),
      });
      const calls = summary.systems.map((s) => {
        const count = (s.embeddingCalls?.query ?? 0) + (s.embeddingCalls?.indexBuild ?? 0);
        return `${s.id} ${count}`;
      });
      const seconds = (performance.now() - start) / 1000;
      console.log(
        `example config, ${label}: ${seconds.toFixed(1)} s; embedding calls per system: ${calls.join(', ')}`,
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
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
