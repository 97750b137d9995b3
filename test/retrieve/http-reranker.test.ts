import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpReranker, type HttpRerankerOptions } from '../../src/retrieve/providers/rerankers/http.js';
import { limiterFor } from '../../src/retrieve/transport/rate-limiter.js';
import { HttpError, retryAfterMs } from '../../src/retrieve/transport/retry.js';
import type { Candidate } from '../../src/retrieve/types.js';

interface Received {
  url: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/** Answers request n (0-based) with `handle`; records every request. */
type Handler = (body: Record<string, unknown>, res: ServerResponse, n: number, req: IncomingMessage) => void;

const servers: { close(): void; closeAllConnections(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

async function serve(handle: Handler): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      received.push({ url: req.url ?? '', authorization: req.headers.authorization, body });
      handle(body, res, received.length - 1, req);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

function json(res: ServerResponse, value: unknown, status = 200, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

/** "doc 7" scores 7: a server that needs no state to score consistently across batches and retries. */
const scoreOf = (text: unknown) => Number(String(text).replace('doc ', ''));

function candidates(n: number): Candidate[] {
  return Array.from({ length: n }, (_, i) => ({ docid: `d${i}`, score: 1, text: `doc ${i}` }));
}

/** Cohere's answer shape, sorted by relevance as Cohere sorts it. */
function cohereAnswer(body: Record<string, unknown>, units: number | undefined = 1) {
  const results = (body.documents as string[])
    .map((text, index) => ({ index, relevance_score: scoreOf(text) / 100 }))
    .sort((a, b) => b.relevance_score - a.relevance_score);
  return units === undefined ? { results } : { results, meta: { billed_units: { search_units: units } } };
}

const QUERY = { id: 'q1', text: 'brake pads' };
const FAST = { retryBaseMs: 1, retryMaxMs: 50 } satisfies Partial<HttpRerankerOptions>;

describe('HttpReranker', () => {
  it('Cohere: maps relevance-sorted results back to candidate order, sends the key as Bearer', async () => {
    const { url, received } = await serve((body, res) => json(res, cohereAnswer(body, 1)));
    const reranker = new HttpReranker({ api: 'cohere', url, model: 'rerank-v3.5', apiKey: 'sk-live-123' });
    const result = await reranker.rerank(QUERY, candidates(3));
    expect(result).toEqual({ scores: [0, 0.01, 0.02], searchUnits: 1 });
    expect(reranker.id).toBe('http:cohere:rerank-v3.5');
    expect(received[0]).toEqual({
      url: '/v2/rerank',
      authorization: 'Bearer sk-live-123',
      body: { model: 'rerank-v3.5', query: 'brake pads', documents: ['doc 0', 'doc 1', 'doc 2'], top_n: 3 },
    });
  });

  it('Jina: reads /v1/rerank results and reports usage tokens', async () => {
    const { url, received } = await serve((_body, res) =>
      json(res, {
        usage: { total_tokens: 42 },
        results: [
          { index: 1, relevance_score: 0.9 },
          { index: 0, relevance_score: 0.2 },
        ],
      }),
    );
    const reranker = new HttpReranker({ api: 'jina', url, model: 'jina-reranker-v2' });
    expect(await reranker.rerank(QUERY, candidates(2))).toEqual({ scores: [0.2, 0.9], tokens: 42 });
    expect(received[0]?.url).toBe('/v1/rerank');
    expect(received[0]?.authorization).toBeUndefined();
    expect(received[0]?.body).toMatchObject({ model: 'jina-reranker-v2', documents: ['doc 0', 'doc 1'] });
  });

  it('TEI: splits 70 candidates into batches of 32 and offsets the indices', async () => {
    const { url, received } = await serve((body, res) =>
      json(res, (body.texts as string[]).map((text, index) => ({ index, score: scoreOf(text) })).reverse()),
    );
    const reranker = new HttpReranker({ api: 'tei', url: `${url}/` });
    const result = await reranker.rerank(QUERY, candidates(70));
    expect(result).toEqual({ scores: Array.from({ length: 70 }, (_, i) => i) });
    expect(received.map((r) => [r.url, (r.body.texts as string[]).length])).toEqual([
      ['/rerank', 32],
      ['/rerank', 32],
      ['/rerank', 6],
    ]);
    expect(reranker.id).toBe(`http:tei:${url}/`);
  });

  it('sums search units over batches, and counts one per request when Cohere omits them', async () => {
    const billed = await serve((body, res) => json(res, cohereAnswer(body, 2)));
    const unbilled = await serve((body, res) => json(res, cohereAnswer(body, undefined)));
    const options = { api: 'cohere', model: 'm', batchSize: 2 } as const;
    expect(
      (await new HttpReranker({ ...options, url: billed.url }).rerank(QUERY, candidates(5))).searchUnits,
    ).toBe(6);
    expect(
      (await new HttpReranker({ ...options, url: unbilled.url }).rerank(QUERY, candidates(5))).searchUnits,
    ).toBe(3);
  });

  it('returns no scores for no candidates without calling the API', async () => {
    const { url, received } = await serve((body, res) => json(res, cohereAnswer(body)));
    expect(await new HttpReranker({ api: 'cohere', url, model: 'm' }).rerank(QUERY, [])).toEqual({
      scores: [],
    });
    expect(received).toHaveLength(0);
  });

  describe('retries', () => {
    const clean = async () => {
      const { url } = await serve((body, res) => json(res, cohereAnswer(body)));
      return new HttpReranker({ api: 'cohere', url, model: 'm' }).rerank(QUERY, candidates(4));
    };

    it('waits out a 429 with retry-after-ms, then gives the same scores as a clean run', async () => {
      const { url, received } = await serve((body, res, n) =>
        n === 0
          ? json(res, { message: 'slow down' }, 429, { 'retry-after-ms': '20' })
          : json(res, cohereAnswer(body)),
      );
      const reranker = new HttpReranker({ api: 'cohere', url, model: 'm', retryBaseMs: 1 });
      const start = performance.now();
      expect(await reranker.rerank(QUERY, candidates(4))).toEqual(await clean());
      expect(performance.now() - start).toBeGreaterThanOrEqual(15);
      expect(reranker.retries()).toBe(1);
      expect(received).toHaveLength(2);
    });

    it('paces through the upstream limiter when the account has a request limit, and a 429 slows it', async () => {
      const { url, received } = await serve((body, res, n) =>
        n === 1
          ? json(res, { message: 'slow down' }, 429, { 'retry-after-ms': '5' })
          : json(res, cohereAnswer(body)),
      );
      const reranker = new HttpReranker({
        api: 'cohere',
        url,
        model: 'm',
        retryBaseMs: 1,
        batchSize: 2,
        requestsPerMinute: 6000,
      });
      expect((await reranker.rerank(QUERY, candidates(4))).scores).toEqual((await clean()).scores);
      expect(received).toHaveLength(3);
      // The same limiter every client of this endpoint and key shares: it saw the 429 and every request.
      const shared = limiterFor(`${url}/v2/rerank`, undefined, { concurrency: 1 }).state();
      expect(shared).toMatchObject({ rateLimited: 1, inFlight: 0, maxInFlight: 1, requestsPerMinute: 6000 });
    });

    it('retries a 500', async () => {
      const { url } = await serve((body, res, n) =>
        n === 0 ? json(res, { error: 'boom' }, 500) : json(res, cohereAnswer(body)),
      );
      const reranker = new HttpReranker({ api: 'cohere', url, model: 'm', ...FAST });
      expect(await reranker.rerank(QUERY, candidates(4))).toEqual(await clean());
      expect(reranker.retries()).toBe(1);
    });

    it('retries a timeout', async () => {
      const { url } = await serve((body, res, n) => {
        if (n > 0) json(res, cohereAnswer(body));
        else setTimeout(() => json(res, cohereAnswer(body)), 500).unref();
      });
      const reranker = new HttpReranker({ api: 'cohere', url, model: 'm', timeoutMs: 100, ...FAST });
      expect(await reranker.rerank(QUERY, candidates(4))).toEqual(await clean());
      expect(reranker.retries()).toBe(1);
    });

    it('retries a dropped connection', async () => {
      const { url } = await serve((body, res, n, req) =>
        n === 0 ? req.socket.destroy() : json(res, cohereAnswer(body)),
      );
      const reranker = new HttpReranker({ api: 'cohere', url, model: 'm', ...FAST });
      expect(await reranker.rerank(QUERY, candidates(4))).toEqual(await clean());
      expect(reranker.retries()).toBe(1);
    });

    it('gives up after maxRetries, naming the last status', async () => {
      const { url, received } = await serve((_body, res) => json(res, { error: 'down' }, 503));
      const reranker = new HttpReranker({ api: 'cohere', url, model: 'm', maxRetries: 2, ...FAST });
      await expect(reranker.rerank(QUERY, candidates(1))).rejects.toThrow(
        /Cohere rerank .*: HTTP 503: \{"error":"down"\} \(gave up after 2 retries\)/,
      );
      expect(received).toHaveLength(3);
    });

    it('fails a 400 at once with the status and the start of the body', async () => {
      const { url, received } = await serve((_body, res) =>
        json(res, { message: `invalid model ${'x'.repeat(1000)}` }, 400),
      );
      const reranker = new HttpReranker({ api: 'jina', url, model: 'nope', ...FAST });
      const error = await reranker.rerank(QUERY, candidates(1)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpError);
      expect((error as HttpError).status).toBe(400);
      expect((error as Error).message).toMatch(
        /^Jina rerank http:.*\/v1\/rerank: HTTP 400: \{"message":"invalid model x+…$/,
      );
      expect((error as Error).message.length).toBeLessThan(500);
      expect(received).toHaveLength(1);
    });
  });

  it('never shows the API key, even when the server echoes it', async () => {
    const key = 'sk-very-secret-key';
    const echo = await serve((_body, res, _n, req) =>
      json(res, { message: `invalid api key: ${req.headers.authorization}` }, 401),
    );
    const reranker = new HttpReranker({ api: 'cohere', url: echo.url, model: 'm', apiKey: key });
    const message = await reranker.rerank(QUERY, candidates(1)).catch((e: Error) => e.message);
    expect(message).toContain('HTTP 401');
    expect(message).toContain('Bearer [redacted]');
    expect(message).not.toContain(key);
    expect(echo.received).toHaveLength(1);
  });

  describe('malformed answers fail naming the API', () => {
    const cases: [string, HttpRerankerOptions['api'], unknown, RegExp][] = [
      [
        'missing score',
        'cohere',
        { results: [{ index: 0 }, { index: 1, relevance_score: 1 }] },
        /score undefined/,
      ],
      [
        'NaN score',
        'tei',
        [
          { index: 0, score: 'NaN' },
          { index: 1, score: 1 },
        ],
        /score "NaN"/,
      ],
      [
        'index out of range',
        'jina',
        {
          results: [
            { index: 0, relevance_score: 1 },
            { index: 2, relevance_score: 1 },
          ],
        },
        /index 2 is not one of 0\.\.1/,
      ],
      [
        'duplicate index',
        'cohere',
        {
          results: [
            { index: 1, relevance_score: 1 },
            { index: 1, relevance_score: 1 },
          ],
        },
        /index 1 appears twice/,
      ],
      ['wrong count', 'jina', { results: [{ index: 0, relevance_score: 1 }] }, /1 results for 2 documents/],
      ['no results', 'tei', { error: 'x' }, /no results array/],
    ];
    it.each(cases)('%s', async (_name, api, answer, reason) => {
      const { url } = await serve((_body, res) => json(res, answer));
      const label = { cohere: 'Cohere', jina: 'Jina', tei: 'TEI' }[api];
      await expect(new HttpReranker({ api, url, model: 'm' }).rerank(QUERY, candidates(2))).rejects.toThrow(
        new RegExp(`^${label} rerank: malformed response: .*${reason.source}`),
      );
    });

    it('a body that is not JSON', async () => {
      const { url } = await serve((_body, res) => res.end('<html>gateway</html>'));
      await expect(new HttpReranker({ api: 'tei', url }).rerank(QUERY, candidates(1))).rejects.toThrow(
        /^TEI rerank http:\/\/127.0.0.1:\d+\/rerank: response is not JSON: <html>gateway<\/html>/,
      );
    });
  });

  it('requires a url for TEI and a model for Cohere and Jina', () => {
    expect(() => new HttpReranker({ api: 'tei' })).toThrow(/TEI rerank: a url is required/);
    expect(() => new HttpReranker({ api: 'jina' })).toThrow(/Jina rerank: a model is required/);
  });
});

describe('retryAfterMs', () => {
  const headers = (values: Record<string, string>) => new Headers(values);
  it('reads milliseconds first, then seconds or an HTTP date', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(retryAfterMs(headers({ 'retry-after': '2' }))).toBe(2000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(headers({}))).toBeUndefined();
  });
});
