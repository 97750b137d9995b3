import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanup } from '../../src/app/migrate-status.js';
import type { CutoverRecord } from '../../src/results/cutovers.js';
import type { ReviewFile } from '../../src/results/review.js';
import { MigrationScenario } from '../helpers/migration.js';

/**
 * A migration to a new embedding model on embedded pgvector (real PGlite tables), through the CLI: build
 * the old and new tables with the alias (a view) on the old, review a worse and a better candidate, refuse
 * the worse and stale or tampered reviews, cut over, verify, roll back, and clean up only after retention.
 */

const HOUR = 3_600_000;
let scenario: MigrationScenario;
let dataDir: string;
let reports: string;
let configFile: string;
const migrate = (...args: string[]) => scenario.migrate(...args);

/** The view's target and the alias record, read straight from the database. */
async function aliasInDatabase(): Promise<{ target: string; record: Record<string, unknown> | undefined }> {
  const db = await PGlite.create({ dataDir, extensions: { vector } });
  try {
    const view = await db.query<{ target: string }>(
      `SELECT DISTINCT c.relname AS target FROM pg_rewrite r JOIN pg_depend d ON d.objid = r.oid
         JOIN pg_class c ON c.oid = d.refobjid
        WHERE r.ev_class = 'docs'::regclass AND c.oid <> r.ev_class AND c.relkind = 'r'`,
    );
    const records = await db.query<Record<string, unknown>>(
      "SELECT target, previous FROM retrieval_gate_aliases WHERE alias = 'docs'",
    );
    return { target: view.rows[0]?.target ?? '', record: records.rows[0] };
  } finally {
    await db.close();
  }
}

function review(name: string): ReviewFile {
  return JSON.parse(readFileSync(join(reports, name, 'review.json'), 'utf8')) as ReviewFile;
}

function records(): CutoverRecord[] {
  const folder = join(reports, 'cutovers');
  return readdirSync(folder)
    .sort()
    .map((name) => JSON.parse(readFileSync(join(folder, name), 'utf8')) as CutoverRecord);
}

beforeAll(async () => {
  scenario = new MigrationScenario((table) => `{ kind: pgvector, table: ${table}, dataDir: db }`);
  ({ reports, configFile } = scenario);
  dataDir = join(scenario.dir, 'db');
  await scenario.buildAll();
});

