import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ServiceError, UserError } from '../../src/errors.js';
import { QdrantConnection } from '../../src/retrieve/providers/qdrant/connection.js';
import { pointIdFor } from '../../src/retrieve/providers/qdrant/point-ids.js';
import { QdrantIndex, type QdrantSearchConfig } from '../../src/retrieve/providers/qdrant/qdrant-index.js';
import { createCollection, upsertPoints, waitForGreen } from '../../src/retrieve/providers/qdrant/write.js';
import { runSystem } from '../../src/retrieve/run-system.js';
import { InFlightLimit } from '../../src/retrieve/transport/in-flight.js';
import { sharedPath } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { QdrantTestServer } from '../servers/qdrant-server.js';
import {
  bruteForce,
  DOC_IDS,
  DOC_VECTORS,
  QUERY_VECTORS,
  qdrantContract,
  queries,
  randomVectors,
} from './qdrant-contract.js';

const QUERY_BATCH = 'POST /collections/{collection_name}/points/query/batch';
const INFO = 'GET /collections/{collection_name}';
const API_KEY = 'qd-secret-key-4711';
const FAST_RETRY = { retryBaseMs: 1, retryMaxMs: 20 };

let server: QdrantTestServer;
let connection: QdrantConnection;

beforeAll(async () => {
  server = await QdrantTestServer.start({ apiKey: API_KEY });
  connection = new QdrantConnection({
    url: server.url,
    apiKey: API_KEY,
    timeoutMs: 5_000,
    maxRetries: 2,
    ...FAST_RETRY,
  });
  await createCollection(connection, {
    name: 'docs',
    size: 8,
    distance: 'cosine',
    metadata: { modelVersion: '1' },
  });
  await upsertPoints(
    connection,
    'docs',
    DOC_IDS.map((docid, i) => ({ docid, vector: DOC_VECTORS[i] as number[], contentSha256: `sha-${i}` })),
  );
});

afterAll(async () => {
  await server.close();
});

qdrantContract(() => ({ url: server.url, apiKey: API_KEY }));

function config(extra: Partial<QdrantSearchConfig> = {}): QdrantSearchConfig {
  return {
    url: server.url,
    collection: 'docs',
    exact: false,
    batchSize: 16,
    concurrency: 4,
    timeoutMs: 5_000,
    maxRetries: 2,
    ...extra,
  };
}

function open(
  extra: Partial<QdrantSearchConfig> = {},
  apiKey: string | undefined = API_KEY,
): Promise<QdrantIndex> {
  return QdrantIndex.open({
    config: config(extra),
    ...(apiKey === undefined ? {} : { apiKey }),
    docIds: DOC_IDS,
    retry: FAST_RETRY,
  });
}

/** Many queries: enough for several batches. */
const MANY = queries(randomVectors(50, 8, 99));

