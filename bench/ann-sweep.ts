import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { annRecall } from '../src/metrics/ann-recall.js';
import { ExactIndex } from '../src/retrieve/providers/indexes/exact.js';
import { embeddedClient } from '../src/retrieve/providers/pgvector/embedded.js';
import { PgvectorIndex } from '../src/retrieve/providers/pgvector/pgvector-index.js';
import type { SqlClient } from '../src/retrieve/providers/pgvector/sql-client.js';
import { createAnnIndex, createTable, insertRows } from '../src/retrieve/providers/pgvector/write.js';
import type { Hit, QueryInput } from '../src/retrieve/types.js';
import { seededVectors } from './pgvector-build.js';

/**
 * ANN quality and speed of pgvector's HNSW on the embedded path: BENCH_ANN_ROWS (20,000) seeded, clustered
 * vectors of 384 dimensions in a PGlite table (HNSW m 16, ef_construction 64), 1,000 queries from the same
 * distribution searched through the pgvector index as the runner does (batches of 16, SET LOCAL
 * hnsw.ef_search) at three ef_search settings; ANNRecall@10 (ties at the 10th exact score count) against
 * the embedded exact index on the same vectors, and queries/s of each.
 */
export const name = 'ann-sweep';

const DIMENSIONS = 384;
const QUERIES = 1_000;
const K = 10;
const BATCH = 16;
const EF_SEARCH = [10, 40, 160];
const SPEC = { table: 'docs', idColumn: 'id', vectorColumn: 'embedding', distance: 'cosine' } as const;

export async function run(): Promise<void> {
  const rows = Number(process.env.BENCH_ANN_ROWS ?? 20_000);
  // One draw, so that queries come from the corpus's clusters.
  const all = seededVectors(rows + QUERIES, DIMENSIONS, 23);
  const corpus = all.subarray(0, rows * DIMENSIONS);
  const ids = Array.from({ length: rows }, (_, i) => `doc${String(i).padStart(6, '0')}`);
  const queries: QueryInput[] = Array.from({ length: QUERIES }, (_, q) => ({
    id: `q${q}`,
    text: '',
    vector: all.subarray((rows + q) * DIMENSIONS, (rows + q + 1) * DIMENSIONS),
  }));
  console.log(
    `${rows.toLocaleString('en')} × ${DIMENSIONS} vectors (seeded, clustered), ${QUERIES.toLocaleString('en')} queries, top ${K}; PGlite HNSW m 16, ef_construction 64`,
  );

  const exactIndex = new ExactIndex(ids, corpus, DIMENSIONS, 'cosine');
  const exactStart = performance.now();
  const exact = await exactIndex.search(queries, K);
  const exactSeconds = (performance.now() - exactStart) / 1000;
  console.log(
    `  embedded exact index: ${rate(QUERIES, exactSeconds)} queries/s (all at once; ANNRecall 1 by construction)`,
  );

  const dataDir = mkdtempSync(join(tmpdir(), 'rg-bench-ann-'));
  try {
    const client = embeddedClient(await PGlite.create({ dataDir, extensions: { vector } }), 'bench');
    await createTable(client, SPEC, DIMENSIONS);
    const buildStart = performance.now();
    for (let i = 0; i < rows; i += 128) {
      await insertRows(
        client,
        SPEC,
        ids.slice(i, i + 128).map((docid, j) => ({
          docid,
          vector: corpus.subarray((i + j) * DIMENSIONS, (i + j + 1) * DIMENSIONS),
          contentSha256: '0',
        })),
      );
    }
    const ann = await createAnnIndex(client, SPEC, { type: 'hnsw', m: 16, efConstruction: 64 }, 'cosine');
    console.log(
      `  table written and indexed in ${((performance.now() - buildStart) / 1000).toFixed(1)} s (HNSW ${ann?.seconds.toFixed(1)} s)`,
    );
    for (const efSearch of EF_SEARCH) {
      const index = await PgvectorIndex.over(client, {
        ...SPEC,
        exact: false,
        forceIndex: false,
        efSearch,
        batchSize: BATCH,
      });
      await index.search(queries.slice(0, BATCH), K); // warm-up
      const start = performance.now();
      const found: Hit[][] = [];
      for (let i = 0; i < QUERIES; i += BATCH)
        found.push(...(await index.search(queries.slice(i, i + BATCH), K)));
      const seconds = (performance.now() - start) / 1000;
      const recall =
        found.reduce((sum, hits, q) => sum + annRecall(results(hits), results(exact[q] ?? []), K), 0) /
        QUERIES;
      console.log(
        `  efSearch ${String(efSearch).padStart(3)}: ANNRecall@${K} ${recall.toFixed(3)}, ${rate(QUERIES, seconds)} queries/s (batches of ${BATCH}, one connection; ${await plan(client, efSearch, queries[0]?.vector)})`,
      );
    }
    // The same table with index scans off: pgvector's own exact answer, the run's `exact: true`.
    const scan = await PgvectorIndex.over(client, {
      ...SPEC,
      exact: true,
      forceIndex: false,
      batchSize: BATCH,
    });
    const scanStart = performance.now();
    const scanned = await scan.search(queries.slice(0, 100), K);
    const scanSeconds = (performance.now() - scanStart) / 1000;
    const agree =
      scanned.reduce((sum, hits, q) => sum + annRecall(results(hits), results(exact[q] ?? []), K), 0) /
      scanned.length;
    console.log(
      `  exact: true (index scans off, 100 queries): ${rate(100, scanSeconds)} queries/s, agreement with the exact index ${agree.toFixed(3)}`,
    );
    await client.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Whether the planner searches the HNSW index at this ef_search or scans the table (small tables). */
async function plan(client: SqlClient, efSearch: number, query: Float32Array | undefined): Promise<string> {
  const vectorLiteral = `'[${Array.from(query ?? []).join(',')}]'`;
  const [, explained] = await client.script(
    'explain',
    `SET LOCAL hnsw.ef_search = ${efSearch};\nEXPLAIN SELECT id FROM docs ORDER BY embedding <=> ${vectorLiteral} LIMIT ${K}`,
  );
  const text = (explained ?? []).map((row) => Object.values(row).join(' ')).join('\n');
  return /Index Scan using/.test(text) ? 'HNSW index scan' : 'the planner chose a sequential scan';
}

function results(hits: Hit[]) {
  return { docids: hits.map((h) => h.docid), scores: hits.map((h) => h.score) };
}

const rate = (count: number, seconds: number) => Math.round(count / seconds).toLocaleString('en');
