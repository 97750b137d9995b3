import { encode } from 'gpt-tokenizer/encoding/cl100k_base';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenAiSettings } from '../../src/config/types.js';
import { UserError } from '../../src/errors.js';
import { OpenAiEmbedder } from '../../src/retrieve/providers/embedders/openai.js';
import { parseResetDuration } from '../../src/retrieve/transport/rate-limit-headers.js';
import { HttpError } from '../../src/retrieve/transport/retry.js';
import { useEmbeddingsServers } from '../helpers/embeddings-servers.js';
import {
  type EmbeddingsServer,
  expectedVector,
  type Fault,
  startEmbeddingsServer,
} from '../servers/openai-embeddings-server.js';
import { openAiEmbedderContract, openAiModel } from './openai-contract.js';

const MODEL = 'text-embedding-3-small';
const DIMENSIONS = 64;
/** Small waits between retries: the retry policy is under test, not its delays. */
const FAST = { retryBaseMs: 1, retryMaxMs: 100 };

const serve = useEmbeddingsServers();

/**
 * Each embedder gets its own key unless a test shares one: limiters are shared per base URL and key, and
 * tests must not inherit each other's budgets.
 */
let keys = 0;
function embedderFor(
  server: EmbeddingsServer,
  settings: Partial<OpenAiSettings> = {},
  apiKey: string | null = `sk-test-${++keys}`,
  rateWindowMs?: number,
): OpenAiEmbedder {
  const model = openAiModel({ baseURL: server.url, model: MODEL, dimensions: DIMENSIONS }, settings);
  const options = { ...FAST, ...(rateWindowMs === undefined ? {} : { rateWindowMs }) };
  return new OpenAiEmbedder(model, apiKey === null ? options : { apiKey, ...options });
}

function expected(texts: readonly string[], dimensions = DIMENSIONS): Float32Array {
  const out = new Float32Array(texts.length * dimensions);
  texts.forEach((text, i) => {
    out.set(expectedVector(text, dimensions), i * dimensions);
  });
  return out;
}

/** Distinct texts of roughly `words` words each. */
function texts(n: number, words = 8, prefix = 'text'): string[] {
  return Array.from({ length: n }, (_, i) =>
    [`${prefix} ${i}:`, ...Array.from({ length: words - 1 }, (_, w) => `word${(i * 7 + w) % 13}`)].join(' '),
  );
}

const tokens = (text: string) => encode(text, { disallowedSpecial: new Set() }).length;

/** Distinct texts adding up to just over `total` tokens. */
function textsOver(total: number): string[] {
  const out: string[] = [];
  let sum = 0;
  for (let i = 0; sum <= total; i++) {
    const text = texts(1, 10, `paced ${i}`)[0] as string;
    out.push(text);
    sum += tokens(text);
  }
  return out;
}

/** As the runner's embedAll does: the embedder's batches, all started at once, its limiter pacing them. */
async function embedAllAtOnce(embedder: OpenAiEmbedder, input: string[]): Promise<Float32Array> {
  let start = 0;
  const batches = embedder.batchSizes(input).map((size) => {
    const batch = input.slice(start, start + size);
    start += size;
    return embedder.embed(batch, 'index-build');
  });
  const out = new Float32Array(input.length * embedder.dimensions);
  let offset = 0;
  for (const batch of await Promise.all(batches)) {
    out.set(batch.vectors, offset);
    offset += batch.vectors.length;
  }
  return out;
}

describe('OpenAiEmbedder: the contract against the local server', () => {
  let server: EmbeddingsServer;
  beforeAll(async () => {
    server = await startEmbeddingsServer();
  });
  afterAll(() => server.close());
  openAiEmbedderContract(() => ({
    baseURL: server.url,
    apiKey: 'sk-contract',
    model: MODEL,
    dimensions: DIMENSIONS,
  }));
});

