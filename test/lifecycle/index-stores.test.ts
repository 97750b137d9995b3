import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { indexConfig, type RawIndex } from '../../src/config/indexes.js';
import type { PgvectorIndexConfig, QdrantIndexConfig } from '../../src/config/types.js';
import { ServiceError, UserError } from '../../src/errors.js';
import type { IndexStore } from '../../src/lifecycle/index-store.js';
import { openIndexStore } from '../../src/lifecycle/stores/open-store.js';
import { ALIAS_RECORDS, PgvectorStore } from '../../src/lifecycle/stores/pgvector-store.js';
import { QdrantStore } from '../../src/lifecycle/stores/qdrant-store.js';
import { openEmbedded } from '../../src/retrieve/providers/pgvector/embedded.js';
import type { SqlClient } from '../../src/retrieve/providers/pgvector/sql-client.js';
import {
  createAnnIndex,
  createTable,
  insertRows,
  writeBuildRecord,
} from '../../src/retrieve/providers/pgvector/write.js';
import { setAlias } from '../../src/retrieve/providers/qdrant/aliases.js';
import { QdrantConnection } from '../../src/retrieve/providers/qdrant/connection.js';
import { createCollection, upsertPoints } from '../../src/retrieve/providers/qdrant/write.js';
import { tempDir } from '../helpers/tmp.js';
import { QdrantTestServer } from '../servers/qdrant-server.js';

/**
 * The two live IndexStores against real components: the contract-validated Qdrant test server, and
 * pgvector in an embedded PGlite. Each suite makes its own indexes and aliases, then reads and switches them.
 */

const DOCS = ['a', 'b', 'c'];
const vectorOf = (dims: number, i: number) =>
  Float32Array.from({ length: dims }, (_, d) => (d === i ? 1 : 0.1));
const documents = (dims: number) =>
  DOCS.map((docid, i) => ({ docid, vector: vectorOf(dims, i), contentSha256: `sha-${docid}` }));
const DIGESTS = new Map(DOCS.map((docid) => [docid, `sha-${docid}`]));

/** An `indexes:` entry with the defaults the config loader gives it. */
function configOf<T extends QdrantIndexConfig | PgvectorIndexConfig>(
  raw: RawIndex,
  env: NodeJS.ProcessEnv = {},
): T {
  return indexConfig('store', raw, env, (message) => {
    throw new Error(message);
  }) as T;
}

