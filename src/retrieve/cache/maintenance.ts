import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { folderMtime, folderSize, lastUse, namespaceFolders } from './folder-usage.js';
import { embeddingsRoot, legacyRoot, listSegments, type NamespaceFile, readNamespace } from './namespace.js';
import { compactNamespace, type PruneAction, removeNamespace } from './prune-actions.js';
import { withLock } from './prune-lock.js';
import { scanSegment } from './segment-scan.js';

/**
 * `cache stats` and `cache prune`: what the embedding cache holds, and making it smaller without ever
 * disturbing a process that is using it.
 *
 * Writers take no lock (each appends to its own segment), so maintenance works around them: it only
 * rewrites or deletes segments whose process is gone (the pid in the file name; one machine per cache
 * folder), and takes `prune.lock` (O_EXCL) so that two prunes never work on one namespace at once. A
 * compacted segment is written to a temporary file, fsynced and renamed into place before the segments it
 * replaces are deleted, so a reader at any moment finds every record at least once (twice is harmless).
 *
 * Here are the two commands; segment-scan.ts reads segments, prune-lock.ts holds the lock and
 * prune-actions.ts removes or compacts a namespace.
 */

export interface NamespaceStats {
  /** Folder name under `<cacheDir>/embeddings/`. */
  name: string;
  id: string;
  version: string;
  dimensions: number;
  /** Distinct texts with a record whose header is sound. */
  entries: number;
  records: number;
  /** Extra copies of a text (concurrent writers, or a record embedded again). */
  duplicates: number;
  /** Records whose header (or, with verify, checksum) is wrong: never served. */
  damaged: number;
  /** Partial records at a segment's end (a writer killed mid-write, or one writing now). */
  torn: number;
  bytes: number;
  segments: number;
  /** Segments whose process is still running. */
  liveSegments: number;
  lastWrite: string | null;
  /** Last write or read by a run (namespace.json's mtime is touched at every use). */
  lastUsed: string;
}

export interface CacheStats {
  schemaVersion: 1;
  cacheDir: string;
  namespaces: NamespaceStats[];
  /** The chunk cache of earlier versions (`<cacheDir>/vectors/`), no longer read. */
  legacy: { dir: string; bytes: number; files: number } | null;
  /** Folders under embeddings/ without a readable namespace.json. */
  unknown: string[];
  totals: { namespaces: number; entries: number; records: number; bytes: number; segments: number };
}

export function cacheStats(cacheDir: string, options: { verify?: boolean } = {}): CacheStats {
  const namespaces: NamespaceStats[] = [];
  const unknown: string[] = [];
  for (const name of namespaceFolders(cacheDir)) {
    const dir = join(embeddingsRoot(cacheDir), name);
    const description = readNamespace(dir);
    if (!description) {
      unknown.push(name);
      continue;
    }
    namespaces.push(namespaceStats(dir, name, description, options.verify === true));
  }
  const legacy = folderSize(legacyRoot(cacheDir));
  const sum = (pick: (n: NamespaceStats) => number) => namespaces.reduce((total, n) => total + pick(n), 0);
  return {
    schemaVersion: 1,
    cacheDir,
    namespaces,
    legacy: legacy ? { dir: legacyRoot(cacheDir), ...legacy } : null,
    unknown,
    totals: {
      namespaces: namespaces.length,
      entries: sum((n) => n.entries),
      records: sum((n) => n.records),
      bytes: sum((n) => n.bytes),
      segments: sum((n) => n.segments),
    },
  };
}

