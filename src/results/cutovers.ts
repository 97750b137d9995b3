import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeFolder, readTextFile, writeTextFile } from '../files.js';
import { parseValidated } from './run-folder.js';

/**
 * The records of alias switches (reports/cutovers/*.json): a cutover (alias, from, to, the review, the time and
 * the retention deadline of the previous index), a rollback that undid one, a cleanup that deleted a previous
 * index. Rollback, status and cleanup are decided from them, so each is written before and after the change
 * it describes: an interrupted switch still leaves its record.
 */

export const CUTOVERS_DIR = 'cutovers';

/** How long a cutover keeps the previous target as its rollback target, unless told otherwise. */
export const DEFAULT_RETENTION_MS = 48 * 3_600_000;

export interface StoreRef {
  kind: 'qdrant' | 'pgvector';
  where: string;
  /** The config and the index alias in it through which the store is reached again (no credentials here). */
  config: string;
  index: string;
}

export interface CutoverRecord {
  schemaVersion: 1;
  kind: 'cutover' | 'rollback' | 'cleanup';
  /** cutover and rollback: the alias switched; cleanup: the alias whose previous index was deleted. */
  alias: string;
  /** cutover: the previous target (the rollback target); rollback: the target undone; cleanup: the index deleted. */
  from: string;
  /** cutover: the new target; rollback: the restored one; cleanup: the alias's target when it was deleted. */
  to: string;
  store: StoreRef;
  /** When the change was made (or attempted). */
  at: string;
  /** pending: written before the switch; done: verified; failed: see detail (where the alias ended). */
  state: 'pending' | 'done' | 'failed';
  detail: string;
  /** cutover: the review folder it was allowed by. */
  review?: { dir: string; status: string; reviewedAt: string };
  /** cutover: until when `from` is kept as the rollback target. */
  retentionUntil?: string;
  /** rollback and cleanup: the cutover record they follow. */
  cutover?: string;
}

export function cutoversDir(reportsDir: string): string {
  return join(reportsDir, CUTOVERS_DIR);
}

/** Writes (or rewrites) a record; `name` is its file name in reports/cutovers/. */
export function writeCutoverRecord(reportsDir: string, name: string, record: CutoverRecord): string {
  const dir = cutoversDir(reportsDir);
  makeFolder(dir);
  const file = join(dir, name);
  writeTextFile(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}

/** A record's file name: the alias, the time, the kind ("docs-2026-12-03T10-00-00.000Z-cutover.json"). */
export function cutoverRecordName(record: Pick<CutoverRecord, 'alias' | 'at' | 'kind'>): string {
  const safe = record.alias.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${safe}-${record.at.replace(/:/g, '-')}-${record.kind}.json`;
}

/** Every record, oldest first; each validated (a hand-edited record that no longer fits is refused by name). */
export function readCutoverRecords(
  reportsDir: string,
): { file: string; name: string; record: CutoverRecord }[] {
  const dir = cutoversDir(reportsDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => {
      const file = join(dir, name);
      return {
        file,
        name,
        record: parseValidated<CutoverRecord>(readTextFile(file), file, 'cutover-record'),
      };
    })
    .sort((a, b) =>
      a.record.at < b.record.at ? -1 : a.record.at > b.record.at ? 1 : a.name < b.name ? -1 : 1,
    );
}

/** The last cutover of `alias` that took effect and was not rolled back since. */
export function pendingCutover(
  reportsDir: string,
  alias: string,
): { name: string; record: CutoverRecord } | undefined {
  const records = readCutoverRecords(reportsDir).filter(
    (r) => r.record.alias === alias && r.record.state === 'done' && r.record.kind !== 'cleanup',
  );
  const last = records.at(-1);
  return last?.record.kind === 'cutover' ? { name: last.name, record: last.record } : undefined;
}
