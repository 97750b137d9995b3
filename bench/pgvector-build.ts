import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { seededRandom } from '../src/metrics/random.js';
import { embeddedClient } from '../src/retrieve/providers/pgvector/embedded.js';
import {
  createAnnIndex,
  createTable,
  type DocumentRow,
  insertRows,
  tableSizeBytes,
} from '../src/retrieve/providers/pgvector/write.js';

/**
 * `index build`'s write side on the embedded path (PGlite + pgvector): BENCH_PGVECTOR_ROWS (100,000) seeded
 * vectors of 384 dimensions written in batches of 128 rows (the CLI's default --batch-size) through the
 * functions index build calls (createTable, insertRows, createAnnIndex: HNSW m 16, ef_construction 64),
 * then the same batched INSERT statements sent straight to a fresh PGlite database, so the difference is
 * the write path's own overhead. Prints seconds, vectors/s and MB on disk. No embedding: vectors are given.
 */
export const name = 'pgvector-build';

const DIMENSIONS = 384;
const BATCH = 128;
const OVERHEAD_ROWS = 10_000;
const HNSW = { type: 'hnsw', m: 16, efConstruction: 64 } as const;
const SPEC = { table: 'docs', idColumn: 'id', vectorColumn: 'embedding', distance: 'cosine' } as const;

export async function run(): Promise<void> {
  const rows = Number(process.env.BENCH_PGVECTOR_ROWS ?? 100_000);
  const documents = seededRows(rows, DIMENSIONS, 11);
  console.log(
    `${rows.toLocaleString('en')} × ${DIMENSIONS} vectors, batches of ${BATCH} rows, HNSW m ${HNSW.m} ef_construction ${HNSW.efConstruction}, PGlite (one thread, WebAssembly)`,
  );
  const root = mkdtempSync(join(tmpdir(), 'rg-bench-pgvector-'));
  try {
    // The write path: what `index build` runs for a pgvector table (less embedding and the build record).
    const toolDir = join(root, 'tool');
    const client = embeddedClient(await PGlite.create({ dataDir: toolDir, extensions: { vector } }), 'bench');
    await createTable(client, SPEC, DIMENSIONS);
    const insertStart = performance.now();
    for (let i = 0; i < documents.length; i += BATCH)
      await insertRows(client, SPEC, documents.slice(i, i + BATCH));
    const insertSeconds = (performance.now() - insertStart) / 1000;
    const ann = await createAnnIndex(client, SPEC, HNSW, 'cosine');
    const totalBytes = await tableSizeBytes(client, SPEC);
    await client.close();
    const totalSeconds = insertSeconds + (ann?.seconds ?? 0);
    console.log(
      `  index build's write path: inserts ${insertSeconds.toFixed(1)} s (${rate(rows, insertSeconds)} vectors/s), HNSW ${ann?.seconds.toFixed(1)} s; ` +
        `total ${totalSeconds.toFixed(1)} s (${rate(rows, totalSeconds)} vectors/s)`,
    );
    console.log(
      `  on disk: table + indexes ${mb(totalBytes)} MB (HNSW ${mb(ann?.sizeBytes ?? 0)} MB); data folder ${mb(folderBytes(toolDir))} MB`,
    );

    // Bare: the same statements (text, parameters, batches) sent by hand to PGlite, no tool code. Both ways
    // again on the first OVERHEAD_ROWS rows into fresh databases, alternating, best of 3: a busy machine
    // drifts more over one long build than the difference being measured.
    const sample = documents.slice(0, Math.min(rows, OVERHEAD_ROWS));
    const best = { tool: Number.POSITIVE_INFINITY, bare: Number.POSITIVE_INFINITY };
    for (let round = 0; round < 3; round++) {
      best.tool = Math.min(best.tool, await timedInserts(join(root, `tool-${round}`), sample, 'tool'));
      best.bare = Math.min(best.bare, await timedInserts(join(root, `bare-${round}`), sample, 'bare'));
    }
    const overhead = (best.tool / best.bare - 1) * 100;
    console.log(
      `  inserts of ${sample.length.toLocaleString('en')} rows, best of 3: write path ${best.tool.toFixed(2)} s (${rate(sample.length, best.tool)} vectors/s), ` +
        `bare INSERTs to PGlite ${best.bare.toFixed(2)} s (${rate(sample.length, best.bare)} vectors/s): the write path adds ${overhead.toFixed(1)} %`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Seconds to insert `rows` into a new database's table: through insertRows, or the same SQL by hand. */
async function timedInserts(dataDir: string, rows: DocumentRow[], how: 'tool' | 'bare'): Promise<number> {
  const db = await PGlite.create({ dataDir, extensions: { vector } });
  const client = embeddedClient(db, 'bench');
  await createTable(client, SPEC, DIMENSIONS);
  const start = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    if (how === 'tool') {
      await insertRows(client, SPEC, batch);
      continue;
    }
    const values = batch.map((_, j) => `($${3 * j + 1}, $${3 * j + 2}, $${3 * j + 3})`).join(', ');
    await db.query(
      `INSERT INTO "docs" ("id", "embedding", content_sha256) VALUES ${values} ON CONFLICT ("id") DO UPDATE SET "embedding" = EXCLUDED."embedding", content_sha256 = EXCLUDED.content_sha256`,
      batch.flatMap((row) => [row.docid, `[${Array.from(row.vector).join(',')}]`, row.contentSha256]),
    );
  }
  const seconds = (performance.now() - start) / 1000;
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
  return seconds;
}

/** Seeded vectors around 256 random centres (unit length, cosine), as embeddings cluster by topic. */
export function seededVectors(count: number, dimensions: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const centres = new Float32Array(256 * dimensions);
  for (let i = 0; i < centres.length; i++) centres[i] = random() * 2 - 1;
  const vectors = new Float32Array(count * dimensions);
  for (let n = 0; n < count; n++) {
    const centre = Math.floor(random() * 256) * dimensions;
    let norm = 0;
    for (let d = 0; d < dimensions; d++) {
      const value = (centres[centre + d] as number) + (random() * 2 - 1);
      vectors[n * dimensions + d] = value;
      norm += value * value;
    }
    const scale = 1 / Math.sqrt(norm);
    for (let d = 0; d < dimensions; d++)
      vectors[n * dimensions + d] = (vectors[n * dimensions + d] as number) * scale;
  }
  return vectors;
}

function seededRows(count: number, dimensions: number, seed: number): DocumentRow[] {
  const vectors = seededVectors(count, dimensions, seed);
  return Array.from({ length: count }, (_, i) => ({
    docid: `doc${String(i).padStart(6, '0')}`,
    vector: vectors.subarray(i * dimensions, (i + 1) * dimensions),
    contentSha256: i.toString(16).padStart(64, '0'),
  }));
}

function folderBytes(folder: string): number {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

const rate = (count: number, seconds: number) => Math.round(count / seconds).toLocaleString('en');
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