describe('QdrantIndex against the local server', () => {
  it('sends query batches of what it is given: hnsw_ef and exact from config, no payload, no vectors', async () => {
    const index = await open({ hnswEf: 128, exact: true, batchSize: 5 });
    expect(index.batchSize).toBe(5);
    expect(index.concurrency).toBe(4);
    expect(index.needsVectors).toBe(true);
    server.resetCounters();
    await index.search(MANY.slice(0, 5), 7);
    await index.search(MANY.slice(5, 8), 7);
    expect(server.queriesPerBatch).toEqual([5, 3]);
    const request = server.received.find((r) => r.endpoint === QUERY_BATCH);
    expect(request?.path).toBe('/collections/docs/points/query/batch');
    const first = (request?.body as { searches: Record<string, unknown>[] } | undefined)?.searches[0];
    expect(first).toEqual({
      query: Array.from(MANY[0]?.vector as Float32Array),
      limit: 7,
      params: { exact: true, hnsw_ef: 128 },
      with_payload: false,
      with_vector: false,
    });
    expect(request?.apiKey).toBe(API_KEY);
  });

  it('searchExact sends the same query with exact: true, and exists only where the system searches approximately', async () => {
    expect((await open({ exact: true })).searchExact).toBeUndefined();
    const index = await open({ hnswEf: 1 });
    const exact = index.searchExact;
    if (!exact) throw new Error('an HNSW system has an exact check');
    server.resetCounters();
    const [approximate, exactHits] = [await index.search(MANY, 10), await exact(MANY, 10)];
    const sent = server.received
      .filter((r) => r.endpoint === QUERY_BATCH)
      .map((r) => JSON.stringify((r.body as { searches: { params: unknown }[] }).searches[0]?.params));
    expect([...new Set(sent)]).toEqual(['{"exact":false,"hnsw_ef":1}', '{"exact":true}']);
    // The exact answer is brute force; a beam of 1 on m = 16 reaches 16 of the 40 points and misses some.
    MANY.forEach((query, q) => {
      const expected = bruteForce('cosine', DOC_IDS, DOC_VECTORS, Array.from(query.vector ?? []), 10);
      expect(exactHits[q]?.map((h) => h.docid)).toEqual(expected.map((h) => h.docid));
    });
    expect(approximate.some((hits, q) => hits[0]?.docid !== exactHits[q]?.[0]?.docid)).toBe(true);
    // The default beam (ef_construct 100) reaches the whole collection: HNSW's answer is the exact one.
    expect(await (await open()).search(MANY, 10)).toEqual(exactHits);
  });

  it('asks only for the idField payload when one is configured, and names the vector with `using`', async () => {
    await createCollection(connection, {
      name: 'named_idfield',
      size: 8,
      distance: 'dot',
      vectorName: 'text',
    });
    await connection.client.upsert('named_idfield', {
      wait: true,
      points: DOC_IDS.map((docid, i) => ({
        id: i,
        vector: { text: DOC_VECTORS[i] as number[] },
        payload: { ext: docid, body: 'long text the search must not fetch' },
      })),
    });
    const index = await open({ collection: 'named_idfield', vectorName: 'text', idField: 'ext' });
    server.resetCounters();
    const [hits] = await index.search(MANY.slice(0, 1), 3);
    expect(hits?.every((h) => DOC_IDS.includes(h.docid))).toBe(true);
    const search = (server.received[0]?.body as { searches: Record<string, unknown>[] } | undefined)
      ?.searches[0];
    expect(search).toMatchObject({ using: 'text', with_payload: ['ext'], with_vector: false });
    expect(hits?.[0]?.text).toBeUndefined();

    // With textField, hits carry the document text a reranker reads (and only those two fields are fetched).
    const withText = await open({
      collection: 'named_idfield',
      vectorName: 'text',
      idField: 'ext',
      textField: 'body',
    });
    server.resetCounters();
    const [texts] = await withText.search(MANY.slice(0, 1), 3);
    expect(texts?.map((h) => h.text)).toEqual([
      'long text the search must not fetch',
      'long text the search must not fetch',
      'long text the search must not fetch',
    ]);
    const textSearch = server.received[0]?.body as { searches: Record<string, unknown>[] } | undefined;
    expect(textSearch?.searches[0]).toMatchObject({
      with_payload: ['ext', 'body'],
    });
  });

  it('never has more calls in flight than its concurrency, however many searches are started at once', async () => {
    const index = await open({ concurrency: 3, batchSize: 4 });
    server.latencyMs = 5;
    server.resetCounters();
    try {
      const batches = Array.from({ length: 12 }, (_, b) => MANY.slice(b * 4, b * 4 + 4));
      const results = await Promise.all(batches.map((batch) => index.search(batch, 5)));
      expect(results.flat()).toHaveLength(48);
      expect(server.count(QUERY_BATCH)).toBe(12);
      expect(server.maxInFlight).toBeLessThanOrEqual(3);
      expect(server.maxInFlight).toBeGreaterThan(1);
    } finally {
      server.latencyMs = 0;
    }
  });

  it('its limiter admits at most `limit` calls, in arrival order (the pool size is a second bound)', async () => {
    const limit = new InFlightLimit(3);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const calls = Array.from({ length: 8 }, (_, i) =>
      limit.run(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
      }),
    );
    while (started.length < 8) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(running).toBeLessThanOrEqual(3);
      releases.shift()?.();
    }
    for (const release of releases) release();
    await Promise.all(calls);
    expect(most).toBe(3);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('through the runner: batches of batchSize, at most concurrency in flight, same run as one by one', async () => {
    const dir = tempDir();
    const execute = async (index: QdrantIndex, trace: string) =>
      runSystem({
        system: {
          id: 'qdrant',
          index: { alias: 'qd', kind: 'bm25', k1: 0.9, b: 0.4 },
          k: 10,
        },
        components: {
          index,
          embedQueries: async () => ({
            vectors: Float32Array.from(MANY.flatMap((q) => Array.from(q.vector as Float32Array))),
            perQuery: MANY.map(() => ({ latencyMs: null, batchSize: null, tokens: 0 })),
            callMs: [],
            calls: 0,
            tokens: 0,
            retries: 0,
          }),
        },
        queries: MANY.map((q) => ({ id: q.id, text: q.text })),
        documentText: () => '',
        tracePath: join(dir, trace),
        prices: { queryTokenPrice: 0, rerankTokenPrice: 0, rerankSearchUnitPrice: 0 },
      });
    const serial = await execute(await open({ concurrency: 1, batchSize: 1 }), 'serial.jsonl');
    server.latencyMs = 5;
    server.resetCounters();
    try {
      const batched = await execute(await open({ concurrency: 2, batchSize: 8 }), 'batched.jsonl');
      expect(batched.run.queries).toEqual(serial.run.queries);
      expect(Math.max(...server.queriesPerBatch)).toBe(8);
      expect(server.queriesPerBatch.reduce((a, b) => a + b, 0)).toBe(MANY.length);
      expect(server.maxInFlight).toBeLessThanOrEqual(2);
    } finally {
      server.latencyMs = 0;
    }
  });
});

