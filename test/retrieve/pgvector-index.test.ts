import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgvectorIndexConfig } from '../../src/config/types.js';
import { ServiceError, UserError } from '../../src/errors.js';
import { ExactIndex } from '../../src/retrieve/providers/indexes/exact.js';
import { embeddedClient } from '../../src/retrieve/providers/pgvector/embedded.js';
import { PgvectorIndex } from '../../src/retrieve/providers/pgvector/pgvector-index.js';
import { openServer } from '../../src/retrieve/providers/pgvector/server.js';
import type { SqlClient } from '../../src/retrieve/providers/pgvector/sql-client.js';
import type { Distance, QueryInput } from '../../src/retrieve/types.js';
import { closedPort } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { randomVectors } from './qdrant-contract.js';

/**
 * The pgvector index on real PGlite + pgvector: embedded (the SqlClient over a PGlite in a temp folder)
 * and over the wire (`pg` against the same database served by pglite-socket on a loopback port).
 */

const DIMS = 16;
const DOCS = 600;
const IDS = Array.from({ length: DOCS }, (_, i) => `doc-${i}`);
const DOC_VECTORS = randomVectors(DOCS, DIMS, 11);
const QUERIES: QueryInput[] = randomVectors(40, DIMS, 5).map((v, i) => ({
  id: `q${i}`,
  text: '',
  vector: Float32Array.from(v),
}));
const PASSWORD = 'pg-secret-pass-0815';

let db: PGlite;
let embedded: SqlClient;
let server: PGLiteSocketServer;
let url: string;
let noExtension: unknown;

const config = (overrides: Partial<PgvectorIndexConfig> = {}): PgvectorIndexConfig => ({
  alias: 'docs',
  kind: 'pgvector',
  table: 'docs',
  dataDir: 'pg',
  idColumn: 'id',
  vectorColumn: 'embedding',
  distance: 'cosine',
  exact: false,
  forceIndex: false,
  batchSize: 8,
  concurrency: 2,
  timeoutMs: 10_000,
  ann: { type: 'none' },
  ...overrides,
});

/** The same client for many indexes: PgvectorIndex.over takes it, and nothing here closes it but afterAll. */
const shared = (client: SqlClient): SqlClient => ({ ...client, close: async () => {} });

function exactIndex(distance: Distance): ExactIndex {
  return new ExactIndex(IDS, Float32Array.from(DOC_VECTORS.flat()), DIMS, distance);
}

const ids = (lists: { docid: string }[][]) => lists.map((hits) => hits.map((hit) => hit.docid));

beforeAll(async () => {
  db = await PGlite.create({ dataDir: tempDir(), extensions: { vector } });
  embedded = embeddedClient(db, 'pglite test');
  noExtension = await PgvectorIndex.over(shared(embedded), config()).catch((error: unknown) => error);
  await db.exec('CREATE EXTENSION vector');
  for (const table of ['docs', 'ann_docs']) {
    await db.exec(`CREATE TABLE ${table} (id text PRIMARY KEY, embedding vector(${DIMS}) NOT NULL)`);
    const values = IDS.map((id, i) => `('${id}', '[${(DOC_VECTORS[i] ?? []).join(',')}]')`);
    await db.exec(`INSERT INTO ${table} VALUES ${values.join(',')}`);
  }
  // A deliberately weak graph: few links per node and a small build beam.
  await db.exec(
    'CREATE INDEX ann_docs_hnsw ON ann_docs USING hnsw (embedding vector_cosine_ops) WITH (m = 2, ef_construction = 4)',
  );
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await server.start();
  url = `postgres://postgres:${PASSWORD}@${server.getServerConn()}/postgres`;
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await db?.close();
});