describe('QdrantStore (the Qdrant test server)', () => {
  const API_KEY = 'qd-store-key-1234';
  const ALIASES = 'GET /aliases';
  const UPDATE_ALIASES = 'POST /collections/aliases';
  let server: QdrantTestServer;
  let store: QdrantStore;
  /** No retries: a fault's effect on one request is seen as is. */
  let once: QdrantStore;

  const connect = (maxRetries: number) =>
    new QdrantConnection({
      url: server.url,
      apiKey: API_KEY,
      timeoutMs: 5_000,
      maxRetries,
      retryBaseMs: 1,
      retryMaxMs: 20,
    });

  beforeAll(async () => {
    server = await QdrantTestServer.start({ apiKey: API_KEY });
    const connection = connect(2);
    const collections: [string, Record<string, unknown> | undefined][] = [
      ['docs_v1', { modelVersion: '1', status: 'ready' }],
      ['docs_v2', { modelVersion: '2', status: 'ready' }],
      ['docs_v3', { modelVersion: '3', status: 'building' }],
      ['plain', undefined],
    ];
    for (const [name, metadata] of collections) {
      await createCollection(connection, {
        name,
        size: 4,
        distance: 'cosine',
        ...(metadata ? { metadata } : {}),
      });
      await upsertPoints(connection, name, documents(4));
    }
    await setAlias(connection, 'docs', 'docs_v1');
    await setAlias(connection, 'archive', 'plain');
    store = new QdrantStore(connection, { url: server.url });
    once = new QdrantStore(connect(0), { url: server.url });
  });

  afterEach(() => {
    server.clearFaults();
    expect(server.failures).toEqual([]);
  });

  afterAll(async () => {
    await store?.close();
    await server?.close();
  });

  it('lists aliases sorted by alias, and tells collections from aliases', async () => {
    expect([...(await store.aliases())]).toEqual([
      ['archive', 'plain'],
      ['docs', 'docs_v1'],
    ]);
    expect(await store.exists('docs_v1')).toBe(true);
    expect(await store.exists('docs')).toBe(false);
    expect(await store.exists('missing')).toBe(false);
    expect(store).toMatchObject({ kind: 'qdrant', where: server.url });
  });

  it('reads build records (null without metadata) and the stored digests', async () => {
    expect(await store.buildRecord('docs_v1')).toEqual({ modelVersion: '1', status: 'ready' });
    expect(await store.buildRecord('plain')).toBeNull();
    expect(await store.storedDigests('docs_v2')).toEqual(DIGESTS);
  });

  it('is ready when green, counted exactly, and not building', async () => {
    server.resetCounters();
    expect(await store.readiness('docs_v1')).toEqual({
      ready: true,
      status: 'green',
      count: 3,
      problems: [],
    });
    const counts = server.received.filter(
      (r) => r.endpoint === 'POST /collections/{collection_name}/points/count',
    );
    expect(counts.map((r) => [r.path, r.body])).toEqual([
      ['/collections/docs_v1/points/count', { exact: true }],
    ]);
  });

  it('is not ready while yellow (read once, not waited for) or while its build record says building', async () => {
    server.setYellow('docs_v2', 1);
    const yellow = await store.readiness('docs_v2');
    expect(yellow).toMatchObject({ ready: false, status: 'yellow', count: 3 });
    expect(yellow.problems).toEqual([
      expect.stringMatching(/qdrant collection docs_v2 at .* is yellow: .*indexing/),
    ]);
    expect((await store.readiness('docs_v2')).ready).toBe(true);
    const building = await store.readiness('docs_v3');
    expect(building).toMatchObject({ ready: false, status: 'green' });
    expect(building.problems).toEqual([expect.stringMatching(/docs_v3.*'building'/)]);
  });

  it('switches an alias in one request: delete and create when it exists, create alone when it is new', async () => {
    server.resetCounters();
    await store.switchAlias('docs', 'docs_v2');
    await store.switchAlias('fresh', 'docs_v1');
    const updates = server.received.filter((r) => r.endpoint === UPDATE_ALIASES).map((r) => r.body);
    expect(updates).toEqual([
      {
        actions: [
          { delete_alias: { alias_name: 'docs' } },
          { create_alias: { alias_name: 'docs', collection_name: 'docs_v2' } },
        ],
      },
      { actions: [{ create_alias: { alias_name: 'fresh', collection_name: 'docs_v1' } }] },
    ]);
    const aliases = await store.aliases();
    expect([aliases.get('docs'), aliases.get('fresh')]).toEqual(['docs_v2', 'docs_v1']);
  });

  it('drops a collection (and with it the aliases that named it)', async () => {
    await store.switchAlias('doomed', 'docs_v3');
    await store.drop('docs_v3');
    expect(await store.exists('docs_v3')).toBe(false);
    expect((await store.aliases()).has('doomed')).toBe(false);
  });

  it('fault option after: lets the first matching requests through, then fails the next', async () => {
    server.failNext(1, 503, { endpoint: ALIASES, after: 1 });
    await store.switchAlias('docs', 'docs_v1');
    // The read-back after the switch is the second GET /aliases: that one fails.
    const readBack = await once.aliases().catch((error: unknown) => error);
    expect(readBack).toBeInstanceOf(ServiceError);
    expect((readBack as Error).message).not.toContain(API_KEY);
    expect((await once.aliases()).get('docs')).toBe('docs_v1');
  });

  it('fault option applied: the switch takes effect though its answer is an error or a reset', async () => {
    server.failNext(1, 500, { endpoint: UPDATE_ALIASES, applied: true });
    await expect(once.switchAlias('docs', 'docs_v2')).rejects.toBeInstanceOf(ServiceError);
    expect((await once.aliases()).get('docs')).toBe('docs_v2');

    server.resetNext(1, UPDATE_ALIASES, { applied: true });
    await expect(once.switchAlias('docs', 'docs_v1')).rejects.toBeInstanceOf(ServiceError);
    expect((await once.aliases()).get('docs')).toBe('docs_v1');

    // Without it, a reset loses the request itself: nothing changes.
    server.resetNext(1, UPDATE_ALIASES);
    await expect(once.switchAlias('docs', 'docs_v2')).rejects.toBeInstanceOf(ServiceError);
    expect((await once.aliases()).get('docs')).toBe('docs_v1');
  });

  it('opens from an index config, with the key from the variable it names', async () => {
    const env = { STORE_KEY: API_KEY };
    const config = configOf<QdrantIndexConfig>(
      { kind: 'qdrant', url: server.url, collection: 'docs', apiKeyEnv: 'STORE_KEY', maxRetries: 0 },
      env,
    );
    const opened = await openIndexStore(config, { dir: tempDir(), env });
    expect(opened).toBeInstanceOf(QdrantStore);
    expect((await opened.aliases()).get('docs')).toBe('docs_v1');
    await opened.close();
  });
});