describe('QdrantIndex survives transient faults with identical results', () => {
  const batch = MANY.slice(0, 10);
  let clean: Awaited<ReturnType<QdrantIndex['search']>>;

  beforeAll(async () => {
    clean = await (await open()).search(batch, 10);
  });

  it('503, twice', async () => {
    const index = await open();
    server.failNext(2, 503, { endpoint: QUERY_BATCH });
    expect(await index.search(batch, 10)).toEqual(clean);
    expect(index.retries()).toBe(2);
  });

  it('429 with retry-after, and without', async () => {
    const index = await open();
    server.failNext(1, 429, { endpoint: QUERY_BATCH, retryAfter: '1' });
    server.failNext(1, 429, { endpoint: QUERY_BATCH });
    expect(await index.search(batch, 10)).toEqual(clean);
    expect(index.retries()).toBe(2);
  });

  it('a request that hangs past the timeout', async () => {
    const index = await open({ timeoutMs: 300 });
    server.hangNext(1, QUERY_BATCH);
    expect(await index.search(batch, 10)).toEqual(clean);
    expect(index.retries()).toBe(1);
  });

  it('a connection reset', async () => {
    const index = await open();
    server.resetNext(1, QUERY_BATCH);
    expect(await index.search(batch, 10)).toEqual(clean);
    expect(index.retries()).toBe(1);
  });

  it('faults while opening (alias listing, collection info) are retried too', async () => {
    server.failNext(1, 503);
    server.resetNext(1, INFO);
    const index = await open();
    expect(await index.search(batch, 10)).toEqual(clean);
    expect(index.retries()).toBe(2);
  });

  it('once retries are exhausted: a ServiceError (exit 2) saying what failed, how often, and what to check', async () => {
    const index = await open({ maxRetries: 2 });
    server.failNext(3, 503, { endpoint: QUERY_BATCH });
    const error = await index.search(batch, 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(
      /^Qdrant http:\/\/127\.0\.0\.1:\d+: query batch on 'docs': HTTP 503: .*Service unavailable.* \(gave up after 2 retries\); the server is overloaded/,
    );
    expect(index.retries()).toBe(2);
  });

  it('a 4xx is not retried', async () => {
    const index = await open();
    server.failNext(1, 400, { endpoint: QUERY_BATCH });
    await expect(index.search(batch, 10)).rejects.toThrow(/HTTP 400: .*the request was refused as sent/);
    expect(index.retries()).toBe(0);
  });
});

describe('QdrantIndex errors', () => {
  it('an unreachable server is a ServiceError (exit 2) saying what to check', async () => {
    const gone = await QdrantTestServer.start();
    const url = gone.url;
    await gone.close();
    const error = await QdrantIndex.open({ config: { ...config({ maxRetries: 0 }), url } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/list aliases: connection failed \(ECONNREFUSED\)/);
    expect((error as Error).message).toContain(`check that Qdrant is running at ${url}`);
  });

  it('a wrong API key is a ServiceError (exit 2) pointing at the key, which never appears in any message', async () => {
    const wrong = 'qd-wrong-key-0815';
    const error = await open({}, wrong).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/HTTP 401: .*check the API key/);
    expect((error as Error).message).not.toContain(wrong);

    // A server that echoes the key back in its error body: redacted.
    const index = await open();
    server.failNext(1, 400, { endpoint: QUERY_BATCH, message: `bad request from key ${API_KEY}` });
    const echoed = await index.search(MANY.slice(0, 1), 3).catch((e: unknown) => e);
    expect((echoed as Error).message).toContain('[redacted]');
    expect((echoed as Error).message).not.toContain(API_KEY);
  });

  it('refuses queries of the wrong size before sending them', async () => {
    const index = await open();
    await expect(index.search(queries(randomVectors(1, 5, 1)), 3)).rejects.toThrow(
      /query q0 has 5 dimensions; docs holds 8-dimensional vectors/,
    );
  });

  it('pointIdFor: deterministic, a well-formed UUID (version 8, RFC variant), distinct per doc id', () => {
    const id = pointIdFor('doc-1');
    expect(id).toBe(pointIdFor('doc-1'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(DOC_IDS.map(pointIdFor)).size).toBe(DOC_IDS.length);
  });
});

describe('waiting for a collection to be green', () => {
  it('polls while it is yellow', async () => {
    server.setYellow('docs', 3);
    server.resetCounters();
    expect(await waitForGreen(connection, 'docs', { intervalMs: 1 })).toBe('green');
    expect(server.count(INFO)).toBe(4);
  });

  it('starts pending optimisations of a grey collection', async () => {
    server.setStatus('docs', 'grey');
    server.resetCounters();
    expect(await waitForGreen(connection, 'docs', { intervalMs: 1 })).toBe('green');
    expect(server.count('PATCH /collections/{collection_name}')).toBe(1);
  });

  it('gives up with a UserError after its timeout, and at once on red', async () => {
    server.setYellow('docs', 1_000);
    await expect(waitForGreen(connection, 'docs', { timeoutMs: 0, intervalMs: 1 })).rejects.toThrow(
      /collection docs .* is still yellow after 0 s/,
    );
    server.setYellow('docs', 0);
    server.setStatus('docs', 'red');
    await expect(waitForGreen(connection, 'docs', { intervalMs: 1 })).rejects.toBeInstanceOf(UserError);
    server.setStatus('docs', 'green');
  });
});

/** Without the contract, the file's server validates nothing (and has said so already): nothing to check here. */
const contract = sharedPath('contracts', 'qdrant-openapi.json');

describe.skipIf(contract === undefined)('the test server checks the contract', () => {
  it('answers a request body that breaks the contract with 400 and records it', async () => {
    expect(server.validating).toBe(true);
    const response = await fetch(`${server.url}/collections/docs/points/query/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'api-key': API_KEY },
      body: JSON.stringify({ searches: [{ query: QUERY_VECTORS[0], limit: 0 }] }),
    });
    expect(response.status).toBe(400);
    expect(server.failures).toHaveLength(1);
    expect(server.failures[0]).toMatchObject({ kind: 'request', endpoint: QUERY_BATCH });
    expect(server.failures[0]?.detail).toMatch(/limit/);
    server.failures.length = 0;
  });

  it('skips validation, saying so once, when the contract file is absent', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const bare = await QdrantTestServer.start({ contractPath: '/nonexistent/qdrant-openapi.json' });
      await bare.close();
      expect(bare.validating).toBe(false);
      expect(log).toHaveBeenCalledWith(
        'Qdrant contract validation skipped: ../shared/contracts/qdrant-openapi.json not found',
      );
    } finally {
      log.mockRestore();
    }
  });

  // Last on purpose: every request and answer of the whole file conformed to Qdrant's contract.
  it('saw no request or response outside the contract', () => {
    expect(server.failures).toEqual([]);
  });
});
