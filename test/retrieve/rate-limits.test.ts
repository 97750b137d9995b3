/**
 * Pacing under per-minute limits, a server's retry-after, and unusable answers, against the local
 * OpenAI-compatible server. Limits count over a one-second "minute" on both sides (the limiter and the
 * server share the window length), so each case spends more than a minute's budget in about a second or two.
 * Every assertion is about behaviour (requests within the budget, each text embedded once, the 429s, the
 * messages), never about wall-clock time.
 */
import { encode } from 'gpt-tokenizer/encoding/cl100k_base';
import { describe, expect, it } from 'vitest';
import type { OpenAiSettings } from '../../src/config/types.js';
import { ServiceError } from '../../src/errors.js';
import { OpenAiEmbedder } from '../../src/retrieve/providers/embedders/openai.js';
import { parseResetDuration } from '../../src/retrieve/transport/rate-limit-headers.js';
import { HEADROOM, PROBE_TOKENS, REQUESTS_PER_WINDOW } from '../../src/retrieve/transport/rate-limiter.js';
import { retryAfter, safeUrl } from '../../src/retrieve/transport/retry.js';
import { useEmbeddingsServers } from '../helpers/embeddings-servers.js';
import { type EmbeddingsServer, expectedVector, type Fault } from '../servers/openai-embeddings-server.js';
import { openAiModel } from './openai-contract.js';

const MODEL = 'text-embedding-3-small';
const DIMENSIONS = 16;
const WINDOW_MS = 1000;

const serve = useEmbeddingsServers();

let keys = 0;
function embedderFor(
  server: EmbeddingsServer,
  settings: Partial<OpenAiSettings> = {},
  notices: string[] = [],
): OpenAiEmbedder {
  const model = openAiModel({ baseURL: server.url, model: MODEL, dimensions: DIMENSIONS }, settings);
  return new OpenAiEmbedder(model, {
    apiKey: `sk-rate-${++keys}`,
    retryBaseMs: 1,
    retryMaxMs: 50,
    rateWindowMs: WINDOW_MS,
    notify: (line) => notices.push(line),
  });
}

const tokens = (text: string) => encode(text, { disallowedSpecial: new Set() }).length;

/** Distinct texts of about 50 tokens, adding up to just over `total`. */
function textsOver(total: number, tag: string): string[] {
  const out: string[] = [];
  let sum = 0;
  for (let i = 0; sum <= total; i++) {
    const text = `${tag} note ${i}: ${Array.from({ length: 40 }, (_, w) => `w${(i * 31 + w * 7) % 97}`).join(' ')}`;
    out.push(text);
    sum += tokens(text);
  }
  return out;
}

/** As embedAll does: the embedder's planned batches, `concurrency` at a time, each in its own call. */
async function embedAllAtOnce(embedder: OpenAiEmbedder, input: string[]): Promise<Float32Array> {
  const out = new Float32Array(input.length * embedder.dimensions);
  const batches: { start: number; end: number }[] = [];
  let start = 0;
  for (const size of embedder.batchSizes(input)) {
    batches.push({ start, end: start + size });
    start += size;
  }
  let next = 0;
  const worker = async () => {
    for (let b = batches[next++]; b !== undefined; b = batches[next++]) {
      const batch = await embedder.embed(input.slice(b.start, b.end), 'index-build');
      out.set(batch.vectors, b.start * embedder.dimensions);
    }
  };
  await Promise.all(Array.from({ length: embedder.concurrency }, worker));
  return out;
}

function expected(texts: readonly string[]): Float32Array {
  const out = new Float32Array(texts.length * DIMENSIONS);
  texts.forEach((text, i) => {
    out.set(expectedVector(text, DIMENSIONS), i * DIMENSIONS);
  });
  return out;
}

