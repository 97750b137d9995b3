/**
 * The Qdrant adapter's protocol-level promises, written against any Qdrant: the local test server
 * (test/retrieve/qdrant-index.test.ts) and a real one (test/live/qdrant.live.test.ts). The suite creates its
 * own uniquely named collections over HTTP and deletes them afterwards, so it never touches anything else on
 * the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { setAlias } from '../../src/retrieve/providers/qdrant/aliases.js';
import { vectorFacts } from '../../src/retrieve/providers/qdrant/collection.js';
import { QdrantConnection } from '../../src/retrieve/providers/qdrant/connection.js';
import { pointIdFor } from '../../src/retrieve/providers/qdrant/point-ids.js';
import { QdrantIndex, type QdrantSearchConfig } from '../../src/retrieve/providers/qdrant/qdrant-index.js';
import {
  collectionExists,
  createCollection,
  deleteCollection,
  presentDocIds,
  storedDigests,
  updateMetadata,
  upsertPoints,
  waitForGreen,
} from '../../src/retrieve/providers/qdrant/write.js';
import type { Distance, Hit, QueryInput } from '../../src/retrieve/types.js';

export interface QdrantTarget {
  url: string;
  apiKey?: string;
}

const DIMS = 8;
const SMALL_DIMS = 4;
const DOCS = 40;
const FAST_RETRY = { retryBaseMs: 1, retryMaxMs: 50 };

/** Deterministic vectors (mulberry32), so every run and every server sees the same data. */
export function randomVectors(count: number, dims: number, seed: number): number[][] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => Array.from({ length: dims }, () => next() * 2 - 1));
}

export const DOC_IDS = Array.from({ length: DOCS }, (_, i) => `doc-${i}`);
export const DOC_VECTORS = randomVectors(DOCS, DIMS, 7);
const SMALL_VECTORS = randomVectors(DOCS, SMALL_DIMS, 11);
export const QUERY_VECTORS = randomVectors(6, DIMS, 3);

export function queries(vectors: number[][] = QUERY_VECTORS): QueryInput[] {
  return vectors.map((v, i) => ({ id: `q${i}`, text: `query ${i}`, vector: Float32Array.from(v) }));
}

/**
 * Exact top-k with scores higher-is-better, as the adapter promises them: cosine similarity, inner product,
 * negated Euclidean distance. Vectors pass through float32 first, as they do on the wire.
 */
