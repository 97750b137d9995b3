import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditIndex } from '../../src/app/audit.js';
import { corpusDocuments } from '../../src/app/run.js';
import { loadConfig } from '../../src/config/load.js';
import { loadDataset } from '../../src/dataset/native.js';
import { resolveDataset } from '../../src/dataset/resolve.js';
import type { AuditFile } from '../../src/results/audit.js';
import { QdrantConnection } from '../../src/retrieve/providers/qdrant/connection.js';
import { pointIdFor } from '../../src/retrieve/providers/qdrant/point-ids.js';
import { deletePoints, upsertPoints } from '../../src/retrieve/providers/qdrant/write.js';
import { killCliWhen, runCliInProcess } from '../helpers/cli.js';
import { closedPort } from '../helpers/ports.js';
import { describePostgres, freshDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';
import { QdrantTestServer } from '../servers/qdrant-server.js';

/**
 * `audit` and `index sync` against a real PostgreSQL source of truth, for an embedded pgvector table and
 * the contract-validated Qdrant server: each kind of inconsistency planted in the source or the index and
 * found exactly, with the oldest unresolved change's age; the fix plan synced and a second audit clean; a
 * sync killed with SIGKILL resumed; bad input and a server failing mid-scroll each an exit 2.
 */

const NOW = new Date('2026-12-03T00:00:00.000Z');
const UPSERT = 'PUT /collections/{collection_name}/points';
const SCROLL = 'POST /collections/{collection_name}/points/scroll';

describePostgres('audit against PostgreSQL', () => {
  const databaseUrl = freshDatabase();
  let server: QdrantTestServer;
  let connection: QdrantConnection;
  let dir: string;
  let configFile: string;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCliInProcess(args, dir, env);
  /** `audit` of an index against the `notes` source, with more flags. */
  const auditCli = (index: string, ...flags: string[]) =>
    cli('audit', '--config', configFile, '--index', index, '--source', 'notes', ...flags);
  const sync = (plan: string) =>
    cli('index', 'sync', '--plan', plan, '--yes', '--reports', join(dir, 'reports'), '--quiet');
  const sql = async (text: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      await client.query(text, params);
    } finally {
      await client.end();
    }
  };
  const audit = (index: string, extra: Partial<Parameters<typeof auditIndex>[0]> = {}) =>
    auditIndex({
      configFile,
      index,
      source: 'notes',
      reportsDir: join(dir, 'reports'),
      env,
      now: () => NOW,
      ...extra,
    });

  beforeAll(async () => {
    server = await QdrantTestServer.start();
    connection = new QdrantConnection({ url: server.url, timeoutMs: 5_000, maxRetries: 0 });
    dir = tempDir('rg-audit-');
    configFile = join(dir, 'audit.yaml');
    env = { TEST_DB_URL: databaseUrl() };
    writeFileSync(
      configFile,
      `dataset: bike-repair@1.0.0
cacheDir: cache
models:
  hash-64: { provider: hashing, dimensions: 64 }
indexes:
  pg: { kind: pgvector, table: notes_vec, dataDir: db }
  qd: { kind: qdrant, url: "${server.url}", collection: notes, maxRetries: 1, timeoutMs: 5000 }
sources:
  notes: { kind: postgres, urlEnv: TEST_DB_URL, query: "select id, content, updated_at, deleted_at from notes", pageSize: 50 }
  nocontent: { kind: postgres, urlEnv: TEST_DB_URL, query: "select id, updated_at from notes" }
systems:
  - { id: notes, model: hash-64, index: pg, k: 10 }
`,
    );
    // The source holds what the corpus holds, as index build embeds it: a clean index audits clean.
    const config = loadConfig(configFile, env);
    const documents = corpusDocuments(loadDataset(resolveDataset(config.dataset, config.dir)), {
      ...config,
      systems: [],
    });
    await sql(
      'CREATE TABLE notes (id text PRIMARY KEY, content text NOT NULL, updated_at timestamptz, deleted_at timestamptz)',
    );
    await sql(
      "INSERT INTO notes (id, content, updated_at) SELECT * , timestamptz '2026-11-01T00:00:00Z' FROM unnest($1::text[], $2::text[])",
      [documents.map((d) => d.id), documents.map((d) => d.text)],
    );
    for (const index of ['pg', 'qd']) {
      const args = ['index', 'build', '--config', configFile, '--model', 'hash-64', '--index', index];
      const built = await cli(
        ...args,
        '--reports',
        join(dir, 'reports'),
        '--quiet',
        ...(index === 'qd' ? ['--collection', 'notes'] : []),
      );
      expect(built.status, built.stderr).toBe(0);
    }
  });

  afterAll(async () => {
    await server?.close();
  });

  it('refuses a file given as --reports or --out before reading anything (exit 2, naming the flag)', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    for (const flag of ['--reports', '--out']) {
      const result = await auditCli('pg', flag, file);
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toContain(`${flag} names a file`);
      expect(result.stderr).not.toContain('    at ');
    }
  });

  it('finds nothing wrong with an index built from what the source holds', async () => {
    for (const index of ['pg', 'qd']) {
      const { audit: found } = await audit(index);
      expect(found.counts).toEqual({
        missing: 0,
        orphaned: 0,
        stale: 0,
        foreign: 0,
        unknownDigest: 0,
        unknownModel: 0,
      });
      expect(found).toMatchObject({ points: 248, completeness: 1, source: { rows: 248, live: 248 } });
    }
  });

  it('finds each planted inconsistency exactly, with the oldest unresolved change and its age', async () => {
    await sql(
      "UPDATE notes SET content = content || ' (edited)', updated_at = '2026-12-01T00:00:00Z' WHERE id = 'd001'",
    );
    await sql(
      "INSERT INTO notes VALUES ('d900', 'a new note about tubeless valves', '2026-12-02T00:00:00Z', NULL)",
    );
    await sql("DELETE FROM notes WHERE id = 'd002'");
    await sql("UPDATE notes SET deleted_at = '2026-11-20T00:00:00Z' WHERE id = 'd003'");
    // A point of another model in each index: a mixed index.
    const db = await PGlite.create({ dataDir: join(dir, 'db'), extensions: { vector } });
    await db.query("UPDATE notes_vec SET embedded_with = 'other-model@9' WHERE id = 'd004'");
    await db.close();
    await upsertPoints(connection, 'notes', [
      {
        docid: 'd004',
        vector: Array.from({ length: 64 }, (_, i) => (i === 0 ? 1 : 0)),
        contentSha256: 'x',
        embeddedWith: 'other-model@9',
      },
    ]);
    for (const index of ['pg', 'qd']) {
      const { audit: found } = await audit(index);
      const ids = (list: keyof AuditFile['lists']) => found.lists[list].map((item) => item.id);
      expect(found.counts).toMatchObject({
        missing: 1,
        orphaned: 2,
        stale: index === 'qd' ? 2 : 1,
        foreign: 1,
      });
      expect(ids('missing')).toEqual(['d900']);
      expect(ids('orphaned').sort()).toEqual(['d002', 'd003']);
      expect(found.lists.orphaned.find((item) => item.id === 'd003')?.reason).toBe(
        'soft-deleted in the source',
      );
      // The Qdrant point of d004 was also written with another digest: stale as well as foreign.
      expect(ids('stale')).toEqual(index === 'qd' ? ['d001', 'd004'] : ['d001']);
      expect(ids('foreign')).toEqual(['d004']);
      // The oldest change still waiting: d001's edit (48 h), or on Qdrant d004, unchanged since November.
      const oldest =
        index === 'qd'
          ? ['d004', '2026-11-01T00:00:00.000Z', 32 * 24]
          : ['d001', '2026-12-01T00:00:00.000Z', 48];
      expect(found.oldestUnresolved).toEqual({
        id: oldest[0],
        updatedAt: oldest[1],
        ageMs: Number(oldest[2]) * 3_600_000,
      });
      expect(found.newestUnindexed).toEqual({
        id: 'd900',
        updatedAt: '2026-12-02T00:00:00.000Z',
        ageMs: 24 * 3_600_000,
      });
      expect(found.source).toMatchObject({ rows: 248, live: 247, deleted: 1 });
    }
  });

  it('a consistency gate fails on them with the reason, and writes the CI outputs', async () => {
    const policy = join(dir, 'consistency.yaml');
    writeFileSync(
      policy,
      'rules:\n  - { kind: consistency, maxMissing: 0, maxStale: "1%", maxOldestUnresolved: 24h }\n',
    );
    const out = join(dir, 'gated');
    const gated = await auditCli('pg', '--gate', policy, '--out', out);
    expect(gated.status, gated.stderr).toBe(1);
    expect(gated.stderr).toMatch(/1 missing .* more than 0: d900/);
    expect(gated.stderr).toMatch(/d001 has waited \d+(\.\d)? h since it changed/);
    for (const file of ['audit.json', 'audit.md', 'audit.html', 'gate.json', 'gate.junit.xml']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(readFileSync(join(out, 'audit.md'), 'utf8')).toContain('d900');
  });

  it('syncs the fix plan through the build path, and a second audit is clean', async () => {
    for (const index of ['pg', 'qd']) {
      const plan = join(dir, `plan-${index}.json`);
      const planned = await auditCli(index, '--fix-plan', plan);
      expect(planned.status, planned.stderr).toBe(0);
      const dry = await cli('index', 'sync', '--plan', plan);
      expect(dry.stdout).toMatch(/^dry run: nothing changed/);
      const synced = await sync(plan);
      expect(synced.status, synced.stderr).toBe(0);
      expect(synced.stdout).toMatch(/deleted 3 points, re-embedded \d+ documents .*\(reindex\)/);
      const { audit: clean } = await audit(index);
      expect(clean.counts).toMatchObject({ missing: 0, orphaned: 0, stale: 0, foreign: 0 });
      expect(clean.completeness).toBe(1);
    }
  });

  it('resumes a sync killed with SIGKILL: a second run finishes it, embedding nothing twice', async () => {
    const docids = Array.from({ length: 200 }, (_, i) => `d${String(i + 10).padStart(3, '0')}`);
    await deletePoints(connection, 'notes', docids.map(pointIdFor));
    const plan = join(dir, 'plan-kill.json');
    await audit('qd', { fixPlan: plan });
    const upserts = server.count(UPSERT);
    server.latencyMs = 40;
    const killed = await killCliWhen(
      ['index', 'sync', '--plan', plan, '--yes', '--batch-size', '16', '--parallel', '2', '--quiet'],
      {
        cwd: dir,
        env,
        ready: () => server.count(UPSERT) >= upserts + 2,
      },
    );
    server.latencyMs = 0;
    expect(killed).toBe(true);
    const partial = await audit('qd');
    expect(partial.audit.counts.missing).toBeGreaterThan(0);
    expect(partial.audit.counts.missing).toBeLessThan(200);
    const resumed = await sync(plan);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/re-embedded 200 documents \(200 from the embedding cache\)/);
    expect((await audit('qd')).audit.counts).toMatchObject({ missing: 0, orphaned: 0, stale: 0, foreign: 0 });
    expect(server.failures).toEqual([]);
  });

  it('refuses bad sources and fails, never reporting a partial audit, when the index stops answering', async () => {
    const run = (...args: string[]) => cli('audit', '--config', configFile, '--index', 'qd', ...args);
    const unset = await runCliInProcess(
      ['audit', '--config', configFile, '--index', 'pg', '--source', 'notes'],
      dir,
      {
        TEST_DB_URL: '',
      },
    );
    expect(unset.status).toBe(2);
    expect(unset.stderr).toMatch(/sources\.notes\.urlEnv|TEST_DB_URL/);
    const nocontent = await run('--source', 'nocontent');
    expect(nocontent.status).toBe(2);
    expect(nocontent.stderr).toMatch(/sources\.nocontent\.query/);
    const refused = await runCliInProcess(
      ['audit', '--config', configFile, '--index', 'pg', '--source', 'notes'],
      dir,
      {
        TEST_DB_URL: `postgres://audit:s3cret-pw@127.0.0.1:${await closedPort()}/postgres`,
      },
    );
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/127\.0\.0\.1:\d+/);
    expect(refused.stderr).not.toContain('s3cret-pw');
    const out = join(dir, 'partial');
    server.failNext(10, 503, { endpoint: SCROLL });
    const failed = await run('--source', 'notes', '--out', out);
    server.clearFaults();
    expect(failed.status).toBe(2);
    expect(failed.stderr).toMatch(/scroll 'notes'/);
    expect(existsSync(join(out, 'audit.json'))).toBe(false);
  });
});
