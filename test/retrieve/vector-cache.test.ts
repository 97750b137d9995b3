import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { HashingEmbedder } from '../../src/retrieve/embedders/hashing.js';
import type { Embedder, EmbeddingBatch, EmbeddingPurpose } from '../../src/retrieve/types.js';
import { type EmbedAllOptions, embedAll, splitTokens } from '../../src/retrieve/vector-cache.js';
import { tempDir } from '../helpers/tmp.js';

/** Wraps an embedder: counts calls and texts, checks calls never overlap, can fail after some calls. */
class CountingEmbedder implements Embedder {
  readonly id: string;
  readonly version: string;
  readonly dimensions: number;
  readonly maxBatchSize: number;
  calls = 0;
  texts = 0;
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly base: Embedder,
    private readonly failAfterCalls = Number.POSITIVE_INFINITY,
  ) {
    this.id = base.id;
    this.version = base.version;
    this.dimensions = base.dimensions;
    this.maxBatchSize = base.maxBatchSize;
  }

  async embed(texts: string[], purpose: EmbeddingPurpose): Promise<EmbeddingBatch> {
    if (this.calls >= this.failAfterCalls) throw new Error('interrupted');
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1));
      this.calls++;
      this.texts += texts.length;
      return await this.base.embed(texts, purpose);
    } finally {
      this.inFlight--;
    }
  }
}

const TEXTS = Array.from(
  { length: 20 },
  (_, i) => `text number ${i} about ${i % 2 === 0 ? 'brakes' : 'chains'}`,
);
const hashing = () => new HashingEmbedder({ dimensions: 16, batchSize: 3 });

function options(
  embedder: Embedder,
  cacheDir: string,
  extra: Partial<EmbedAllOptions> = {},
): EmbedAllOptions {
  return {
    embedder,
    texts: TEXTS,
    purpose: 'index-build',
    cacheDir,
    contentKey: 'sha256:test:corpus',
    chunkRows: 4,
    ...extra,
  };
}

