import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup } from '../../src/app/migrate-status.js';
import type { CutoverRecord } from '../../src/results/cutovers.js';
import { listAliases, setAlias } from '../../src/retrieve/providers/qdrant/aliases.js';
import { QdrantConnection } from '../../src/retrieve/providers/qdrant/connection.js';
import { MigrationScenario } from '../helpers/migration.js';
import { QdrantTestServer } from '../servers/qdrant-server.js';

/**
 * A migration on the contract-validated Qdrant test server, through the CLI: build the old and new
 * collections with the alias on the old, review (a worse candidate fails, a better one passes), cut over in
 * one update_aliases request, roll back, clean up after retention; and the switch under faults (503 and
 * connection resets, before and after the change took effect, and during the read-back): the alias is
 * never left dangling and the command says where it ended.
 */

const HOUR = 3_600_000;
const ALIASES = 'POST /collections/aliases';
let server: QdrantTestServer;
let connection: QdrantConnection;
let scenario: MigrationScenario;
let reports: string;
let configFile: string;
const migrate = (...args: string[]) => scenario.migrate(...args);
const cutover = (...extra: string[]) => scenario.cutover('docs_v2', 'better', ...extra);

async function aliasTarget(): Promise<string | undefined> {
  return (await listAliases(connection)).get('docs');
}

function lastRecord(): CutoverRecord {
  const folder = join(reports, 'cutovers');
  const name = readdirSync(folder).sort().at(-1) as string;
  return JSON.parse(readFileSync(join(folder, name), 'utf8')) as CutoverRecord;
}

beforeAll(async () => {
  server = await QdrantTestServer.start();
  connection = new QdrantConnection({ url: server.url, timeoutMs: 5_000, maxRetries: 0 });
  scenario = new MigrationScenario(
    (collection) =>
      `{ kind: qdrant, url: "${server.url}", collection: ${collection}, maxRetries: 1, timeoutMs: 5000 }`,
  );
  ({ reports, configFile } = scenario);
  await scenario.buildAll((index) => ['--collection', `docs_${index}`]);
  const better = await scenario.review('better');
  expect(better.status, better.stderr).toBe(0);
});

afterEach(async () => {
  server.clearFaults();
});

afterAll(async () => {
  await server.close();
});

describe('migrate on Qdrant', () => {
  it('fails the review of a measurably worse candidate, and cutover refuses it', async () => {
    const worse = await scenario.review('worse');
    expect(worse.status, worse.stderr).toBe(1);
    const refused = await scenario.cutover('docs_v3', 'worse', '--yes');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/failed, so the cutover to docs_v3 is refused: maxDrop nDCG@10 \(worse\)/);
    expect(await aliasTarget()).toBe('docs_v1');
  });

  it('reviews the better candidate: alias, both collections, readiness with an exact count', () => {
    const review = JSON.parse(readFileSync(join(reports, 'better', 'review.json'), 'utf8'));
    expect(review).toMatchObject({
      live: { kind: 'qdrant', alias: 'docs', target: 'docs_v1', where: server.url },
      candidate: { target: 'docs_v2', readiness: { ready: true, count: 248, status: 'green' } },
      completeness: { missing: 0, stale: 0, extra: 0 },
    });
    expect(server.count('POST /collections/{collection_name}/points/count')).toBeGreaterThan(0);
  });

  it.each([
    ['503 on every attempt', () => server.failNext(5, 503, { endpoint: ALIASES })],
    ['a reset connection on every attempt', () => server.resetNext(5, ALIASES)],
  ])('%s of update_aliases leaves the alias on the old target, and says so', async (_what, arm) => {
    arm();
    const failed = await cutover('--yes');
    expect(failed.status).toBe(2);
    expect(failed.stderr).toMatch(
      /the switch failed \(.*\); alias docs still points at docs_v1 \(verified\): nothing changed/,
    );
    expect(lastRecord()).toMatchObject({ kind: 'cutover', state: 'failed', from: 'docs_v1', to: 'docs_v2' });
    server.clearFaults();
    expect(await aliasTarget()).toBe('docs_v1');
  });

  it('a switch that took effect but whose answers were lost is verified as done', async () => {
    server.resetNext(5, ALIASES, { applied: true });
    const done = await cutover('--yes');
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toMatch(
      /alias docs → docs_v2 \(verified\): the switch took effect though its answer was lost/,
    );
    expect(lastRecord()).toMatchObject({ state: 'done' });
    server.clearFaults();
    expect(await aliasTarget()).toBe('docs_v2');
    await setAlias(connection, 'docs', 'docs_v1');
  });

  it.each([
    ['503', () => server.failNext(5, 503, { endpoint: 'GET /aliases', after: 2 })],
    ['a reset connection', () => server.resetNext(5, 'GET /aliases', { after: 2 })],
  ])(
    '%s during the read-back: the state is reported unknown, and the alias is not dangling',
    async (_what, arm) => {
      arm();
      const unknown = await cutover('--yes');
      expect(unknown.status).toBe(2);
      expect(unknown.stderr).toMatch(
        /reading alias docs back failed .*where it points is unknown; check with `migrate status`/,
      );
      expect(lastRecord()).toMatchObject({ state: 'failed' });
      server.clearFaults();
      const status = await migrate('status', '--config', configFile);
      expect(status.stdout).toContain('docs → docs_v2');
      await setAlias(connection, 'docs', 'docs_v1');
    },
  );

  it('cuts over in one update_aliases request (delete + create), read back, then rolls back', async () => {
    server.resetCounters();
    const done = await cutover('--yes');
    expect(done.status, done.stderr).toBe(0);
    const switches = server.received.filter((r) => r.endpoint === ALIASES);
    expect(switches.map((r) => r.body)).toEqual([
      {
        actions: [
          { delete_alias: { alias_name: 'docs' } },
          { create_alias: { alias_name: 'docs', collection_name: 'docs_v2' } },
        ],
      },
    ]);
    expect(await aliasTarget()).toBe('docs_v2');
    const back = await migrate('rollback', '--alias', 'docs');
    expect(back.status, back.stderr).toBe(0);
    expect(await aliasTarget()).toBe('docs_v1');
  });

  it('cleanup deletes the previous collection only after retention, never one an alias names', async () => {
    const again = await cutover('--yes');
    expect(again.status, again.stderr).toBe(0);
    const inside = await cleanup({ reportsDir: reports, yes: true });
    expect(inside.deleted).toEqual([]);
    const later = await cleanup({
      reportsDir: reports,
      yes: true,
      now: () => new Date(Date.now() + 49 * HOUR),
    });
    expect(later.deleted).toEqual(['docs_v1']);
    expect(later.kept).toContainEqual({ index: 'docs_v2', reason: 'alias docs points at it' });
    const { collections } = await connection.client.getCollections();
    expect(collections.map((c) => c.name).sort()).toEqual(['docs_v2', 'docs_v3']);
    expect(server.failures).toEqual([]);
  });
});