describe('migrate on embedded pgvector', () => {
  it('index build --alias makes the view the search service reads', async () => {
    expect((await aliasInDatabase()).target).toBe('docs_v1');
    const status = await migrate('status', '--config', configFile);
    expect(status.stdout).toContain('docs → docs_v1');
  });

  it('fails the review of a measurably worse candidate, and cutover refuses it with the reason', async () => {
    const worse = await scenario.review('worse');
    expect(worse.status, worse.stderr).toBe(1);
    expect(worse.stdout).toMatch(/FAIL\s+worse\s+maxDrop nDCG@10/);
    expect(review('worse')).toMatchObject({ status: 'fail', live: { alias: 'docs', target: 'docs_v1' } });

    const refused = await scenario.cutover('docs_v3', 'worse', '--yes');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /the review in .* failed, so the cutover to docs_v3 is refused: maxDrop nDCG@10 \(worse\): .*drop/,
    );
    expect((await aliasInDatabase()).target).toBe('docs_v1');
  });

  it('passes the review of a better candidate, with agreement, completeness, readiness and digests', async () => {
    const sample = join(scenario.dir, 'production-sample.jsonl');
    writeFileSync(
      sample,
      ['my chain keeps falling off', 'tubeless sealant dried out', 'which saddle for long rides']
        .map((text, i) => JSON.stringify({ id: `p${i + 1}`, text }))
        .join('\n'),
    );
    const passed = await scenario.review('better', ['--queries', sample]);
    expect(passed.status, passed.stderr).toBe(0);
    const figures = review('better');
    expect(figures).toMatchObject({
      status: 'warn', // the new model agrees little with the old one: a warning to read, not a failure
      live: { system: 'live', alias: 'docs', target: 'docs_v1', readiness: { ready: true, count: 248 } },
      candidate: { system: 'better', alias: null, target: 'docs_v2', readiness: { ready: true, count: 248 } },
      completeness: { corpus: 248, indexed: 248, missing: 0, extra: 0, stale: 0, unknownDigest: 0 },
      build: { documents: 248 },
    });
    expect(figures.candidate.buildRecordSha256).toMatch(/^[0-9a-f]{64}$/);
    const judged = figures.agreement.find((a) => a.set === 'judged' && a.k === 10);
    expect(judged?.queries).toBe(73);
    expect(judged?.meanOverlap).toBeGreaterThan(0);
    expect(judged?.meanOverlap).toBeLessThan(1);
    // The unjudged sample is answered by both systems and compared, never evaluated.
    const unjudged = figures.agreement.find((a) => a.set === 'sample' && a.k === 10);
    expect(unjudged?.queries).toBe(3);
    expect(unjudged?.worst.map((w) => w.text)).toContain('tubeless sealant dried out');
    expect(figures.sample).toMatchObject({ queries: 3 });
    expect(readFileSync(join(reports, 'better', 'systems', 'better', 'sample.trec'), 'utf8')).toMatch(
      /^p1 Q0 /,
    );
    const gate = JSON.parse(readFileSync(join(reports, 'better', 'gate.json'), 'utf8'));
    const kinds = gate.outcomes.map((o: { kind: string }) => o.kind);
    for (const kind of [
      'maxDrop',
      'ann',
      'agreement',
      'completeness',
      'readiness',
      'compatibility',
      'latency',
      'cost',
    ]) {
      expect(kinds).toContain(kind);
    }
    expect(readFileSync(join(reports, 'better', 'report.md'), 'utf8')).toContain('May we switch?');
    expect(readFileSync(join(reports, 'better', 'gate.junit.xml'), 'utf8')).toContain('agreement @10');
  });

  it('refuses bad input to a review with the file, line and field, exit 2', async () => {
    const review = (...args: string[]) => migrate('review', '--config', configFile, '--quiet', ...args);
    const unknown = await review('--live', 'nope', '--candidate', 'better');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no system 'nope' \(--live\) in .*; its systems: live, better, worse/);
    const same = await review('--live', 'live', '--candidate', 'live');
    expect(same.stderr).toMatch(/name the same system 'live'/);
    const broken = join(scenario.dir, 'broken.jsonl');
    writeFileSync(broken, '{"id": "p1", "text": "fine"}\n{"id": "p2"}\n');
    const malformed = await review('--live', 'live', '--candidate', 'better', '--queries', broken);
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toMatch(/broken\.jsonl:2: .*text/);
    expect(malformed.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses a stale or tampered review, an unknown alias and a missing target, switching nothing', async () => {
    const better = join(reports, 'better');
    const cutover = (...args: string[]) => migrate('cutover', '--review', better, ...args, '--yes');
    const old = await cutover('--alias', 'docs', '--to', 'docs_v2', '--max-age', '0s');
    expect(old.status).toBe(2);
    expect(old.stderr).toMatch(/older than --max-age/);
    const unknown = await cutover('--alias', 'search', '--to', 'docs_v2');
    expect(unknown.stderr).toMatch(/alias search does not exist/);
    const missing = await cutover('--alias', 'docs', '--to', 'docs_v9');
    expect(missing.stderr).toMatch(/the target docs_v9 does not exist/);
    const original = readFileSync(configFile, 'utf8');
    appendFileSync(configFile, '# edited after the review\n');
    const tampered = await cutover('--alias', 'docs', '--to', 'docs_v2');
    writeFileSync(configFile, original);
    expect(tampered.status).toBe(2);
    expect(tampered.stderr).toMatch(/the config changed since the review .*: review again/);
    for (const refused of [unknown, missing]) expect(refused.status).toBe(2);
    expect((await aliasInDatabase()).target).toBe('docs_v1');
  });

  it('cuts over after a dry run, verified, with a rollback record', async () => {
    const dry = await scenario.cutover('docs_v2', 'better');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^dry run: nothing switched/);
    expect((await aliasInDatabase()).target).toBe('docs_v1');

    const done = await scenario.cutover('docs_v2', 'better', '--yes');
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toContain('alias docs → docs_v2 (verified by reading it back)');
    expect(await aliasInDatabase()).toEqual({
      target: 'docs_v2',
      record: { target: 'docs_v2', previous: 'docs_v1' },
    });
    const [record] = records();
    expect(record).toMatchObject({
      kind: 'cutover',
      alias: 'docs',
      from: 'docs_v1',
      to: 'docs_v2',
      state: 'done',
    });
    expect(Date.parse(record?.retentionUntil ?? '') - Date.parse(record?.at ?? '')).toBe(48 * HOUR);
    const status = await migrate('status', '--config', configFile);
    expect(status.stdout).toMatch(/docs → docs_v2[\s\S]*rollback of docs possible: back to docs_v1/);
  });

  it('rolls back to the recorded previous target, once', async () => {
    const back = await migrate('rollback', '--alias', 'docs');
    expect(back.status, back.stderr).toBe(0);
    expect((await aliasInDatabase()).target).toBe('docs_v1');
    const again = await migrate('rollback', '--alias', 'docs');
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/no cutover of alias docs to roll back is recorded/);
  });

  it('cleans up a previous table only after its retention and when no alias points at it', async () => {
    const cut = await scenario.cutover('docs_v2', 'better', '--yes');
    expect(cut.status, cut.stderr).toBe(0);
    const inside = await migrate('cleanup', '--yes');
    expect(inside.status, inside.stderr).toBe(0);
    expect(inside.stdout).toMatch(
      /kept docs_v1: the rollback target of docs, kept until .* \(retention 48 h/,
    );
    // docs_v2 was left behind by the rollback, but the alias points at it again.
    expect(inside.stdout).toMatch(/kept docs_v2: alias docs points at it/);

    const later = () => new Date(Date.now() + 49 * HOUR);
    const dry = await cleanup({ reportsDir: reports, yes: false, now: later });
    expect(dry.lines).toContain(
      `would delete docs_v1 from pglite db (left behind by the cutover of docs at ${records().at(-1)?.at})`,
    );
    const done = await cleanup({ reportsDir: reports, yes: true, now: later });
    expect(done.deleted).toEqual(['docs_v1']);
    expect(records().at(-1)).toMatchObject({ kind: 'cleanup', from: 'docs_v1', state: 'done' });
    const rollback = await migrate('rollback', '--alias', 'docs');
    expect(rollback.status).toBe(2);
    expect(rollback.stderr).toMatch(/previous target docs_v1 no longer exists/);
    expect((await aliasInDatabase()).target).toBe('docs_v2');
  });

  it('refuses a review whose candidate table was rebuilt since', async () => {
    await scenario.build('hash-384', 'v2');
    const refused = await scenario.cutover('docs_v2', 'better');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      /the build record of docs_v2 \(candidate: rebuilt\?\) changed since the review/,
    );
  });
});