function namespaceStats(
  dir: string,
  name: string,
  description: NamespaceFile,
  verify: boolean,
): NamespaceStats {
  const keys = new Set<string>();
  const stats: NamespaceStats = {
    name,
    id: description.id,
    version: description.version,
    dimensions: description.dimensions,
    entries: 0,
    records: 0,
    duplicates: 0,
    damaged: 0,
    torn: 0,
    bytes: folderSize(dir)?.bytes ?? 0,
    segments: 0,
    liveSegments: 0,
    lastWrite: null,
    lastUsed: new Date(lastUse(dir)).toISOString(),
  };
  let lastWrite = 0;
  for (const segment of listSegments(dir)) {
    const scan = scanSegment(dir, segment, description.dimensions, verify);
    if (!scan) continue;
    stats.segments++;
    if (scan.live) stats.liveSegments++;
    stats.records += scan.records.length;
    stats.damaged += scan.damaged;
    if (scan.torn) stats.torn++;
    for (const record of scan.records) {
      if (keys.has(record.key)) stats.duplicates++;
      keys.add(record.key);
    }
    lastWrite = Math.max(lastWrite, scan.mtimeMs);
  }
  stats.entries = keys.size;
  stats.lastWrite = lastWrite > 0 ? new Date(lastWrite).toISOString() : null;
  return stats;
}

export interface PruneOptions {
  /** Remove namespaces no run has used (read or written) for this long. */
  olderThanMs?: number;
  /** Remove these namespaces (folder names, as `cache stats` prints them). */
  namespaces?: string[];
  /** Keep the legacy chunk cache (removed by default: nothing reads it). */
  keepLegacy?: boolean;
  dryRun?: boolean;
  now?: Date;
}

export interface PruneReport {
  dryRun: boolean;
  actions: PruneAction[];
  bytesFreed: number;
}

/**
 * Removes what no run will read again, and compacts the rest:
 * - a namespace named in `namespaces`, or unused for `olderThanMs`, is removed (unless a live process is
 *   writing to it);
 * - every other namespace has its finished segments merged into one, dropping damaged, torn and duplicate
 *   records, when that saves anything; temporary files of dead processes go;
 * - the legacy chunk cache is removed.
 */
export function pruneCache(cacheDir: string, options: PruneOptions = {}): PruneReport {
  const dryRun = options.dryRun === true;
  const now = (options.now ?? new Date()).getTime();
  const named = new Set(options.namespaces ?? []);
  const actions: PruneAction[] = [];
  const folders = namespaceFolders(cacheDir);
  for (const name of named) {
    if (!folders.includes(name))
      actions.push({ name, action: 'skipped', reason: 'no such namespace', bytesFreed: 0 });
  }
  for (const name of folders) {
    const dir = join(embeddingsRoot(cacheDir), name);
    const description = readNamespace(dir);
    const lastUsed = lastUse(dir);
    const stale = options.olderThanMs !== undefined && now - lastUsed > options.olderThanMs;
    const reason = named.has(name)
      ? 'named'
      : stale
        ? `unused since ${new Date(lastUsed).toISOString()}`
        : !description && listSegments(dir).length === 0 && now - folderMtime(dir) > ABANDONED_AFTER_MS
          ? 'empty (no namespace.json, no segments)'
          : undefined;
    const action = withLock(dir, dryRun, () =>
      reason !== undefined
        ? removeNamespace(dir, name, reason, dryRun)
        : description
          ? compactNamespace(dir, name, description, dryRun)
          : { name, action: 'skipped', reason: 'no readable namespace.json', bytesFreed: 0 },
    );
    if (action) actions.push(action);
  }
  const legacy = folderSize(legacyRoot(cacheDir));
  if (legacy && !options.keepLegacy) {
    if (!dryRun) rmSync(legacyRoot(cacheDir), { recursive: true, force: true });
    actions.push({
      name: 'vectors (legacy)',
      action: 'removed',
      reason: 'chunk cache of an earlier version, no longer read',
      bytesFreed: legacy.bytes,
    });
  }
  return { dryRun, actions, bytesFreed: actions.reduce((total, a) => total + a.bytesFreed, 0) };
}

/** An empty namespace folder this old was left by a process killed while creating it (not one starting now). */
const ABANDONED_AFTER_MS = 60 * 60 * 1000;