describe('pgvector index (embedded PGlite)', () => {
  it('refuses a database without the vector extension, saying what to run', () => {
    expect(noExtension).toBeInstanceOf(UserError);
    expect((noExtension as Error).message).toMatch(
      /pglite test has no vector extension: run CREATE EXTENSION vector/,
    );
  });

  it.each(['cosine', 'dot', 'euclidean'] as const)(
    'exact: true ranks as the embedded exact index over the same vectors (%s)',
    async (distance) => {
      const index = await PgvectorIndex.over(shared(embedded), config({ distance, exact: true }));
      const got = await index.search(QUERIES, 10);
      const want = await exactIndex(distance).search(QUERIES, 10);
      expect(ids(got)).toEqual(ids(want));
      // Scores higher-is-better: cosine 1 − d equals the cosine similarity.
      if (distance === 'cosine') expect(got[0]?.[0]?.score).toBeCloseTo(want[0]?.[0]?.score ?? Number.NaN, 5);
      for (const hits of got) {
        for (let i = 1; i < hits.length; i++)
          expect(hits[i - 1]?.score).toBeGreaterThanOrEqual(hits[i]?.score ?? 0);
      }
    },
  );

  it('reads the table facts: dimensions, rows, the HNSW index and its parameters', async () => {
    const index = await PgvectorIndex.over(shared(embedded), config({ table: 'ann_docs' }));
    expect(index.resolved).toBe('ann_docs@pglite test');
    expect(index.facts).toMatchObject({
      table: 'ann_docs',
      dimensions: DIMS,
      rows: DOCS,
      distance: 'cosine',
      ann: { type: 'hnsw', name: 'ann_docs_hnsw', distance: 'cosine', params: { m: 2, efConstruction: 4 } },
    });
    expect(index.facts.ann?.sizeBytes).toBeGreaterThan(0);
    expect(index.facts.extensionVersion).toMatch(/^0\.8/);
    const plain = await PgvectorIndex.over(shared(embedded), config());
    expect(plain.facts.ann).toBeNull();
    expect(plain.searchExact).toBeUndefined();
  });

  it('an HNSW search with a tiny efSearch on a small m loses neighbours; searchExact gives the exact answer', async () => {
    const index = await PgvectorIndex.over(shared(embedded), config({ table: 'ann_docs', efSearch: 10 }));
    const approximate = await index.search(QUERIES, 10);
    const exact = await index.searchExact?.(QUERIES, 10);
    const truth = ids(await exactIndex('cosine').search(QUERIES, 10));
    expect(ids(exact ?? [])).toEqual(truth);
    expect(ids(approximate)).not.toEqual(truth);
    // The setting is per transaction: a wide beam on the same table finds (nearly) everything.
    const wide = await PgvectorIndex.over(shared(embedded), config({ table: 'ann_docs', efSearch: 400 }));
    const found = (lists: string[][]) =>
      lists.reduce((n, list, q) => n + list.filter((id) => truth[q]?.includes(id)).length, 0);
    expect(found(ids(await wide.search(QUERIES, 10)))).toBeGreaterThan(found(ids(approximate)));
  });

  it('forceIndex keeps the planner on the ANN index, which a small table of long vectors would scan', async () => {
    // 200 rows of 256 dimensions: PostgreSQL finds a scan and sort cheaper than the graph at LIMIT 10.
    const rows = randomVectors(200, 256, 21);
    await db.exec('CREATE TABLE small_ann (id text PRIMARY KEY, embedding vector(256) NOT NULL)');
    try {
      await db.exec(
        `INSERT INTO small_ann VALUES ${rows.map((v, i) => `('s${i}', '[${v.join(',')}]')`).join(',')}`,
      );
      await db.exec(
        'CREATE INDEX ON small_ann USING hnsw (embedding vector_cosine_ops) WITH (m = 4, ef_construction = 8)',
      );
      await db.exec('ANALYZE small_ann');
      const queries = randomVectors(10, 256, 22).map((v, i) => ({
        id: `q${i}`,
        text: '',
        vector: Float32Array.from(v),
      }));
      // pgvector's HNSW scan returns at most ef_search rows: fewer than k hits prove the graph answered.
      const settings = { table: 'small_ann', efSearch: 8 };
      const planned = await PgvectorIndex.over(shared(embedded), config(settings));
      const forced = await PgvectorIndex.over(shared(embedded), config({ ...settings, forceIndex: true }));
      expect((await planned.search(queries, 10)).map((hits) => hits.length)).toEqual(Array(10).fill(10));
      expect((await forced.search(queries, 10)).every((hits) => hits.length <= 8)).toBe(true);
    } finally {
      await db.exec('DROP TABLE small_ann');
    }
  });

  it('an IVFFlat index: its lists read from the table, probes set per search, exact from the same table', async () => {
    await db.exec(`CREATE TABLE ivf_docs AS SELECT * FROM docs`);
    try {
      await db.exec(
        'CREATE INDEX ivf_docs_ivfflat ON ivf_docs USING ivfflat (embedding vector_cosine_ops) WITH (lists = 20)',
      );
      await db.exec('ANALYZE ivf_docs');
      // One of 20 lists searched on a small table: the planner is kept on the index to measure it.
      const settings = { table: 'ivf_docs', forceIndex: true };
      const narrow = await PgvectorIndex.over(shared(embedded), config({ ...settings, probes: 1 }));
      expect(narrow.facts.ann).toMatchObject({
        type: 'ivfflat',
        name: 'ivf_docs_ivfflat',
        params: { lists: 20 },
      });
      const truth = ids(await exactIndex('cosine').search(QUERIES, 10));
      expect(ids((await narrow.searchExact?.(QUERIES, 10)) ?? [])).toEqual(truth);
      const all = await PgvectorIndex.over(shared(embedded), config({ ...settings, probes: 20 }));
      // Every list probed is an exhaustive search; one list misses the neighbours the others hold.
      expect(ids(await all.search(QUERIES, 10))).toEqual(truth);
      expect(ids(await narrow.search(QUERIES, 10))).not.toEqual(truth);
    } finally {
      await db.exec('DROP TABLE ivf_docs');
    }
  });

  it('names the tables that exist when the configured one does not; refuses a column that is not a vector', async () => {
    const missing = await PgvectorIndex.over(shared(embedded), config({ table: 'dcos' })).catch(
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(UserError);
    expect((missing as Error).message).toMatch(
      /pglite test has no table dcos; tables with a vector column: ann_docs, docs/,
    );
    const column = await PgvectorIndex.over(shared(embedded), config({ vectorColumn: 'id' })).catch(
      (e: unknown) => e,
    );
    expect((column as Error).message).toMatch(
      /column id is text; the index's vectorColumn must be a vector\(n\) column/,
    );
  });

  it('a view over one table (an alias) is resolved once, at open, to that table; other views are refused', async () => {
    await db.exec('CREATE VIEW docs_alias AS SELECT * FROM ann_docs');
    await db.exec(
      'CREATE VIEW joined AS SELECT a.*, d.embedding AS other FROM ann_docs a JOIN docs d USING (id)',
    );
    await db.exec("CREATE VIEW filtered AS SELECT * FROM docs WHERE id > 'doc-5'");
    try {
      const settings = { table: 'docs_alias', efSearch: 10 };
      const aliased = await PgvectorIndex.over(shared(embedded), config(settings));
      const direct = await PgvectorIndex.over(shared(embedded), config({ ...settings, table: 'ann_docs' }));
      expect(aliased.resolved).toBe('ann_docs@pglite test (alias docs_alias)');
      expect(aliased.facts).toEqual({ ...direct.facts, alias: 'docs_alias' });
      const before = await direct.search(QUERIES, 10);
      expect(await aliased.search(QUERIES, 10)).toEqual(before);
      expect(await aliased.searchExact?.(QUERIES, 10)).toEqual(await direct.searchExact?.(QUERIES, 10));
      // A cutover while the index is open: it keeps searching the table it resolved; a new one follows the view.
      await db.exec('CREATE OR REPLACE VIEW docs_alias AS SELECT * FROM docs');
      expect(await aliased.search(QUERIES, 10)).toEqual(before);
      const reopened = await PgvectorIndex.over(shared(embedded), config(settings));
      expect(reopened.facts).toMatchObject({ table: 'docs', alias: 'docs_alias', ann: null });
      for (const [view, from] of [
        ['joined', 'ann_docs, docs'],
        ['filtered', 'docs'],
      ]) {
        const error = await PgvectorIndex.over(shared(embedded), config({ table: view })).catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(UserError);
        expect((error as Error).message).toContain(
          `pglite test: ${view} is a view but not an alias of one table (CREATE VIEW ${view} AS SELECT * FROM <table>): it selects from ${from}`,
        );
      }
    } finally {
      await db.exec('DROP VIEW docs_alias, joined, filtered');
    }
  });

  it('refuses a missing embedded database folder instead of creating one', async () => {
    const dir = tempDir();
    const error = await PgvectorIndex.open(config({ dataDir: 'nothing-here' }), { dir, env: {} }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/no embedded database in .*nothing-here .*run `index build`/);
  });

  it('refuses a query of the wrong dimension', async () => {
    const index = await PgvectorIndex.over(shared(embedded), config());
    await expect(index.search([{ id: 'q', text: '', vector: new Float32Array(3) }], 5)).rejects.toThrow(
      /query q has 3 dimensions; docs@pglite test holds 16-dimensional vectors/,
    );
  });
});

describe('pgvector index over the wire (pg → pglite-socket)', () => {
  const env = () => ({ TEST_DATABASE_URL: url });

  it('searches the same table with the same answers, batched over a pool, with no credentials anywhere', async () => {
    const index = await PgvectorIndex.open(
      config({ urlEnv: 'TEST_DATABASE_URL', dataDir: undefined, table: 'ann_docs', efSearch: 10 }),
      {
        dir: '.',
        env: env(),
      },
    );
    try {
      expect(index.resolved).toBe(`ann_docs@postgres://${server.getServerConn()}/postgres`);
      expect(index.concurrency).toBe(2);
      const local = await PgvectorIndex.over(shared(embedded), config({ table: 'ann_docs', efSearch: 10 }));
      // Several calls in flight: each is one script (one transaction), so their settings cannot mix.
      const halves = await Promise.all([
        index.search(QUERIES.slice(0, 20), 10),
        index.search(QUERIES.slice(20), 10),
      ]);
      expect(ids(halves.flat())).toEqual(ids(await local.search(QUERIES, 10)));
      expect(ids((await index.searchExact?.(QUERIES, 10)) ?? [])).toEqual(
        ids(await exactIndex('cosine').search(QUERIES, 10)),
      );
      const missing = await PgvectorIndex.over(
        await openServer(url, { variable: 'TEST_DATABASE_URL', concurrency: 1, timeoutMs: 5000 }),
        config({ table: 'nope' }),
      ).catch((e: unknown) => e);
      expect((missing as Error).message).toMatch(
        /has no table nope; tables with a vector column: ann_docs, docs/,
      );
      expect(JSON.stringify([index.resolved, index.facts, (missing as Error).message])).not.toContain(
        PASSWORD,
      );
    } finally {
      await index.close();
    }
  });

  it('a refused connection is a ServiceError naming the server and the variable to check, never the URL', async () => {
    const port = await closedPort();
    const error = await PgvectorIndex.open(config({ urlEnv: 'TEST_DATABASE_URL', dataDir: undefined }), {
      dir: '.',
      env: { TEST_DATABASE_URL: `postgres://app:${PASSWORD}@127.0.0.1:${port}/app` },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `PostgreSQL at postgres://127.0.0.1:${port}/app: .*connection refused: check that the server runs and that TEST_DATABASE_URL names its host and port`,
      ),
    );
    expect((error as Error).message).not.toContain(PASSWORD);
  });

  it('a search that outlives timeoutMs fails with a ServiceError saying what to raise', async () => {
    const proxy = await delayingProxy(Number(server.getServerConn().split(':')[1]));
    try {
      const index = await PgvectorIndex.open(
        config({ urlEnv: 'TEST_DATABASE_URL', dataDir: undefined, timeoutMs: 300 }),
        {
          dir: '.',
          env: { TEST_DATABASE_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:${proxy.port}/postgres` },
        },
      );
      try {
        proxy.delayMs = 1_000;
        const error = await index.search(QUERIES.slice(0, 2), 10).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ServiceError);
        expect((error as Error).message).toMatch(
          /search of 2 queries on docs: no answer within 300 ms: raise the index's timeoutMs/,
        );
        expect((error as Error).message).not.toContain(PASSWORD);
      } finally {
        proxy.delayMs = 0;
        await index.close();
      }
    } finally {
      await proxy.close();
    }
  });
});

/** A TCP proxy to `target` that holds what the client sends for `delayMs`: a slow server, on demand. */
async function delayingProxy(
  target: number,
): Promise<{ port: number; delayMs: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const proxy = {
    port: 0,
    delayMs: 0,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
  const listener: Server = createServer((client) => {
    const server = connect(target, '127.0.0.1');
    sockets.add(client).add(server);
    client.on('data', (chunk) => setTimeout(() => server.write(chunk), proxy.delayMs));
    server.pipe(client);
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
    client.on('error', () => {});
    server.on('error', () => {});
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  proxy.port = (listener.address() as AddressInfo).port;
  return proxy;
}
