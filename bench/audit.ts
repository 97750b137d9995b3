import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { execa } from 'execa';
import pg from 'pg';
import { PACKAGE_ROOT } from '../src/package-root.js';
import type { AuditFile } from '../src/results/audit.js';

/**
 * `audit` at scale: BENCH_AUDIT_ROWS (1,000,000) rows in a real PostgreSQL table (the source of truth) against
 * as many points in an embedded pgvector table (PGlite), with 1,000 of each inconsistency planted (missing,
 * orphaned, stale). The audit runs as the CLI does, in a process of its own, and reports its wall time, its
 * peak RSS (ids and digests only: the target is well under 1 GB), rows/s from PostgreSQL and points/s from
 * the index. Needs PostgreSQL's server binaries (Debian's postgresql) or RG_TEST_POSTGRES_URL.
 */
export const name = 'audit';

const PLANTED = 1000;
const CONTENT = (i: string) => `'note number ' || ${i} || ' about brakes, chains and wheels'`;

interface TestPostgres {
  url: string;
  dir: string;
}

export async function run(): Promise<void> {
  const rows = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000);
  const script = (await import(pathToFileURL(join(PACKAGE_ROOT, 'scripts', 'test-postgres.mjs')).href)) as {
    postgresBinaries(): string | undefined;
    startPostgres(): Promise<TestPostgres>;
    stopPostgres(dir: string): void;
  };
  const given = process.env.RG_TEST_POSTGRES_URL;
  if (!given && !script.postgresBinaries()) {
    console.log('  skipped: no PostgreSQL (install Debian’s postgresql, or set RG_TEST_POSTGRES_URL)');
    return;
  }
  const server = given ? undefined : await script.startPostgres();
  const root = mkdtempSync(join(tmpdir(), 'rg-bench-audit-'));
  try {
    const url = await sourceTable(given ?? (server as TestPostgres).url, rows);
    const seedStart = performance.now();
    await indexTable(join(root, 'db'), rows);
    console.log(
      `${rows.toLocaleString('en')} source rows (PostgreSQL) against ${rows.toLocaleString('en')} points (PGlite pgvector); ` +
        `${PLANTED} each missing, orphaned, stale (seeded in ${((performance.now() - seedStart) / 1000).toFixed(0)} s)`,
    );
    writeFileSync(
      join(root, 'audit.yaml'),
      `dataset: bike-repair@1.0.0
models:
  m: { provider: hashing, dimensions: 2 }
indexes:
  notes: { kind: pgvector, table: notes_vec, dataDir: db }
sources:
  notes: { kind: postgres, urlEnv: BENCH_DB_URL, query: "select id, content, updated_at from notes" }
systems:
  - { id: s, model: m, index: notes, k: 10 }
`,
    );
    const out = join(root, 'out');
    const began = performance.now();
    await execa(
      process.execPath,
      [
        join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'main.js'),
        'audit',
        '--config',
        'audit.yaml',
        '--index',
        'notes',
        '--source',
        'notes',
        '--out',
        out,
      ],
      { cwd: root, env: { BENCH_DB_URL: url } },
    );
    const wall = (performance.now() - began) / 1000;
    const audit = JSON.parse(readFileSync(join(out, 'audit.json'), 'utf8')) as AuditFile;
    const { counts, figures } = audit;
    const rss = figures.peakRssBytes / 2 ** 20;
    console.log(
      `  audit: ${wall.toFixed(1)} s wall (CLI process), peak RSS ${rss.toFixed(0)} MB (target < 1024 MB: ${rss < 1024 ? 'met' : 'NOT met'}); ` +
        `PostgreSQL ${Math.round(figures.rowsPerSecond).toLocaleString('en')} rows/s, index ${Math.round(figures.pointsPerSecond).toLocaleString('en')} points/s`,
    );
    const expected = counts.missing === PLANTED && counts.orphaned === PLANTED && counts.stale === PLANTED;
    console.log(
      `  found ${counts.missing} missing, ${counts.orphaned} orphaned, ${counts.stale} stale, ${counts.foreign} foreign (${expected ? 'exactly what was planted' : 'NOT what was planted'})`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
    if (server) script.stopPostgres(server.dir);
  }
}

/** A database of its own holding `notes`: ids d1…dN, their content, and a change time each. */
async function sourceTable(adminUrl: string, rows: number): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS rg_bench_audit WITH (FORCE)');
  await admin.query('CREATE DATABASE rg_bench_audit');
  await admin.end();
  const parsed = new URL(adminUrl);
  parsed.pathname = '/rg_bench_audit';
  const client = new pg.Client({ connectionString: parsed.toString() });
  await client.connect();
  await client.query(
    `CREATE TABLE notes AS SELECT 'd' || i AS id, ${CONTENT('i')} AS content,
       timestamptz '2026-11-01' + i * interval '1 second' AS updated_at FROM generate_series(1, ${rows}) i`,
  );
  await client.query('ALTER TABLE notes ADD PRIMARY KEY (id)');
  await client.end();
  return parsed.toString();
}

/**
 * The index as `index build` leaves it (id, vector, content digest, model; a build record), built in SQL:
 * the first PLANTED ids left out (missing), PLANTED ids the source lacks (orphaned), PLANTED digests wrong
 * (stale).
 */
async function indexTable(dataDir: string, rows: number): Promise<void> {
  const db = await PGlite.create({ dataDir, extensions: { vector } });
  await db.exec(`CREATE EXTENSION vector;
    CREATE TABLE notes_vec (id text PRIMARY KEY, embedding vector(2) NOT NULL, content_sha256 text NOT NULL, embedded_with text);
    CREATE TABLE retrieval_gate_builds (table_name text PRIMARY KEY, record jsonb NOT NULL);
    INSERT INTO retrieval_gate_builds VALUES ('notes_vec', '{"providerModel": "hashing-2", "modelVersion": "1", "status": "ready"}');`);
  const step = 100_000;
  for (let first = PLANTED + 1; first <= rows + PLANTED; first += step) {
    const last = Math.min(first + step - 1, rows + PLANTED);
    await db.exec(
      `INSERT INTO notes_vec SELECT 'd' || i, '[1,0]',
         CASE WHEN i <= ${2 * PLANTED} THEN 'stale' ELSE encode(sha256(convert_to(${CONTENT('i')}, 'UTF8')), 'hex') END,
         'hashing-2@1' FROM generate_series(${first}, ${last}) i`,
    );
  }
  await db.close();
  if (readdirSync(dataDir).length === 0) throw new Error('the PGlite data folder is empty');
}
