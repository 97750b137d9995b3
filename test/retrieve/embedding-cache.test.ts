import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { pruneCache } from '../../src/retrieve/cache/maintenance.js';
import { recordBytes } from '../../src/retrieve/cache/record.js';
import {
  closeEmbeddingStores,
  type EmbedAllOptions,
  embedAll,
  splitTokens,
} from '../../src/retrieve/cache/vector-cache.js';
import { HashingEmbedder } from '../../src/retrieve/providers/embedders/hashing.js';
import type { Embedder, EmbeddingBatch, EmbeddingPurpose, PreparedTexts } from '../../src/retrieve/types.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

interface CountingOptions {
  concurrency?: number;
  /** The nth call (1-based) throws. */
  failOnCall?: number;
  /** Milliseconds the nth call (1-based) takes. */
  delay?: (call: number) => number;
  batchSizes?: (texts: readonly string[]) => number[];
  prepare?: (texts: readonly string[], names: readonly string[]) => PreparedTexts;
}

/** Wraps an embedder: counts calls and texts, tracks calls in flight, can fail and be slow. */
class CountingEmbedder implements Embedder {
  readonly id: string;
  readonly version: string;
  readonly dimensions: number;
  readonly maxBatchSize: number;
  readonly concurrency?: number;
  readonly batchSizes?: (texts: readonly string[]) => number[];
  readonly prepare?: (texts: readonly string[], names: readonly string[]) => PreparedTexts;
  calls = 0;
  texts = 0;
  batches: string[][] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly base: Embedder,
    private readonly options: CountingOptions = {},
  ) {
    this.id = base.id;
    this.version = base.version;
    this.dimensions = base.dimensions;
    this.maxBatchSize = base.maxBatchSize;
    if (options.concurrency !== undefined) this.concurrency = options.concurrency;
    if (options.batchSizes) this.batchSizes = options.batchSizes;
    if (options.prepare) this.prepare = options.prepare;
  }

  async embed(texts: string[], purpose: EmbeddingPurpose): Promise<EmbeddingBatch> {
    const call = ++this.calls;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.options.delay?.(call) ?? 1));
      if (call === this.options.failOnCall) throw new Error('interrupted');
      this.texts += texts.length;
      this.batches.push(texts);
      return { ...(await this.base.embed(texts, purpose)), retries: call % 2 };
    } finally {
      this.inFlight--;
    }
  }
}

const TEXTS = Array.from(
  { length: 20 },
  (_, i) => `text number ${i} about ${i % 2 === 0 ? 'brakes' : 'chains'}`,
);
const DIMENSIONS = 16;
const hashing = (batchSize = 3) => new HashingEmbedder({ dimensions: DIMENSIONS, batchSize });
const expected = async (texts: readonly string[]) => (await hashing().embed([...texts], 'query')).vectors;

function options(
  embedder: Embedder,
  cacheDir: string,
  extra: Partial<EmbedAllOptions> = {},
): EmbedAllOptions {
  return { embedder, texts: TEXTS, purpose: 'index-build', cacheDir, ...extra };
}

function segments(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith('seg-'));
}

/** Flips one bit of a file in place. */
function flipByte(file: string, offset: number): void {
  const bytes = readFileSync(file);
  bytes[offset] = (bytes[offset] as number) ^ 0x10;
  writeFileSync(file, bytes);
}

// Each test starts as a new process would: nothing of a cache is held in memory.
beforeEach(() => closeEmbeddingStores());

