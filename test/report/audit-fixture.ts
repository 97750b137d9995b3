import type { AuditFile } from '../../src/results/audit.js';
import { HOSTILE_QUERY, PIPE_DOC } from './review-fixture.js';

/** Hostile ids: a document id that would run a handler as HTML, and one that would split a table cell. */
export const HOSTILE_ID = HOSTILE_QUERY;
export const PIPE_ID = PIPE_DOC;

const HOUR = 3_600_000;
const AUDITED_AT = Date.parse('2026-11-23T12:00:00.000Z');
const changed = (hoursAgo: number): string => new Date(AUDITED_AT - hoursAgo * HOUR).toISOString();

/**
 * An audit of the bike-repair help centre's collection against its Postgres table: 25 missing rows (more
 * than a list shows, the hostile id among them), an orphan with the pipe in its id, a stale and a foreign
 * point, and some points that record no digest or model.
 */
export function auditFixture(): AuditFile {
  const missing = Array.from({ length: 25 }, (_, i) => ({
    id: i === 0 ? HOSTILE_ID : `doc-${String(i).padStart(2, '0')}`,
    updatedAt: i === 24 ? null : changed(30 - i),
  }));
  return {
    schemaVersion: 1,
    kind: 'index-audit',
    tool: { name: 'retrieval-gate', version: '0.1.0' },
    auditedAt: new Date(AUDITED_AT).toISOString(),
    config: 'retrieval-gate.yaml',
    index: {
      alias: 'kb',
      kind: 'qdrant',
      where: 'http://localhost:6333',
      target: 'kb_2026_11',
      storeAlias: 'kb-live',
      model: 'openai:text-embedding-3-small@1536',
    },
    source: {
      name: 'articles',
      description: 'postgres table public.articles',
      rows: 1010,
      live: 1000,
      deleted: 10,
    },
    points: 978,
    counts: { missing: 25, orphaned: 1, stale: 1, foreign: 1, unknownDigest: 3, unknownModel: 0 },
    completeness: 0.974,
    oldestUnresolved: { id: HOSTILE_ID, updatedAt: changed(30), ageMs: 30 * HOUR },
    newestUnindexed: { id: 'wheel-truing', updatedAt: changed(0.25), ageMs: 0.25 * HOUR },
    lists: {
      missing,
      orphaned: [{ id: PIPE_ID, pointId: 17, updatedAt: changed(48), reason: 'soft-deleted in the source' }],
      stale: [{ id: 'wheel-truing', pointId: 'c0ffee', updatedAt: changed(0.25) }],
      foreign: [
        { id: 'spoke-tension', pointId: 42, updatedAt: null, reason: 'embedded with hashing:hash-64' },
      ],
    },
    figures: { durationMs: 2345, rowsPerSecond: 4210.4, pointsPerSecond: 3890.6, peakRssBytes: 187_654_321 },
    embedding: { purpose: 'audit', calls: 0, tokens: 0 },
  };
}