describe('PgvectorStore (embedded PGlite)', () => {
  const COLUMNS = { idColumn: 'id', vectorColumn: 'embedding', distance: 'cosine' } as const;
  let client: SqlClient;
  let store: PgvectorStore;

  const table = async (name: string, dims: number, record?: Record<string, unknown>) => {
    const spec = { table: name, ...COLUMNS };
    await createTable(client, spec, dims);
    await insertRows(client, spec, documents(dims));
    if (record) await writeBuildRecord(client, spec, record);
  };
  const rows = (sql: string) => client.query('test query', sql);
  const viewOid = async (view: string) => (await rows(`SELECT '${view}'::regclass::oid::int AS oid`))[0]?.oid;
  const aliasRecord = async (alias: string) =>
    (
      await rows(
        `SELECT target, previous, switched_at IS NOT NULL AS stamped FROM ${ALIAS_RECORDS} WHERE alias = '${alias}'`,
      )
    )[0];

  beforeAll(async () => {
    client = await openEmbedded(join(tempDir(), 'pg'), { label: 'test-db', create: true });
    await table('docs_v1', 4, { modelVersion: '1', status: 'ready' });
    await table('docs_v2', 4, { modelVersion: '2', status: 'ready' });
    await table('docs_768', 8, { modelVersion: '3', status: 'ready' });
    await table('docs_building', 4, { modelVersion: '4', status: 'building' });
    await createAnnIndex(
      client,
      { table: 'docs_v1', ...COLUMNS },
      { type: 'hnsw', m: 4, efConstruction: 16 },
      'cosine',
    );
    await client.script(
      'set up',
      [
        // Not built by this tool: integer ids, no digest column, no build record.
        'CREATE TABLE foreign_docs (id int PRIMARY KEY, embedding vector(4))',
        "INSERT INTO foreign_docs VALUES (1, '[1,0,0,0]'), (2, '[0,1,0,0]')",
        'CREATE VIEW docs AS SELECT * FROM docs_v1',
        // A view that is not an alias (one column, a filter): never listed, never replaced.
        "CREATE VIEW recent AS SELECT id FROM docs_v1 WHERE id > 'a'",
        'CREATE SCHEMA app',
        'CREATE TABLE app.items (id text PRIMARY KEY, embedding vector(4))',
        'CREATE VIEW app.current AS SELECT * FROM app.items',
      ].join(';\n'),
    );
    store = new PgvectorStore(client, COLUMNS);
  });

  afterAll(async () => {
    await store?.close();
  });

  it('lists the views that are aliases of one table, schema-qualified outside the current schema', async () => {
    expect([...(await store.aliases())]).toEqual([
      ['app.current', 'app.items'],
      ['docs', 'docs_v1'],
    ]);
    expect(store).toMatchObject({ kind: 'pgvector', where: 'pglite test-db' });
  });

  it('tells tables from views, and reads build records and digests', async () => {
    expect(await store.exists('docs_v1')).toBe(true);
    expect(await store.exists('app.items')).toBe(true);
    expect(await store.exists('docs')).toBe(false);
    expect(await store.exists('missing')).toBe(false);
    expect(await store.buildRecord('docs_v1')).toEqual({ modelVersion: '1', status: 'ready' });
    expect(await store.buildRecord('foreign_docs')).toBeNull();
    expect(await store.storedDigests('docs_v2')).toEqual(DIGESTS);
    expect(await store.storedDigests('foreign_docs')).toEqual(
      new Map([
        ['1', ''],
        ['2', ''],
      ]),
    );
    await expect(store.storedDigests('missing')).rejects.toThrow(UserError);
  });

  it('readiness: rows, the ANN index and whether it is valid, the build record', async () => {
    expect(await store.readiness('docs_v1')).toEqual({
      ready: true,
      count: 3,
      annIndex: { name: 'docs_v1_hnsw', valid: true },
      problems: [],
    });
    // No ANN index: searches scan the table exactly, which is fine.
    expect(await store.readiness('docs_v2')).toEqual({ ready: true, count: 3, annIndex: null, problems: [] });
    const building = await store.readiness('docs_building');
    expect(building.ready).toBe(false);
    expect(building.problems).toEqual([expect.stringMatching(/pgvector table docs_building .*'building'/)]);
  });

  it('an ANN index PostgreSQL marks invalid makes the table not ready', async () => {
    await createAnnIndex(
      client,
      { table: 'docs_768', ...COLUMNS },
      { type: 'hnsw', m: 4, efConstruction: 16 },
      'cosine',
    );
    // What a failed CREATE INDEX CONCURRENTLY leaves behind.
    await rows("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'docs_768_hnsw'::regclass");
    const invalid = await store.readiness('docs_768');
    expect(invalid).toMatchObject({ ready: false, annIndex: { name: 'docs_768_hnsw', valid: false } });
    expect(invalid.problems).toEqual([
      expect.stringMatching(
        /pgvector table docs_768 \(pglite test-db\): its ANN index docs_768_hnsw is not valid/,
      ),
    ]);
    await rows("UPDATE pg_index SET indisvalid = true WHERE indexrelid = 'docs_768_hnsw'::regclass");
  });

  it('switches a view to a table of the same columns in place, recording target and previous', async () => {
    const before = await viewOid('docs');
    await store.switchAlias('docs', 'docs_v2');
    expect((await store.aliases()).get('docs')).toBe('docs_v2');
    expect(await viewOid('docs')).toBe(before); // CREATE OR REPLACE: the same view
    expect(await aliasRecord('docs')).toEqual({ target: 'docs_v2', previous: 'docs_v1', stamped: true });
  });

  it('switches a view to vectors of other dimensions by dropping and creating it in one transaction', async () => {
    const before = await viewOid('docs');
    await store.switchAlias('docs', 'docs_768');
    expect((await store.aliases()).get('docs')).toBe('docs_768');
    expect(await viewOid('docs')).not.toBe(before);
    const [column] = await rows(
      "SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'docs'::regclass AND attname = 'embedding'",
    );
    expect(column?.type).toBe('vector(8)');
    expect(await aliasRecord('docs')).toEqual({ target: 'docs_768', previous: 'docs_v2', stamped: true });
  });

  it('creates a view that does not exist yet, its record beside it in its schema', async () => {
    await store.switchAlias('fresh', 'docs_v1');
    await store.switchAlias('app.next', 'app.items');
    const aliases = await store.aliases();
    expect([aliases.get('fresh'), aliases.get('app.next')]).toEqual(['docs_v1', 'app.items']);
    expect(await aliasRecord('fresh')).toEqual({ target: 'docs_v1', previous: null, stamped: true });
    expect(await rows(`SELECT alias, target, previous FROM app.${ALIAS_RECORDS}`)).toEqual([
      { alias: 'next', target: 'app.items', previous: null },
    ]);
  });

  it('refuses to replace a table or a view that is not an alias, or to point at a missing table', async () => {
    await expect(store.switchAlias('recent', 'docs_v2')).rejects.toThrow(/recent is a view but not an alias/);
    await expect(store.switchAlias('docs_v1', 'docs_v2')).rejects.toThrow(/docs_v1 is a table, not an alias/);
    await expect(store.switchAlias('docs', 'missing')).rejects.toThrow(
      /has no table missing to point docs at/,
    );
    expect((await store.aliases()).get('docs')).toBe('docs_768');
  });

  it('a switch that fails midway changes nothing: the view and its record stay as they were', async () => {
    await store.switchAlias('pinned', 'docs_v1');
    // A view selecting from the alias: DROP VIEW (needed for other dimensions) is refused because of it.
    await rows('CREATE VIEW pinned_ids AS SELECT id FROM pinned');
    await expect(store.switchAlias('pinned', 'docs_768')).rejects.toBeInstanceOf(ServiceError);
    expect((await store.aliases()).get('pinned')).toBe('docs_v1');
    expect(await aliasRecord('pinned')).toEqual({ target: 'docs_v1', previous: null, stamped: true });
  });

  it('drops a table and its build record; a table an alias names is refused', async () => {
    await store.drop('docs_building');
    expect(await store.exists('docs_building')).toBe(false);
    expect(await store.buildRecord('docs_building')).toBeNull();
    await store.drop('foreign_docs'); // no build record to delete
    expect(await store.exists('foreign_docs')).toBe(false);
    await expect(store.drop('docs_768')).rejects.toBeInstanceOf(ServiceError);
    expect(await store.exists('docs_768')).toBe(true);
  });
});

describe('openIndexStore (pgvector)', () => {
  const config = configOf<PgvectorIndexConfig>({ kind: 'pgvector', table: 'docs', dataDir: 'db' });

  it('refuses an embedded database that is not there (a migration never creates one)', async () => {
    const dir = tempDir();
    await expect(openIndexStore(config, { dir, env: {} })).rejects.toThrow(/no embedded database in .*db/);
  });

  it('opens an existing embedded database as a PgvectorStore', async () => {
    const dir = tempDir();
    await (await openEmbedded(join(dir, 'db'), { label: 'db', create: true })).close();
    const opened: IndexStore = await openIndexStore(config, { dir, env: {} });
    expect(opened).toBeInstanceOf(PgvectorStore);
    expect(opened.where).toBe('pglite db');
    expect(await opened.aliases()).toEqual(new Map());
    await opened.close();
  });
});