describe('embedAll', () => {
  it('embeds in batches of maxBatchSize, then serves everything from the cache', async () => {
    const cacheDir = tempDir();
    const first = new CountingEmbedder(hashing());
    const progress: number[] = [];
    const cold = await embedAll({
      ...options(first, cacheDir),
      onProgress: (done, total) => {
        expect(total).toBe(20);
        progress.push(done);
      },
    });
    expect(first.calls).toBe(7); // 6 × 3 + 2
    expect(first.maxInFlight).toBe(1);
    expect(cold).toMatchObject({ calls: 7, embeddedCount: 20, cachedCount: 0, retries: 4, truncated: [] });
    expect(progress).toEqual([0, 3, 6, 9, 12, 15, 18, 20]);
    expect(cold.vectors).toEqual(await expected(TEXTS));
    expect(cold.perText.map((cost) => cost.batchSize)).toEqual(TEXTS.map((_, i) => (i < 18 ? 3 : 2)));
    expect(cold.perText.every((cost) => cost.latencyMs !== null)).toBe(true);
    // One duration per call, and each text carries its call's.
    expect(cold.callMs).toHaveLength(cold.calls);
    expect(new Set(cold.perText.map((cost) => cost.latencyMs))).toEqual(new Set(cold.callMs));
    expect(cold.perText.reduce((sum, cost) => sum + cost.tokens, 0)).toBe(cold.tokens);
    expect(cold.tokens).toBe((await hashing().embed(TEXTS, 'query')).tokens);
    expect(JSON.parse(readFileSync(join(cold.dir, 'namespace.json'), 'utf8'))).toMatchObject({
      format: 1,
      id: 'hashing/word-char-ngrams',
      version: '1',
      dimensions: DIMENSIONS,
      recordBytes: recordBytes(DIMENSIONS),
    });
    // One segment for this process, with 20 whole records.
    const [segment] = segments(cold.dir);
    expect(segments(cold.dir)).toHaveLength(1);
    expect(statSync(join(cold.dir, segment as string)).size).toBe(20 * recordBytes(DIMENSIONS));

    for (const fresh of [false, true]) {
      if (fresh) closeEmbeddingStores();
      const again = new CountingEmbedder(hashing());
      const warm = await embedAll(options(again, cacheDir));
      expect(again.calls).toBe(0);
      expect(warm).toMatchObject({ calls: 0, tokens: 0, retries: 0, embeddedCount: 0, cachedCount: 20 });
      expect(warm.vectors).toEqual(cold.vectors);
      expect(warm.perText[0]).toEqual({ latencyMs: null, batchSize: null, tokens: 0 });
    }
  });

  it('shares entries between queries and documents: a query already embedded as a document costs nothing', async () => {
    const cacheDir = tempDir();
    await embedAll(options(hashing(), cacheDir, { purpose: 'index-build' }));
    closeEmbeddingStores();
    const queries = new CountingEmbedder(hashing());
    const subset = [TEXTS[7], TEXTS[2], TEXTS[19]] as string[];
    const result = await embedAll(options(queries, cacheDir, { purpose: 'query', texts: subset }));
    expect(queries.calls).toBe(0);
    expect(result).toMatchObject({ calls: 0, cachedCount: 3 });
    expect(result.vectors).toEqual(await expected(subset));

    // Only the new texts of a changed list are embedded.
    const changed = new CountingEmbedder(hashing());
    await embedAll(options(changed, cacheDir, { texts: [...TEXTS.slice(1), 'a new text'] }));
    expect(changed.batches).toEqual([['a new text']]);
  });

  it('embeds a text repeated in its input once', async () => {
    const texts = ['alpha', 'beta', 'alpha', 'gamma', 'beta', 'alpha'];
    const counting = new CountingEmbedder(hashing(10));
    const result = await embedAll(options(counting, tempDir(), { texts }));
    expect(counting.batches).toEqual([['alpha', 'beta', 'gamma']]);
    expect(result).toMatchObject({ embeddedCount: 3, cachedCount: 0, calls: 1 });
    expect(result.vectors).toEqual(await expected(texts));
    expect(result.perText.map((cost) => cost.batchSize)).toEqual([3, 3, 3, 3, 3, 3]);
    expect(result.perText.reduce((sum, cost) => sum + cost.tokens, 0)).toBe(result.tokens);
    expect(result.perText[2]?.tokens).toBe(0);
  });

  it('does not serve vectors of another version or number of dimensions', async () => {
    const cacheDir = tempDir();
    const { dir } = await embedAll(options(hashing(), cacheDir));
    const variants: [string, Embedder][] = [
      ['version', Object.assign(Object.create(hashing()) as Embedder, { version: '2' })],
      ['dimensions', new HashingEmbedder({ dimensions: 8, batchSize: 3 })],
      ['id', Object.assign(Object.create(hashing()) as Embedder, { id: 'other/model' })],
    ];
    for (const [what, embedder] of variants) {
      const result = await embedAll(options(new CountingEmbedder(embedder), cacheDir));
      expect(result.cachedCount, what).toBe(0);
      expect(result.embeddedCount, what).toBe(20);
      expect(result.dir, what).not.toBe(dir);
    }
    expect(readdirSync(join(cacheDir, 'embeddings'))).toHaveLength(4);
  });

  it('embeds again, never serves, a torn tail or a record with a flipped byte', async () => {
    const cacheDir = tempDir();
    const { dir, vectors } = await embedAll(options(hashing(), cacheDir));
    closeEmbeddingStores();
    const file = join(dir, segments(dir)[0] as string);
    const size = recordBytes(DIMENSIONS);
    flipByte(file, 2 * size + 48 + 5); // text 2's vector
    flipByte(file, 5 * size + 8 + 3); // text 5's key
    flipByte(file, 9 * size + 1); // text 9's magic
    truncateSync(file, 20 * size - 10); // text 19 torn, as by kill -9 mid-write

    const counting = new CountingEmbedder(hashing(10));
    const repaired = await embedAll(options(counting, cacheDir));
    expect(counting.batches.flat().sort()).toEqual([TEXTS[19], TEXTS[2], TEXTS[5], TEXTS[9]].sort());
    expect(repaired).toMatchObject({ cachedCount: 16, embeddedCount: 4 });
    expect(repaired.vectors).toEqual(vectors);

    // The damaged copy may still be found first: the good copy behind it is served.
    closeEmbeddingStores();
    const again = new CountingEmbedder(hashing());
    expect((await embedAll(options(again, cacheDir))).vectors).toEqual(vectors);
    expect(again.calls).toBe(0);
  });

  it('checks each record as it reads it, also after the namespace was scanned', async () => {
    const cacheDir = tempDir();
    const { dir, vectors } = await embedAll(options(hashing(), cacheDir));
    flipByte(join(dir, segments(dir)[0] as string), 4 * recordBytes(DIMENSIONS) + 60);
    const counting = new CountingEmbedder(hashing());
    const result = await embedAll(options(counting, cacheDir));
    expect(counting.batches).toEqual([[TEXTS[4]]]);
    expect(result.vectors).toEqual(vectors);
  });

  it('keeps at most `concurrency` calls in flight and returns vectors in input order', async () => {
    // Later calls finish first: results come back out of order.
    const counting = new CountingEmbedder(hashing(2), { concurrency: 3, delay: (call) => 12 - call });
    const result = await embedAll(options(counting, tempDir()));
    expect(counting.calls).toBe(10);
    expect(counting.maxInFlight).toBe(3);
    expect(result.vectors).toEqual(await expected(TEXTS));
    expect(result.perText.every((cost) => cost.batchSize === 2)).toBe(true);
  });

  it('sends the texts as the embedder prepares them, in the batches it plans', async () => {
    const prepare = (texts: readonly string[], names: readonly string[]): PreparedTexts => {
      const refused = names.filter((_, i) => texts[i] === '');
      if (refused.length > 0) throw new UserError(`empty texts: ${refused.join(', ')}`);
      return {
        texts: texts.map((text) => text.slice(0, 14)),
        truncated: names.filter((_, i) => (texts[i] as string).length > 14),
      };
    };
    const texts = ['short', 'a rather long text about brakes', 'tiny', 'another long text about chains'];
    const names = ['document a', 'document b', 'document c', 'document d'];
    const cacheDir = tempDir();
    const counting = new CountingEmbedder(hashing(), { prepare, batchSizes: () => [1, 3] });
    const result = await embedAll(options(counting, cacheDir, { texts, names }));
    expect(counting.batches).toEqual([['short'], ['a rather long ', 'tiny', 'another long t']]);
    expect(result.truncated).toEqual(['document b', 'document d']);
    expect(result.vectors).toEqual(await expected(texts.map((text) => text.slice(0, 14))));

    // Cached vectors of truncated texts are still reported as truncated, under this call's names.
    closeEmbeddingStores();
    const cached = await embedAll(
      options(new CountingEmbedder(hashing(), { prepare }), cacheDir, {
        texts: [texts[3] as string],
        names: ['query q1'],
      }),
    );
    expect(cached).toMatchObject({ calls: 0, truncated: ['query q1'] });

    const refusing = new CountingEmbedder(hashing(), { prepare });
    await expect(embedAll(options(refusing, cacheDir, { texts: ['new', ''], names }))).rejects.toThrow(
      'empty texts: document b',
    );
    expect(refusing.calls).toBe(0);
  });

  it('keeps every finished batch when a call fails, so a rerun embeds only the rest', async () => {
    const cacheDir = tempDir();
    const failing = new CountingEmbedder(hashing(), { failOnCall: 4 });
    await expect(embedAll(options(failing, cacheDir))).rejects.toThrow('interrupted');
    expect(failing.calls).toBe(4);

    const resumed = new CountingEmbedder(hashing());
    const result = await embedAll(options(resumed, cacheDir));
    expect(resumed.texts).toBe(11);
    expect(result).toMatchObject({ cachedCount: 9, embeddedCount: 11, calls: 4 });
    expect(result.perText.slice(0, 9).every((cost) => cost.latencyMs === null)).toBe(true);
    expect(result.vectors).toEqual(await expected(TEXTS));
  });

  it('lets calls in flight finish and keeps them when one fails, and starts no new call', async () => {
    const cacheDir = tempDir();
    // Call 1 fails while calls 2 and 3 are still running.
    const failing = new CountingEmbedder(hashing(2), {
      concurrency: 3,
      failOnCall: 1,
      delay: (call) => (call === 1 ? 1 : 50),
    });
    await expect(embedAll(options(failing, cacheDir))).rejects.toThrow('interrupted');
    expect(failing.calls).toBe(3);
    expect(failing.batches).toEqual([TEXTS.slice(2, 4), TEXTS.slice(4, 6)]);
    const resumed = new CountingEmbedder(hashing(2));
    const result = await embedAll(options(resumed, cacheDir));
    expect(result).toMatchObject({ cachedCount: 4, embeddedCount: 16 });
  });

  it('says which folder it cannot create', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    await expect(embedAll(options(hashing(), join(file, 'cache')))).rejects.toThrow(UserError);
  });

  it('handles no texts, and refuses an embedder that returns the wrong number of values or non-finite ones', async () => {
    const cacheDir = tempDir();
    const empty = await embedAll(options(hashing(), cacheDir, { texts: [] }));
    expect(empty).toMatchObject({ calls: 0, embeddedCount: 0, cachedCount: 0 });
    expect(empty.vectors).toHaveLength(0);
    expect(existsSync(join(cacheDir, 'embeddings'))).toBe(false);
    const broken = (vectors: Float32Array): Embedder => ({
      id: 'broken',
      version: '1',
      dimensions: 4,
      maxBatchSize: 8,
      embed: async () => ({ vectors, tokens: 0 }),
    });
    await expect(
      embedAll(options(broken(new Float32Array(3)), tempDir(), { texts: TEXTS.slice(0, 4) })),
    ).rejects.toThrow(/returned 3 numbers for 4 texts × 4/);
    const nan = new Float32Array(8);
    nan[5] = Number.NaN;
    await expect(
      embedAll(options(broken(nan), tempDir(), { texts: ['a', 'b'], names: ['query q1', 'query q2'] })),
    ).rejects.toThrow("embedder 'broken' returned a non-finite number for query q2");
  });
});