describe('pacing at ordinary limits (sliding-window server, default batch limits)', () => {
  const cases: [number, 'configured' | 'header-only'][] = [60_000, 200_000, 1_000_000].flatMap(
    (tpm) =>
      [
        [tpm, 'configured'],
        [tpm, 'header-only'],
      ] as [number, 'configured' | 'header-only'][],
  );
  it.each(cases)(
    '%i TPM, %s: every request within the budget, every text once, no 429',
    async (tpm, mode) => {
      const server = await serve({
        tokensPerMinute: tpm,
        requestsPerMinute: 3000,
        limiter: 'sliding',
        windowMs: WINDOW_MS,
        rateLimitHeaders: mode === 'header-only',
        latencyMs: 1,
      });
      const embedder = embedderFor(
        server,
        mode === 'configured'
          ? { tokensPerMinute: tpm, requestsPerMinute: 3000, concurrency: 4 }
          : { concurrency: 4 },
      );
      // A minute and a half of budget: at the default 2,048 inputs, one batch of these would be ~100k tokens.
      const input = textsOver(tpm * 1.5, `${mode} ${tpm}`);
      expect(await embedAllAtOnce(embedder, input)).toEqual(expected(input));
      expect(server.stats.rateLimited).toBe(0);
      expect(embedder.usage().rateLimited).toBe(0);
      // No request held more than a fortieth of the minute's budget (the first, header-only, is a small probe).
      const largest = Math.max(...server.stats.served.map((s) => s.tokens));
      expect(largest).toBeLessThanOrEqual(
        Math.max((tpm * HEADROOM) / REQUESTS_PER_WINDOW, PROBE_TOKENS) + 100,
      );
      expect([...server.stats.embedCounts.values()].every((n) => n === 1)).toBe(true);
      expect(server.stats.embedCounts.size).toBe(input.length);
      expect(embedder.limiter.state()).toMatchObject({
        tokensPerMinute: tpm,
        tokensFrom: mode === 'configured' ? 'configured' : 'headers',
      });
    },
  );

  it('header-only: a first batch larger than the whole minute is split once the headers say the limit', async () => {
    const server = await serve({ tokensPerMinute: 6000, limiter: 'sliding', windowMs: WINDOW_MS });
    const embedder = embedderFor(server, { concurrency: 2 });
    const input = textsOver(9000, 'split');
    // Planned before anything is known: one request's worth by the per-request maxima alone.
    expect(embedder.batchSizes(input)).toEqual([input.length]);
    expect(await embedder.embed(input, 'index-build')).toMatchObject({ vectors: expected(input) });
    expect(server.stats.tooLarge).toBe(0);
    expect(server.stats.rateLimited).toBe(0);
    expect(Math.max(...server.stats.served.map((s) => s.tokens))).toBeLessThanOrEqual(2100);
    expect([...server.stats.embedCounts.values()].every((n) => n === 1)).toBe(true);
  });

  it('no headers, no limit configured: learns from 429s, splits what never fits, embeds every text once', async () => {
    const server = await serve({
      tokensPerMinute: 3000,
      limiter: 'sliding',
      windowMs: WINDOW_MS,
      rateLimitHeaders: false,
      retryAfterHeaders: false,
    });
    const embedder = embedderFor(server, { concurrency: 2, maxRetries: 20 });
    const input = textsOver(5000, 'blind');
    expect(await embedAllAtOnce(embedder, input)).toEqual(expected(input));
    expect(server.stats.tooLarge).toBeGreaterThan(0);
    expect(embedder.limiter.state().tokensFrom).toBe('estimated');
    expect([...server.stats.embedCounts.values()].every((n) => n === 1)).toBe(true);
    expect(server.stats.embedCounts.size).toBe(input.length);
  });

  it('after a 429 the slowdown recovers: back to the full budget within half a window', async () => {
    const server = await serve();
    const embedder = embedderFor(server);
    server.inject({ status: 429, retryAfterMs: 5 });
    await embedder.embed(['one text'], 'query');
    expect(embedder.limiter.state().slowdown).toBeLessThan(1);
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS / 2 + 50));
    expect(embedder.limiter.state().slowdown).toBe(1);
  });
});

