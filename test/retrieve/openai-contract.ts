/**
 * What any server speaking OpenAI's /v1/embeddings must do for the embedder: registered against the local
 * test server (test/retrieve/openai-embedder.test.ts) and against the real API (test/live/openai.live.test.ts).
 * Only protocol-level facts, nothing that needs faults injected or counters on the server.
 */
import { encode } from 'gpt-tokenizer/encoding/cl100k_base';
import { describe, expect, it } from 'vitest';
import type { OpenAiModelConfig, OpenAiSettings } from '../../src/config/types.js';
import { UserError } from '../../src/errors.js';
import { OpenAiEmbedder } from '../../src/retrieve/providers/embedders/openai.js';

export interface OpenAiTarget {
  baseURL: string;
  apiKey?: string;
  model: string;
  dimensions: number;
}

/** A complete model config for `target`, as the config loader would give it, with `settings` on top. */
export function openAiModel(target: OpenAiTarget, settings: Partial<OpenAiSettings> = {}): OpenAiModelConfig {
  return {
    alias: 'contract-model',
    provider: 'openai',
    model: target.model,
    version: '1',
    dimensions: target.dimensions,
    pricePer1MTokens: 0,
    apiKeyEnv: 'OPENAI_API_KEY',
    openai: {
      baseURL: target.baseURL,
      tokenizer: 'cl100k_base',
      charsPerToken: 4,
      sendDimensions: true,
      overLong: 'truncate',
      maxInputs: 2048,
      maxTokensPerRequest: 300_000,
      maxTokensPerInput: 8192,
      concurrency: 2,
      timeoutMs: 30_000,
      maxRetries: 4,
      ...settings,
    },
  };
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    aa += x * x;
    bb += y * y;
  }
  return dot / Math.sqrt(aa * bb);
}

/** Row i of a row-major batch. */
export function row(vectors: Float32Array, i: number, dimensions: number): Float32Array {
  return vectors.subarray(i * dimensions, (i + 1) * dimensions);
}

const TEXTS = [
  'The chain skips under load after a new cassette.',
  'Disc brake pads squeal when wet.',
  'How tight should the headset be?',
  'Tubeless tyre keeps losing pressure overnight.',
  'Rear derailleur hanger is bent after a crash.',
];

/**
 * Hosted models are not bit-for-bit deterministic between calls, so "the same vector" is a cosine this
 * close to 1; distinct texts stay well below it.
 */
const SAME = 0.999;

/** Requests that got their answer: a live service may need a retry now and then. */
const answered = (e: OpenAiEmbedder) => e.usage().requests - e.usage().retries;

export function openAiEmbedderContract(target: () => OpenAiTarget): void {
  const embedder = (settings: Partial<OpenAiSettings> = {}) => {
    const t = target();
    return new OpenAiEmbedder(openAiModel(t, settings), t.apiKey === undefined ? {} : { apiKey: t.apiKey });
  };

  describe('OpenAI embeddings contract', () => {
    it('gives each input a vector of `dimensions` finite numbers, in input order, the same for the same text', async () => {
      const e = embedder();
      const d = e.dimensions;
      const texts = [TEXTS[0] as string, TEXTS[1] as string, TEXTS[0] as string];
      const batch = await e.embed(texts, 'query');
      expect(batch.vectors.length).toBe(3 * d);
      expect(batch.vectors.every(Number.isFinite)).toBe(true);
      expect(cosine(row(batch.vectors, 0, d), row(batch.vectors, 2, d))).toBeGreaterThan(SAME);
      expect(cosine(row(batch.vectors, 0, d), row(batch.vectors, 1, d))).toBeLessThan(SAME);
      const alone = await e.embed([TEXTS[1] as string], 'query');
      expect(cosine(alone.vectors, row(batch.vectors, 1, d))).toBeGreaterThan(SAME);
    });

    it('splits by the inputs limit into requests whose vectors match one big request', async () => {
      const whole = await embedder().embed(TEXTS.slice(), 'index-build');
      const small = embedder({ maxInputs: 2 });
      expect(small.batchSizes(TEXTS)).toEqual([2, 2, 1]);
      const split = await small.embed(TEXTS.slice(), 'index-build');
      expect(answered(small)).toBe(3);
      for (let i = 0; i < TEXTS.length; i++) {
        expect(
          cosine(row(split.vectors, i, small.dimensions), row(whole.vectors, i, small.dimensions)),
        ).toBeGreaterThan(SAME);
      }
    });

    it('splits by the tokens limit, greedily, every request within it', async () => {
      const counts = TEXTS.map((text) => encode(text).length);
      const limit = Math.max(...counts) + 2;
      const e = embedder({ maxTokensPerRequest: limit });
      const sizes = e.batchSizes(TEXTS);
      let start = 0;
      for (const size of sizes) {
        const tokens = counts.slice(start, start + size).reduce((sum, n) => sum + n, 0);
        expect(tokens).toBeLessThanOrEqual(limit);
        // Greedy: the next text would not have fitted.
        if (start + size < TEXTS.length)
          expect(tokens + (counts[start + size] as number)).toBeGreaterThan(limit);
        start += size;
      }
      await e.embed(TEXTS.slice(), 'index-build');
      expect(answered(e)).toBe(sizes.length);
    });

    it('reports the billed tokens, which are the cl100k counts of the inputs', async () => {
      const e = embedder();
      const batch = await e.embed(TEXTS.slice(), 'query');
      const counted = TEXTS.reduce((sum, text) => sum + encode(text).length, 0);
      expect(batch.tokens).toBe(counted);
      expect(e.usage().tokens).toBe(counted);
      expect(answered(e)).toBe(1);
    });

    it('refuses empty and whitespace-only texts by name before anything is sent', async () => {
      const e = embedder();
      const attempt = () => e.prepare(['fine', '', ' \n\t'], ['query q1', 'query q2', 'query q3']);
      expect(attempt).toThrow(UserError);
      expect(attempt).toThrow(/2 texts are empty: query q2, query q3/);
      await expect(e.embed(['fine', ''], 'query')).rejects.toThrow(UserError);
      expect(e.usage().requests).toBe(0);
    });
  });
}