describe('embedAll across processes', () => {
  const dist = join(REPO_ROOT, 'dist', 'src', 'retrieve');

  /** A child process that embeds texts [from, to) in batches of 5, SIGKILLing itself at call `killAt`. */
  function childScript(dir: string): string {
    if (!existsSync(join(dist, 'cache', 'vector-cache.js'))) {
      throw new Error(`${dist} is not built: run 'npm run build' (npm test does it)`);
    }
    const url = (file: string) => JSON.stringify(pathToFileURL(join(dist, file)).href);
    const script = join(dir, 'child.mjs');
    writeFileSync(
      script,
      [
        `import { embedAll } from ${url('cache/vector-cache.js')};`,
        `import { HashingEmbedder } from ${url('providers/embedders/hashing.js')};`,
        'const [cacheDir, from, to, killAt] = process.argv.slice(2).map((a, i) => (i === 0 ? a : Number(a)));',
        `const base = new HashingEmbedder({ dimensions: ${DIMENSIONS}, batchSize: 5 });`,
        'let calls = 0;',
        'const embedder = {',
        '  id: base.id, version: base.version, dimensions: base.dimensions, maxBatchSize: 5,',
        '  async embed(texts, purpose) {',
        "    if (++calls === killAt) process.kill(process.pid, 'SIGKILL');",
        '    await new Promise((resolve) => setImmediate(resolve));',
        '    return base.embed(texts, purpose);',
        '  },',
        '};',
        "const texts = Array.from({ length: to - from }, (_, i) => 'shared text ' + (from + i));",
        "const result = await embedAll({ embedder, texts, purpose: 'index-build', cacheDir });",
        'process.stdout.write(JSON.stringify({ calls: result.calls, cached: result.cachedCount }));',
      ].join('\n'),
    );
    return script;
  }
  const texts = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => `shared text ${from + i}`);

  function runChild(
    script: string,
    args: (string | number)[],
  ): Promise<{ code: number | null; stdout: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [script, ...args.map(String)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout }));
    });
  }

  it('two processes writing one namespace at once both succeed, and a third reads every vector right', async () => {
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const script = childScript(dir);
    const [a, b] = await Promise.all([
      runChild(script, [cacheDir, 0, 400, 0]),
      runChild(script, [cacheDir, 200, 600, 0]),
    ]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);

    const reader = new CountingEmbedder(hashing());
    const all = texts(0, 600);
    const result = await embedAll(options(reader, cacheDir, { texts: all }));
    expect(reader.calls).toBe(0);
    expect(result.vectors).toEqual(await expected(all));
    expect(segments(result.dir)).toHaveLength(2);
  });

  it('finds records in the segment that replaced theirs when `cache prune` compacts an open namespace', async () => {
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const script = childScript(dir);
    expect((await runChild(script, [cacheDir, 0, 20, 0])).code).toBe(0);
    expect((await runChild(script, [cacheDir, 10, 30, 0])).code).toBe(0);
    const all = texts(0, 30);
    const first = await embedAll(options(new CountingEmbedder(hashing()), cacheDir, { texts: all }));
    expect(first.cachedCount).toBe(30);
    const before = segments(first.dir);
    expect(before).toHaveLength(2);

    const report = pruneCache(cacheDir);
    expect(report.actions).toMatchObject([{ action: 'compacted' }]);
    expect(segments(first.dir)).toHaveLength(1);
    expect(segments(first.dir)).not.toContain(before[0]);

    // The same process, its map still pointing into the deleted segments.
    const counting = new CountingEmbedder(hashing());
    const again = await embedAll(options(counting, cacheDir, { texts: all }));
    expect(counting.calls).toBe(0);
    expect(again.vectors).toEqual(await expected(all));
  });

  it('after kill -9 mid-run, a rerun embeds only the unfinished batches and equals a clean run', async () => {
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const script = childScript(dir);
    const killed = spawnSync(process.execPath, [script, cacheDir, '0', '30', '4'], { encoding: 'utf8' });
    expect(killed.signal).toBe('SIGKILL');

    const resumed = new CountingEmbedder(hashing(5));
    const all = texts(0, 30);
    const result = await embedAll(options(resumed, cacheDir, { texts: all }));
    expect(resumed.batches).toEqual([texts(15, 20), texts(20, 25), texts(25, 30)]);
    expect(result).toMatchObject({ cachedCount: 15, embeddedCount: 15 });
    const clean = await embedAll(options(hashing(5), tempDir(), { texts: all }));
    expect(result.vectors).toEqual(clean.vectors);
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