describe('OpenAiEmbedder', () => {
  it('sends model, inputs, dimensions and float encoding, and places vectors by index', async () => {
    const server = await serve();
    const embedder = embedderFor(server);
    const input = texts(3);
    const batch = await embedder.embed(input, 'query');
    expect(server.stats.lastBody).toEqual({
      model: MODEL,
      input,
      encoding_format: 'float',
      dimensions: DIMENSIONS,
    });
    expect(batch.vectors).toEqual(expected(input));
    expect(batch).toMatchObject({ tokens: input.reduce((sum, t) => sum + tokens(t), 0), retries: 0 });
    expect(embedder).toMatchObject({ id: `openai:${MODEL}`, dimensions: DIMENSIONS, maxBatchSize: 2048 });
    expect(embedder.concurrency).toBe(2);
  });

  it('the stock openai client (base64 by default) reads the same vectors from the test server', async () => {
    const server = await serve();
    const input = texts(2);
    const stock = new OpenAI({ baseURL: server.url, apiKey: 'sk-stock', maxRetries: 0 });
    const answer = await stock.embeddings.create({ model: MODEL, input, dimensions: DIMENSIONS });
    const ours = await embedderFor(server).embed(input, 'query');
    expect(answer.data.map((d) => Array.from(d.embedding))).toEqual([
      Array.from(ours.vectors.subarray(0, DIMENSIONS)),
      Array.from(ours.vectors.subarray(DIMENSIONS)),
    ]);
  });

  it('omits dimensions when sendDimensions is off, and sends no Authorization header without a key', async () => {
    const server = await serve({ nativeDimensions: DIMENSIONS });
    const embedder = embedderFor(server, { sendDimensions: false }, null);
    const input = texts(2);
    expect((await embedder.embed(input, 'query')).vectors).toEqual(expected(input));
    expect(server.stats.lastBody).not.toHaveProperty('dimensions');
    expect(server.stats.authorizations).toEqual([undefined]);
  });

  it('batches by the inputs limit and the tokens limit, as the server counts them', async () => {
    const server = await serve();
    const input = texts(10);
    await embedderFor(server, { maxInputs: 4 }).embed(input, 'index-build');
    expect(server.stats.served.map((s) => s.inputs)).toEqual([4, 4, 2]);

    const byTokens = await serve();
    const mixed = [...texts(3, 4), ...texts(2, 30, 'long'), ...texts(4, 4, 'short')];
    const limit = 70;
    const embedder = embedderFor(byTokens, { maxTokensPerRequest: limit });
    const sizes = embedder.batchSizes(mixed);
    const batch = await embedder.embed(mixed, 'index-build');
    expect(batch.vectors).toEqual(expected(mixed));
    expect(byTokens.stats.served.map((s) => s.inputs)).toEqual(sizes);
    expect(sizes.length).toBeGreaterThan(1);
    const served = byTokens.stats.served.map((s) => s.tokens);
    expect(Math.max(...served)).toBeLessThanOrEqual(limit);
    // Greedy: each request but the last would have overflowed with the next text.
    let start = 0;
    sizes.slice(0, -1).forEach((size, i) => {
      start += size;
      expect((served[i] as number) + tokens(mixed[start] as string)).toBeGreaterThan(limit);
    });
  });

  it('counts tokens with cl100k exactly as the server bills them, special-token text included', async () => {
    const server = await serve();
    const embedder = embedderFor(server);
    const input = ['naïve café — 日本語のテキスト', 'ends with <|endoftext|> literally', 'x'.repeat(300)];
    const batch = await embedder.embed(input, 'query');
    const billed = server.stats.served[0]?.tokens;
    expect(billed).toBe(input.reduce((sum, t) => sum + tokens(t), 0));
    expect(batch.tokens).toBe(billed);
    expect(embedder.usage()).toEqual({ requests: 1, retries: 0, rateLimited: 0, tokens: billed });
  });

  it('truncates over-long inputs to exactly the token limit and names them', async () => {
    const server = await serve();
    const embedder = embedderFor(server, { maxTokensPerInput: 16 });
    const long =
      'Adjust the rear derailleur limit screws before indexing the gears on a new cassette. '.repeat(4);
    const prepared = embedder.prepare(['short one', long], ['document d1', 'document d2']);
    expect(prepared.truncated).toEqual(['document d2']);
    expect(prepared.texts[0]).toBe('short one');
    const cut = prepared.texts[1] as string;
    expect(long.startsWith(cut)).toBe(true);
    expect(tokens(cut)).toBe(16);
    await embedder.embed(prepared.texts, 'index-build');
    expect([...server.stats.embedCounts.keys()]).toEqual(prepared.texts);

    const estimated = embedderFor(server, { tokenizer: 'estimate', charsPerToken: 4, maxTokensPerInput: 10 });
    expect(estimated.prepare([long], ['document d2']).texts[0]).toBe(long.slice(0, 40));
  });

  it('refuses over-long inputs with their names and counts when overLong is reject, before any request', async () => {
    const server = await serve();
    const embedder = embedderFor(server, { overLong: 'reject', maxTokensPerInput: 5 });
    const attempt = () => embedder.prepare(['fits', texts(1, 12)[0] as string], ['query q1', 'query q2']);
    expect(attempt).toThrow(UserError);
    expect(attempt).toThrow(
      /1 text is over the 5-token input limit \(overLong: reject.*\): query q2 \(\d+ tokens\)/,
    );
    expect(server.stats.requests).toBe(0);
  });

  it('lists the first ten empty texts and how many more, and sends nothing', async () => {
    const server = await serve();
    const embedder = embedderFor(server);
    const names = Array.from({ length: 12 }, (_, i) => `query q${i + 1}`);
    const attempt = () => embedder.prepare(Array(12).fill('  '), names);
    expect(attempt).toThrow(/12 texts are empty: query q1, query q2, .*query q10 and 2 more/);
    expect(server.stats.requests).toBe(0);
  });

  it('versions change with whatever changes a vector: model version, dimensions, truncation policy', () => {
    const server = { url: 'http://127.0.0.1:9/v1' } as EmbeddingsServer;
    const base = embedderFor(server).version;
    const variants = [
      embedderFor(server, { overLong: 'reject' }).version,
      embedderFor(server, { maxTokensPerInput: 512 }).version,
      embedderFor(server, { tokenizer: 'o200k_base' }).version,
      new OpenAiEmbedder({ ...openAiModel({ baseURL: server.url, model: MODEL, dimensions: 128 }) }).version,
      new OpenAiEmbedder({
        ...openAiModel({ baseURL: server.url, model: MODEL, dimensions: 64 }),
        version: '2',
      }).version,
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
    expect(embedderFor(server).version).toBe(base);
  });

  describe('survives each transient fault with the vectors of a clean run', () => {
    const cases: [string, Fault, Partial<OpenAiSettings>][] = [
      ['429 with retry-after-ms', { status: 429, retryAfterMs: 20 }, {}],
      ['500', { status: 500 }, {}],
      ['503', { status: 503 }, {}],
      ['a hang past the timeout', 'hang', { timeoutMs: 300 }],
      ['a connection reset', 'reset', {}],
      ['a malformed body', 'malformed', {}],
      ['a missing embedding', 'wrong-count', {}],
    ];
    it.each(cases)('%s', async (_name, fault, settings) => {
      const server = await serve();
      const embedder = embedderFor(server, settings);
      const input = texts(5);
      server.inject(fault);
      const batch = await embedder.embed(input, 'index-build');
      expect(batch.vectors).toEqual(expected(input));
      expect(batch.retries).toBe(1);
      expect(server.stats.requests).toBe(2);
      expect(embedder.usage()).toMatchObject({ requests: 2, retries: 1 });
      if (typeof fault === 'object' && fault.status === 429) {
        expect(embedder.usage().rateLimited).toBe(1);
        // The shared pacer slowed down for everyone on this upstream.
        expect(embedder.limiter.state().slowdown).toBeLessThan(1);
      }
    });
  });

  it('gives up after maxRetries with the last problem in the message', async () => {
    const server = await serve();
    const embedder = embedderFor(server, { maxRetries: 2 });
    server.inject({ status: 503 }, 3);
    const failure = embedder.embed(texts(2), 'query');
    await expect(failure).rejects.toThrow(HttpError);
    await expect(failure).rejects.toThrow(/HTTP 503: .*injected 503 \(gave up after 2 retries\)/);
    expect(server.stats.requests).toBe(3);
  });

  it('fails at once on 401, naming the key variable, the key sent but never printed', async () => {
    const server = await serve({ apiKey: 'sk-right' });
    const secret = 'sk-test-SECRET-0123456789';
    const embedder = embedderFor(server, {}, secret);
    const error = await embedder.embed(texts(1), 'query').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /HTTP 401: .*Incorrect API key provided: \[redacted\].*check the API key in OPENAI_API_KEY/,
    );
    expect(message).not.toContain(secret);
    expect(String((error as Error).stack)).not.toContain(secret);
    expect(server.stats.requests).toBe(1);
    expect(server.stats.authorizations).toEqual([`Bearer ${secret}`]);
  });

  it('fails when the vectors are not of the configured size twice in a row, saying what to set', async () => {
    const server = await serve({ nativeDimensions: 96 });
    const embedder = embedderFor(server, { sendDimensions: false });
    await expect(embedder.embed(texts(2), 'query')).rejects.toThrow(
      /returned 96-dimensional vectors but the config says dimensions: 64; set dimensions/,
    );
    // Once may be a replica answering wrongly; the same again is the config.
    expect(server.stats.requests).toBe(2);
  });

  it('two embedders on one upstream share one limiter: in flight never exceeds its concurrency', async () => {
    const server = await serve({ latencyMs: 20 });
    const a = embedderFor(server, { concurrency: 2 }, 'sk-shared');
    const b = embedderFor(server, { concurrency: 2 }, 'sk-shared');
    expect(a.limiter).toBe(b.limiter);
    expect(embedderFor(server, {}, 'sk-other').limiter).not.toBe(a.limiter);
    const calls = texts(16).map((text, i) => (i % 2 === 0 ? a : b).embed([text], 'query'));
    await Promise.all(calls);
    expect(server.stats.requests).toBe(16);
    expect(server.stats.maxInFlight).toBe(2);
    expect(a.limiter.state().maxInFlight).toBe(2);
  });

  it('paces to the configured tokens per minute: a run past a minute of budget gets no 429', async () => {
    // A 3-second "minute" on both sides: the pacing is the same, the test fast.
    const server = await serve({ tokensPerMinute: 6000, rateLimitHeaders: false, windowMs: 3000 });
    const embedder = embedderFor(
      server,
      { tokensPerMinute: 6000, maxTokensPerRequest: 300, concurrency: 4 },
      undefined,
      3000,
    );
    const input = textsOver(6200);
    const total = input.reduce((sum, t) => sum + tokens(t), 0);
    // More than the server's full bucket: without pacing, the last requests would be refused.
    expect(total).toBeGreaterThan(6000);
    expect(await embedAllAtOnce(embedder, input)).toEqual(expected(input));
    expect(server.stats.rateLimited).toBe(0);
    expect(embedder.usage().rateLimited).toBe(0);
    expect(server.stats.served.reduce((sum, s) => sum + s.tokens, 0)).toBe(total);
  });

  it("lowers the budget to the server's x-ratelimit limit when it is below the configured one", async () => {
    const server = await serve({ tokensPerMinute: 6000, windowMs: 3000 });
    const embedder = embedderFor(
      server,
      { tokensPerMinute: 60_000, maxTokensPerRequest: 300, concurrency: 4 },
      undefined,
      3000,
    );
    const input = textsOver(6200);
    expect(await embedAllAtOnce(embedder, input)).toEqual(expected(input));
    expect(embedder.limiter.state().tokensPerMinute).toBe(6000);
    // Paced at the configured 60,000, the same run gets a 429 (the first response's headers prevent it).
    expect(server.stats.rateLimited).toBe(0);
  });

  it('reads reset durations as OpenAI writes them', () => {
    expect(parseResetDuration('1s')).toBe(1000);
    expect(parseResetDuration('6m0s')).toBe(360_000);
    expect(parseResetDuration('20ms')).toBe(20);
    expect(parseResetDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseResetDuration('0.25')).toBe(250);
    expect(parseResetDuration('soon')).toBeUndefined();
    expect(parseResetDuration(null)).toBeUndefined();
  });
});
