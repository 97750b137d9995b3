import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readTextFile, writeTextFile } from '../files.js';
import { parseValidated } from './run-folder.js';

/**
 * An index audit (audit.json): the index against its source of truth, with every inconsistency listed, and
 * the fix plan `index sync` applies (plan.json). A folder holding audit.json gets an audit section in its
 * report, and consistency rules of a gate read it.
 */

export const AUDIT_FILE = 'audit.json';

/** One inconsistency: the document, the point that holds it (when one does), and when its row changed. */
export interface AuditItem {
  id: string;
  pointId?: string | number;
  /** The row's updated_at (ISO), when the source has it. */
  updatedAt: string | null;
  reason?: string;
}

export interface AuditLists {
  missing: AuditItem[];
  orphaned: AuditItem[];
  stale: AuditItem[];
  foreign: AuditItem[];
}

export interface AuditCounts {
  missing: number;
  orphaned: number;
  stale: number;
  foreign: number;
  /** Points that record no content digest: their staleness cannot be told. */
  unknownDigest: number;
  /** Points that record no model (or an index whose build record names none): foreign points cannot be told. */
  unknownModel: number;
}

/** A missing or stale document waiting to be indexed, and for how long (from its row's updated_at). */
export interface AuditPending {
  id: string;
  updatedAt: string;
  ageMs: number;
}

export interface AuditFile {
  schemaVersion: 1;
  kind: 'index-audit';
  tool: { name: string; version: string };
  auditedAt: string;
  config: string;
  index: {
    /** The config's index alias, the store, the concrete collection or table, and the alias it was named by. */
    alias: string;
    kind: 'qdrant' | 'pgvector';
    where: string;
    target: string;
    storeAlias: string | null;
    /** modelStamp of its build record; null when it has none. */
    model: string | null;
  };
  source: { name: string; description: string; rows: number; live: number; deleted: number };
  points: number;
  counts: AuditCounts;
  /** Share of the live rows that an up-to-date point holds. */
  completeness: number;
  oldestUnresolved: AuditPending | null;
  /** The newest source change not yet indexed. */
  newestUnindexed: AuditPending | null;
  lists: AuditLists;
  figures: { durationMs: number; rowsPerSecond: number; pointsPerSecond: number; peakRssBytes: number };
  /** An audit embeds nothing: its embedding cost, attributed as `audit`, is zero. */
  embedding: { purpose: 'audit'; calls: number; tokens: number };
}

/** What `index sync` applies: the documents to re-embed and the points to delete, and where. */
export interface SyncPlan {
  schemaVersion: 1;
  kind: 'index-sync-plan';
  createdAt: string;
  config: string;
  index: string;
  target: string;
  /** The source the content is read from again at sync time: `corpus`, a config source alias, or a JSONL path. */
  source: string;
  /** The config model that embeds (its stamp matches the index's build record). */
  model: string;
  audit: string;
  reembed: string[];
  delete: (string | number)[];
}

export function writeAuditFile(dir: string, audit: AuditFile): string {
  const path = join(dir, AUDIT_FILE);
  writeTextFile(path, `${JSON.stringify(audit, null, 2)}\n`);
  return path;
}

/** The audit of a folder; absent is null. */
export function readAuditFile(dir: string): AuditFile | null {
  const path = join(dir, AUDIT_FILE);
  if (!existsSync(path)) return null;
  return parseValidated<AuditFile>(readTextFile(path), path, 'audit');
}

export function writeSyncPlan(path: string, plan: SyncPlan): void {
  writeTextFile(path, `${JSON.stringify(plan, null, 2)}\n`);
}

export function readSyncPlan(path: string): SyncPlan {
  return parseValidated<SyncPlan>(readTextFile(path), path, 'sync-plan');
}