export function bruteForce(
  distance: Distance,
  ids: string[],
  docs: number[][],
  query: number[],
  k: number,
): Hit[] {
  const f32 = (v: number[]) => Array.from(Float32Array.from(v));
  const unit = (v: number[]) => {
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return v.map((x) => x / norm);
  };
  const q = distance === 'cosine' ? unit(f32(query)) : f32(query);
  return docs
    .map((raw, i) => {
      const x = distance === 'cosine' ? unit(f32(raw)) : f32(raw);
      const score =
        distance === 'euclidean'
          ? -Math.sqrt(x.reduce((s, xi, j) => s + (xi - (q[j] as number)) ** 2, 0))
          : x.reduce((s, xi, j) => s + xi * (q[j] as number), 0);
      return { docid: ids[i] as string, score };
    })
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

function expectSameHits(actual: Hit[], expected: Hit[]): void {
  expect(actual.map((h) => h.docid)).toEqual(expected.map((h) => h.docid));
  actual.forEach((hit, i) => {
    expect(hit.score).toBeCloseTo((expected[i] as Hit).score, 4);
  });
}

/** Registers the adapter's protocol-level tests against the Qdrant that `target` names. */
export function qdrantContract(target: () => QdrantTarget): void {
  describe('Qdrant adapter (protocol contract)', () => {
    const prefix = `rg_contract_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const name = (what: string) => `${prefix}_${what}`;
    const created: string[] = [];
    const metadata = {
      modelAlias: 'test-model',
      providerModel: 'hashing',
      modelVersion: '1',
      dimensions: DIMS,
      distance: 'cosine',
      dataset: { name: 'contract', version: '1', digest: 'abc123' },
    };
    let connection: QdrantConnection;

    const config = (collection: string, extra: Partial<QdrantSearchConfig> = {}): QdrantSearchConfig => ({
      url: target().url,
      collection,
      exact: true,
      batchSize: 16,
      concurrency: 4,
      timeoutMs: 10_000,
      maxRetries: 2,
      ...extra,
    });
    const open = (collection: string, extra: Partial<QdrantSearchConfig> = {}, docIds = DOC_IDS) =>
      QdrantIndex.open({
        config: config(collection, extra),
        ...(target().apiKey === undefined ? {} : { apiKey: target().apiKey }),
        docIds,
        retry: FAST_RETRY,
      });

    const build = async (collection: string, distance: Distance, withMetadata = false) => {
      await createCollection(connection, {
        name: collection,
        size: DIMS,
        distance,
        ...(withMetadata ? { metadata } : {}),
      });
      created.push(collection);
      const points = DOC_IDS.map((docid, i) => ({
        docid,
        vector: Float32Array.from(DOC_VECTORS[i] as number[]),
        contentSha256: `sha-${i}`,
      }));
      await upsertPoints(connection, collection, points, { batchSize: 16 });
    };

    beforeAll(async () => {
      const { url, apiKey } = target();
      connection = new QdrantConnection({
        url,
        ...(apiKey === undefined ? {} : { apiKey }),
        timeoutMs: 10_000,
        maxRetries: 2,
        ...FAST_RETRY,
      });
      await build(name('cos'), 'cosine', true);
      await build(name('dot'), 'dot');
      await build(name('euc'), 'euclidean');
      await setAlias(connection, name('alias'), name('cos'));

      // Two named vectors, written through the write side's vectorName.
      await connection.call('create named', (client) =>
        client.createCollection(name('named'), {
          vectors: {
            dense: { size: DIMS, distance: 'Cosine' },
            small: { size: SMALL_DIMS, distance: 'Dot' },
          },
        }),
      );
      created.push(name('named'));
      const client = connection.client;
      await client.upsert(name('named'), {
        wait: true,
        points: DOC_IDS.map((docid, i) => ({
          id: pointIdFor(docid),
          vector: { dense: DOC_VECTORS[i] as number[], small: SMALL_VECTORS[i] as number[] },
          payload: { doc_id: docid },
        })),
      });

      // A collection built elsewhere: integer point ids, the doc id in a payload field of its own.
      await client.createCollection(name('foreign'), { vectors: { size: DIMS, distance: 'Cosine' } });
      created.push(name('foreign'));
      await client.upsert(name('foreign'), {
        wait: true,
        points: DOC_IDS.map((docid, i) => ({
          id: i + 1,
          vector: DOC_VECTORS[i] as number[],
          payload: { external_id: docid, title: `title ${i}` },
        })),
      });
      for (const collection of created) await waitForGreen(connection, collection, { intervalMs: 50 });
    });

    afterAll(async () => {
      if (!connection) return;
      await connection
        .call('drop alias', (client) =>
          client.updateCollectionAliases({ actions: [{ delete_alias: { alias_name: name('alias') } }] }),
        )
        .catch(() => {});
      for (const collection of created) await deleteCollection(connection, collection).catch(() => {});
    });

    it('resolves an alias to its collection and records both', async () => {
      const index = await open(name('alias'));
      expect(index.resolved).toBe(name('cos'));
      expect(index.facts.alias).toBe(name('alias'));
      expect(index.facts.collection).toBe(name('cos'));
      const direct = await open(name('cos'));
      expect(direct.facts.alias).toBeUndefined();
      expect(direct.resolved).toBe(name('cos'));
    });

    it('reads vector size, distance, status, points, HNSW config and metadata', async () => {
      const index = await open(name('alias'));
      expect(index.facts).toMatchObject({
        status: 'green',
        pointsCount: DOCS,
        vector: { size: DIMS, distance: 'cosine' },
        vectors: [{ size: DIMS, distance: 'Cosine' }],
        hnsw: { m: 16, efConstruct: 100 },
        metadata,
      });
      expect(vectorFacts(index.facts)).toEqual({
        name: `qdrant collection ${name('cos')} (alias ${name('alias')})`,
        size: DIMS,
        distance: 'cosine',
        metadata,
      });
      expect((await open(name('euc'))).facts.vector.distance).toBe('euclidean');
      expect((await open(name('dot'))).facts.metadata).toBeUndefined();
    });

    for (const [what, distance] of [
      ['cos', 'cosine'],
      ['dot', 'dot'],
      ['euc', 'euclidean'],
    ] as const) {
      it(`${distance}: results equal exact search, scores higher-is-better`, async () => {
        const index = await open(name(what));
        const results = await index.search(queries(), 10);
        expect(results).toHaveLength(QUERY_VECTORS.length);
        results.forEach((hits, q) => {
          expectSameHits(hits, bruteForce(distance, DOC_IDS, DOC_VECTORS, QUERY_VECTORS[q] as number[], 10));
          for (let i = 1; i < hits.length; i++) {
            expect((hits[i] as Hit).score).toBeLessThanOrEqual((hits[i - 1] as Hit).score);
          }
        });
      });
    }

    it('returns every point when k exceeds the collection, and nothing for no queries', async () => {
      const index = await open(name('cos'));
      const [hits] = await index.search(queries().slice(0, 1), DOCS + 10);
      expect(hits).toHaveLength(DOCS);
      expect(await index.search([], 10)).toEqual([]);
    });

    it('named vectors: searches the one vectorName picks; without one, the error lists them', async () => {
      const small = await open(name('named'), { vectorName: 'small' });
      expect(small.facts.vector).toEqual({ name: 'small', size: SMALL_DIMS, distance: 'dot' });
      const smallQueries = randomVectors(3, SMALL_DIMS, 5);
      const results = await small.search(queries(smallQueries), 5);
      results.forEach((hits, q) => {
        expectSameHits(hits, bruteForce('dot', DOC_IDS, SMALL_VECTORS, smallQueries[q] as number[], 5));
      });
      const dense = await open(name('named'), { vectorName: 'dense' });
      const [denseHits] = await dense.search(queries().slice(0, 1), 5);
      expectSameHits(
        denseHits as Hit[],
        bruteForce('cosine', DOC_IDS, DOC_VECTORS, QUERY_VECTORS[0] as number[], 5),
      );

      await expect(open(name('named'))).rejects.toThrow(/named vectors \('dense', 'small'\).*vectorName/);
      await expect(open(name('named'), { vectorName: 'sparse' })).rejects.toThrow(
        /no vector named 'sparse'; its vectors: 'dense', 'small'/,
      );
      await expect(open(name('cos'), { vectorName: 'dense' })).rejects.toThrow(/one unnamed vector/);
    });

    it('maps point ids to doc ids: pointIdFor UUIDs via the corpus ids, or the point id itself', async () => {
      const index = await open(name('cos'));
      const [hits] = await index.search(queries().slice(0, 1), 3);
      for (const hit of hits as Hit[]) expect(DOC_IDS).toContain(hit.docid);

      const withoutCorpus = await open(name('cos'), {}, []);
      const [raw] = await withoutCorpus.search(queries().slice(0, 1), 3);
      expect((raw as Hit[]).map((h) => h.docid)).toEqual((hits as Hit[]).map((h) => pointIdFor(h.docid)));

      const foreign = await open(name('foreign'));
      const [numeric] = await foreign.search(queries().slice(0, 1), 3);
      const expected = bruteForce('cosine', DOC_IDS, DOC_VECTORS, QUERY_VECTORS[0] as number[], 3);
      expect((numeric as Hit[]).map((h) => h.docid)).toEqual(
        expected.map((h) => String(DOC_IDS.indexOf(h.docid) + 1)),
      );
    });

    it('maps point ids to doc ids through idField', async () => {
      const index = await open(name('foreign'), { idField: 'external_id' });
      const results = await index.search(queries(), 5);
      results.forEach((hits, q) => {
        expectSameHits(hits, bruteForce('cosine', DOC_IDS, DOC_VECTORS, QUERY_VECTORS[q] as number[], 5));
      });
      const missing = await open(name('foreign'), { idField: 'nope' });
      await expect(missing.search(queries().slice(0, 1), 3)).rejects.toThrow(/no payload field 'nope'/);
    });

    it('a missing collection or alias is a UserError naming the server, the name and what exists', async () => {
      const error = await open(name('missing')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      const message = (error as Error).message;
      expect(message).toContain(target().url);
      expect(message).toContain(`'${name('missing')}'`);
      expect(message).toContain(name('cos'));
      expect(message).toContain(`${name('alias')} → ${name('cos')}`);
    });

    it('write side: whether a collection exists (an alias is not one)', async () => {
      expect(await collectionExists(connection, name('cos'))).toBe(true);
      expect(await collectionExists(connection, name('alias'))).toBe(false);
      expect(await collectionExists(connection, name('missing'))).toBe(false);
    });

    it('write side: stored digests, present doc ids by UUID and by idField', async () => {
      const digests = await storedDigests(connection, name('cos'), 7);
      expect(digests.size).toBe(DOCS);
      expect(digests.get('doc-3')).toBe('sha-3');

      const asked = ['doc-0', 'doc-39', 'doc-40', 'not-there', 'doc-0'];
      expect([...(await presentDocIds(connection, name('cos'), asked))].sort()).toEqual(['doc-0', 'doc-39']);
      expect(
        [
          ...(await presentDocIds(connection, name('foreign'), asked, {
            idField: 'external_id',
            chunkSize: 2,
          })),
        ].sort(),
      ).toEqual(['doc-0', 'doc-39']);
      // Doc ids that are point ids themselves (the foreign collection's integers).
      expect(
        [...(await presentDocIds(connection, name('foreign'), ['1', '40', '41', '007']))].sort(),
      ).toEqual(['1', '40']);
    });

    it('write side: upserting again replaces points; digests follow', async () => {
      await upsertPoints(connection, name('dot'), [
        { docid: 'doc-1', vector: DOC_VECTORS[1] as number[], contentSha256: 'changed' },
      ]);
      const digests = await storedDigests(connection, name('dot'));
      expect(digests.size).toBe(DOCS);
      expect(digests.get('doc-1')).toBe('changed');
    });

    it('write side: metadata merges on update (null removes a key) and reads back', async () => {
      await updateMetadata(connection, name('euc'), { builtAt: '2025-01-01T00:00:00Z', note: 'x' });
      await updateMetadata(connection, name('euc'), { note: null, modelVersion: '2' });
      const index = await open(name('euc'));
      expect(index.facts.metadata).toEqual({ builtAt: '2025-01-01T00:00:00Z', modelVersion: '2' });
    });

    it('write side: a named vector collection and an alias switch', async () => {
      const collection = name('built_named');
      await createCollection(connection, {
        name: collection,
        size: DIMS,
        distance: 'dot',
        vectorName: 'text',
        metadata: { modelVersion: '3' },
        hnsw: { m: 8, efConstruct: 64 },
      });
      created.push(collection);
      await upsertPoints(
        connection,
        collection,
        DOC_IDS.slice(0, 5).map((docid, i) => ({
          docid,
          vector: DOC_VECTORS[i] as number[],
          contentSha256: 's',
        })),
        { vectorName: 'text', batchSize: 2 },
      );
      expect(await waitForGreen(connection, collection, { intervalMs: 50 })).toBe('green');
      await setAlias(connection, name('alias'), collection);
      const index = await open(name('alias'), { vectorName: 'text' }, DOC_IDS);
      expect(index.facts).toMatchObject({
        alias: name('alias'),
        collection,
        pointsCount: 5,
        hnsw: { m: 8, efConstruct: 64 },
        metadata: { modelVersion: '3' },
      });
      const [hits] = await index.search(queries().slice(0, 1), 5);
      expectSameHits(
        hits as Hit[],
        bruteForce('dot', DOC_IDS.slice(0, 5), DOC_VECTORS.slice(0, 5), QUERY_VECTORS[0] as number[], 5),
      );
      await setAlias(connection, name('alias'), name('cos'));
      expect((await open(name('alias'))).resolved).toBe(name('cos'));
    });
  });
}
