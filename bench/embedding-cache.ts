import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createComponentFactory } from '../src/app/components.js';
import { runConfig } from '../src/app/run.js';
import { loadConfig } from '../src/config/load.js';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { EmbeddingStore } from '../src/retrieve/cache/store.js';
import { closeEmbeddingStores, embedAll } from '../src/retrieve/cache/vector-cache.js';
import type { Embedder, EmbeddingBatch } from '../src/retrieve/types.js';

/**
 * The on-disk embedding cache at scale: 100,000 texts × 384 dimensions through an embedder that costs
 * nothing (a cheap deterministic function), so the figures are the cache's own: a cold run (hash, embed,
 * append and fsync each batch of 1,000), a warm run in the same process (the namespace already open), a
 * warm run in a new process (headers scanned from disk first), the scan alone, and bytes per entry. Then
 * the example config run twice with a fresh cache: the first run makes every embedding call, the second
 * none (the count is what a paid provider would bill).
 */
export const name = 'embedding-cache';

const TEXTS = 100_000;
const DIMENSIONS = 384;
const BATCH = 1_000;

export async function run(): Promise<void> {
  const texts = Array.from(
    { length: TEXTS },
    (_, i) => `document ${i}: how to adjust brake pads, part ${i % 97}`,
  );
  const cacheDir = mkdtempSync(join(tmpdir(), 'rg-bench-cache-'));
  try {
    const timed = async (label: string) => {
      const embedder = new CheapEmbedder();
      const start = performance.now();
      const result = await embedAll({ embedder, texts, purpose: 'index-build', cacheDir });
      const seconds = (performance.now() - start) / 1000;
      console.log(
        `${label}: ${seconds.toFixed(2)} s, ${embedder.calls} embedding calls, ${result.embeddedCount.toLocaleString('en')} embedded, ${result.cachedCount.toLocaleString('en')} from the cache`,
      );
      return result.dir;
    };
    console.log(`${TEXTS.toLocaleString('en')} texts × ${DIMENSIONS} dimensions, batches of ${BATCH}`);
    const dir = await timed('cold');
    await timed('warm, same process');
    closeEmbeddingStores();
    await timed('warm, new process (scan, then read)');
    closeEmbeddingStores();

    const scanStart = performance.now();
    const store = EmbeddingStore.open(cacheDir, { id: 'bench/cheap', version: '1', dimensions: DIMENSIONS });
    const scanMs = performance.now() - scanStart;
    const bytes = readdirSync(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
    console.log(
      `open + header scan: ${scanMs.toFixed(0)} ms for ${store.size.toLocaleString('en')} entries; ${(bytes / 1e6).toFixed(1)} MB on disk, ${(bytes / store.size).toFixed(0)} bytes per entry (${4 * DIMENSIONS} of them the vector)`,
    );
    store.close();
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

/** Deterministic vectors from the text's length and first characters: free, so only the cache is timed. */
class CheapEmbedder implements Embedder {
  readonly id = 'bench/cheap';
  readonly version = '1';
  readonly dimensions = DIMENSIONS;
  readonly maxBatchSize = BATCH;
  calls = 0;

  async embed(texts: string[]): Promise<EmbeddingBatch> {
    this.calls++;
    const vectors = new Float32Array(texts.length * DIMENSIONS);
    texts.forEach((text, i) => {
      const seed = text.length + text.charCodeAt(text.length - 1);
      for (let d = 0; d < DIMENSIONS; d++) vectors[i * DIMENSIONS + d] = Math.sin(seed + d);
    });
    return { vectors, tokens: texts.length };
  }
}