describe('embedAll', () => {
  it('embeds in batches of maxBatchSize within chunks, then serves everything from the cache', async () => {
    const cacheDir = tempDir();
    const first = new CountingEmbedder(hashing());
    const progress: number[] = [];
    const cold = await embedAll({
      ...options(first, cacheDir, { batchSize: 100 }),
      onProgress: (done, total) => {
        expect(total).toBe(20);
        progress.push(done);
      },
    });
    // 5 chunks of 4 rows, each in batches of 3 + 1.
    expect(first.calls).toBe(10);
    expect(cold.calls).toBe(10);
    expect(first.maxInFlight).toBe(1);
    expect(cold).toMatchObject({ embeddedCount: 20, cachedCount: 0 });
    expect(progress.at(-1)).toBe(20);
    expect(cold.vectors).toEqual((await hashing().embed(TEXTS, 'index-build')).vectors);
    expect(cold.perText.map((cost) => cost.batchSize)).toEqual(TEXTS.map((_, i) => (i % 4 === 3 ? 1 : 3)));
    expect(cold.perText.every((cost) => cost.latencyMs !== null)).toBe(true);
    expect(cold.perText.reduce((sum, cost) => sum + cost.tokens, 0)).toBe(cold.tokens);
    expect(cold.tokens).toBe((await hashing().embed(TEXTS, 'query')).tokens);
    expect(readdirSync(cold.dir).sort()).toEqual([
      'chunk-000000.f32',
      'chunk-000001.f32',
      'chunk-000002.f32',
      'chunk-000003.f32',
      'chunk-000004.f32',
      'key.json',
    ]);
    expect(JSON.parse(readFileSync(join(cold.dir, 'key.json'), 'utf8'))).toMatchObject({
      embedder: 'hashing/word-char-ngrams',
      dimensions: 16,
      purpose: 'index-build',
      content: 'sha256:test:corpus',
      count: 20,
    });

    const second = new CountingEmbedder(hashing());
    const warm = await embedAll(options(second, cacheDir));
    expect(second.calls).toBe(0);
    expect(warm).toMatchObject({ calls: 0, tokens: 0, embeddedCount: 0, cachedCount: 20, dir: cold.dir });
    expect(warm.vectors).toEqual(cold.vectors);
    expect(warm.perText[0]).toEqual({ latencyMs: null, batchSize: null, tokens: 0 });
  });

  it('keys the cache by purpose, content key, texts, dimensions and embedder version', async () => {
    const cacheDir = tempDir();
    await embedAll(options(hashing(), cacheDir));
    const variants: [string, EmbedAllOptions][] = [
      ['purpose', options(new CountingEmbedder(hashing()), cacheDir, { purpose: 'query' })],
      ['content key', options(new CountingEmbedder(hashing()), cacheDir, { contentKey: 'other' })],
      ['texts', options(new CountingEmbedder(hashing()), cacheDir, { texts: [...TEXTS.slice(1), 'new'] })],
      [
        'dimensions',
        options(new CountingEmbedder(new HashingEmbedder({ dimensions: 8, batchSize: 3 })), cacheDir),
      ],
      [
        'version',
        options(new CountingEmbedder(Object.assign(Object.create(hashing()), { version: '2' })), cacheDir),
      ],
    ];
    for (const [what, variant] of variants) {
      const result = await embedAll(variant);
      expect(result.cachedCount, what).toBe(0);
      expect(result.embeddedCount, what).toBe(20);
    }
  });

  it('resumes after an interruption: only the missing chunks are embedded, and the vectors equal a clean run', async () => {
    const cacheDir = tempDir();
    // Calls 1–4 complete chunks 0 and 1; call 5 is half of chunk 2; call 6 fails.
    const failing = new CountingEmbedder(hashing(), 5);
    await expect(embedAll(options(failing, cacheDir))).rejects.toThrow('interrupted');
    expect(failing.calls).toBe(5);

    const resumed = new CountingEmbedder(hashing());
    const result = await embedAll(options(resumed, cacheDir));
    expect(resumed.calls).toBe(6); // chunks 2, 3 and 4
    expect(resumed.texts).toBe(12);
    expect(result).toMatchObject({ cachedCount: 8, embeddedCount: 12, calls: 6 });
    expect(result.perText.slice(0, 8).every((cost) => cost.latencyMs === null)).toBe(true);

    const clean = await embedAll(options(hashing(), tempDir()));
    expect(result.vectors).toEqual(clean.vectors);
  });

  it('embeds a truncated or corrupt chunk again instead of trusting it', async () => {
    const cacheDir = tempDir();
    const { dir, vectors } = await embedAll(options(hashing(), cacheDir));
    const chunk1 = join(dir, 'chunk-000001.f32');
    const chunk3 = join(dir, 'chunk-000003.f32');
    const size = statSync(chunk1).size;
    expect(size).toBe(4 * 16 * 4);
    truncateSync(chunk1, size - 3);
    const garbage = Buffer.alloc(size);
    garbage.writeFloatLE(Number.NaN, 8);
    writeFileSync(chunk3, garbage);

    const counting = new CountingEmbedder(hashing());
    const repaired = await embedAll(options(counting, cacheDir));
    expect(counting.texts).toBe(8);
    expect(repaired).toMatchObject({ cachedCount: 12, embeddedCount: 8 });
    expect(repaired.vectors).toEqual(vectors);
    expect(statSync(chunk1).size).toBe(size);

    const again = new CountingEmbedder(hashing());
    await embedAll(options(again, cacheDir));
    expect(again.calls).toBe(0);
  });

  it('removes temporary files of dead processes and leaves no temporary file behind', async () => {
    const cacheDir = tempDir();
    const { dir } = await embedAll(options(hashing(), cacheDir));
    const abandoned = join(dir, 'chunk-000002.f32.999999999.0badf00d.tmp');
    writeFileSync(abandoned, 'partial');
    await embedAll(options(hashing(), cacheDir));
    expect(existsSync(abandoned)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('says which folder it cannot create', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    await expect(embedAll(options(hashing(), join(file, 'cache')))).rejects.toThrow(UserError);
  });

  it('handles no texts, and refuses an embedder that returns the wrong number of values', async () => {
    const empty = await embedAll(options(hashing(), tempDir(), { texts: [] }));
    expect(empty).toMatchObject({ calls: 0, embeddedCount: 0, cachedCount: 0 });
    expect(empty.vectors).toHaveLength(0);
    const broken: Embedder = {
      id: 'broken',
      version: '1',
      dimensions: 4,
      maxBatchSize: 8,
      embed: async () => ({ vectors: new Float32Array(3), tokens: 0 }),
    };
    await expect(embedAll(options(broken, tempDir()))).rejects.toThrow(/returned 3 numbers for 4 texts × 4/);
  });
});

describe('splitTokens', () => {
  it('shares a call’s tokens by text length in whole numbers that add up', () => {
    expect(splitTokens(10, ['aaaa', 'a', 'aaaaa'])).toEqual([4, 1, 5]);
    expect(splitTokens(7, ['aa', 'aa', 'aa'])).toEqual([3, 2, 2]);
    expect(splitTokens(3, ['', ''])).toEqual([2, 1]);
    expect(splitTokens(0, ['abc'])).toEqual([0]);
  });
});