describe("a server's retry-after", () => {
  it('longer than maxRetryWaitMs fails at once, naming the server, the header and its value', async () => {
    const server = await serve();
    const notices: string[] = [];
    const embedder = embedderFor(server, { maxRetryWaitMs: 500 }, notices);
    server.inject({ status: 429, retryAfterMs: 3_600_000 });
    const error = (await embedder.embed(['a text'], 'query').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).exitCode).toBe(2);
    expect(error.message).toContain(server.url);
    expect(error.message).toContain('retry-after-ms: 3600000');
    expect(error.message).toMatch(/asks to wait 1 h 0 min .*longer than maxRetryWaitMs \(500 ms\)/);
    expect(server.stats.requests).toBe(1);
    expect(notices).toEqual([]);
    // The shared limiter holds everyone back no longer than the cap either.
    expect(embedder.limiter.state().pausedMs).toBeLessThanOrEqual(500);
  });

  it('a shorter one is waited for, with one line saying so', async () => {
    const server = await serve();
    const notices: string[] = [];
    const embedder = embedderFor(server, {}, notices);
    server.inject({ status: 429, retryAfterMs: 30 });
    const batch = await embedder.embed(['a text'], 'query');
    expect(batch.retries).toBe(1);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(server.url);
    expect(notices[0]).toMatch(
      /HTTP 429, waiting 30 ms as the server asks \(retry-after-ms: 30\) before retry 1 of 4/,
    );
  });

  it('reads retry-after in seconds and reset durations as OpenAI writes them', () => {
    expect(retryAfter(new Headers({ 'retry-after': '3600' }))).toEqual({
      ms: 3_600_000,
      header: 'retry-after: 3600',
    });
    expect(parseResetDuration('1m30.5s')).toBe(90_500);
    expect(parseResetDuration('120ms')).toBe(120);
    expect(parseResetDuration('6m0s')).toBe(360_000);
  });

  it('messages name the server without credentials or keys in its URL', () => {
    expect(safeUrl('https://user:secret@api.example.com/v1?api-key=abc#x')).toBe(
      'https://api.example.com/v1',
    );
  });
});

describe('unusable answers are retried, and fail closed naming the texts when they persist', () => {
  const transient: [string, Fault][] = [
    ['a zero vector', 'zero-vector'],
    ['a NaN component', 'nan'],
    ['one vector of the wrong length', 'wrong-length'],
    ['every vector of another length', 'wrong-dimensions'],
  ];
  it.each(transient)(
    '%s once among good answers: retried, the vectors of a clean run',
    async (_name, fault) => {
      const server = await serve();
      const embedder = embedderFor(server);
      const input = ['first text', 'second text', 'third text'];
      server.inject(fault);
      const batch = await embedder.embed(input, 'index-build');
      expect(batch.vectors).toEqual(expected(input));
      expect(batch.retries).toBe(1);
      expect(server.stats.requests).toBe(2);
    },
  );

  it('a zero vector every time: a ServiceError naming the text', async () => {
    const server = await serve();
    const embedder = embedderFor(server, { maxRetries: 2 });
    const prepared = embedder.prepare(['alpha text', 'beta text'], ['document d1', 'document d2']);
    server.inject('zero-vector', 3);
    const error = (await embedder.embed(prepared.texts, 'index-build').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.message).toMatch(
      /a zero vector for input #0 \(1 text: document d1\) \(gave up after 2 retries\)/,
    );
    expect(server.stats.requests).toBe(3);
  });

  it('NaN every time (written bare in the JSON): names the text', async () => {
    const server = await serve();
    const embedder = embedderFor(server, { maxRetries: 1 });
    const prepared = embedder.prepare(['gamma text'], ['query q7']);
    server.inject('nan', 2);
    await expect(embedder.embed(prepared.texts, 'query')).rejects.toThrow(
      /a NaN or infinite component for input #0 \(1 text: query q7\)/,
    );
  });
});
