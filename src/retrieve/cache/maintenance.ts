import {
  closeSync,
  type Dirent,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  embeddingsRoot,
  isAlive,
  isTemporary,
  LOCK_FILE,
  legacyRoot,
  listSegments,
  NAMESPACE_FILE,
  type NamespaceFile,
  newSegmentName,
  readNamespace,
  syncFolder,
  temporaryName,
  writerPid,
} from './namespace.js';
import { decodeRecord, headerKey, readFully, recordBytes, scanHeaders } from './record.js';

/**
 * `cache stats` and `cache prune`: what the embedding cache holds, and making it smaller without ever
 * disturbing a process that is using it.
 *
 * Writers take no lock (each appends to its own segment), so maintenance works around them: it only
 * rewrites or deletes segments whose process is gone (the pid in the file name; one machine per cache
 * folder), and takes `prune.lock` (O_EXCL) so that two prunes never work on one namespace at once. A
 * compacted segment is written to a temporary file, fsynced and renamed into place before the segments it
 * replaces are deleted, so a reader at any moment finds every record at least once (twice is harmless).
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

export interface PruneAction {
  /** Namespace folder name, or "vectors (legacy)". */
  name: string;
  action: 'removed' | 'compacted' | 'skipped';
  reason: string;
  bytesFreed: number;
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

function folderMtime(dir: string): number {
  try {
    return statSync(dir).mtimeMs;
  } catch {
    return 0;
  }
}

function namespaceFolders(cacheDir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(embeddingsRoot(cacheDir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

interface SegmentScan {
  name: string;
  bytes: number;
  live: boolean;
  mtimeMs: number;
  records: { key: string; offset: number }[];
  damaged: number;
  torn: boolean;
}

function scanSegment(
  dir: string,
  name: string,
  dimensions: number,
  verify: boolean,
): SegmentScan | undefined {
  let fd: number;
  try {
    fd = openSync(join(dir, name), 'r');
  } catch {
    return undefined; // removed meanwhile
  }
  try {
    const stat = fstatSync(fd);
    const size = recordBytes(dimensions);
    const end = stat.size - (stat.size % size);
    const scan: SegmentScan = {
      name,
      bytes: stat.size,
      live: isAlive(writerPid(name) ?? -1),
      mtimeMs: stat.mtimeMs,
      records: [],
      damaged: 0,
      torn: stat.size !== end,
    };
    if (verify) {
      forEachRecord(fd, end, dimensions, (offset, record) => {
        const vector = decodeRecord(record, dimensions);
        if (vector) scan.records.push({ key: headerKey(record), offset });
        else scan.damaged++;
      });
    } else {
      scanHeaders(fd, 0, end, dimensions, (record) => {
        if (record.kind === 'record') scan.records.push({ key: record.key, offset: record.offset });
        else scan.damaged++;
      });
    }
    return scan;
  } finally {
    closeSync(fd);
  }
}

/** Every whole record of a segment, read sequentially in large blocks. */
function forEachRecord(
  fd: number,
  end: number,
  dimensions: number,
  visit: (offset: number, record: Uint8Array) => void,
): void {
  const size = recordBytes(dimensions);
  const perBlock = Math.max(1, Math.floor((8 * 1024 * 1024) / size));
  const block = new Uint8Array(perBlock * size);
  for (let offset = 0; offset < end; offset += perBlock * size) {
    const length = Math.min(block.length, end - offset);
    const read = readFully(fd, block.subarray(0, length), offset);
    for (let at = 0; at + size <= read; at += size) visit(offset + at, block.subarray(at, at + size));
  }
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

/** Latest of namespace.json's mtime (touched at every use) and the segments' mtimes; 0 when unknown. */
function lastUse(dir: string): number {
  let latest = 0;
  for (const name of [NAMESPACE_FILE, ...listSegments(dir)]) {
    try {
      latest = Math.max(latest, statSync(join(dir, name)).mtimeMs);
    } catch {
      // gone meanwhile
    }
  }
  return latest;
}

function folderSize(dir: string): { bytes: number; files: number } | undefined {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return undefined;
  }
  let bytes = 0;
  let files = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    try {
      bytes += statSync(join(entry.parentPath ?? entry.path, entry.name)).size;
      files++;
    } catch {
      // gone meanwhile
    }
  }
  return { bytes, files };
}

/**
 * Runs `work` holding the namespace's prune lock (created with O_EXCL; one left by a dead process is taken
 * over). A dry run takes no lock. Returns a skip when another live prune holds it.
 */
function withLock(dir: string, dryRun: boolean, work: () => PruneAction): PruneAction {
  const name = dir.split(/[\\/]/).at(-1) ?? dir;
  if (dryRun) return work();
  const lock = join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        return {
          name,
          action: 'skipped',
          reason: `cannot take ${LOCK_FILE}: ${(error as Error).message}`,
          bytesFreed: 0,
        };
      }
      const holder = Number.parseInt(readText(lock), 10);
      if (Number.isInteger(holder) && isAlive(holder)) {
        return {
          name,
          action: 'skipped',
          reason: `another prune (pid ${holder}) is working on it`,
          bytesFreed: 0,
        };
      }
      // Left by a prune that died: take it over.
      rmSync(lock, { force: true });
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { force: true });
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function removeNamespace(dir: string, name: string, reason: string, dryRun: boolean): PruneAction {
  const live = listSegments(dir).filter((segment) => isAlive(writerPid(segment) ?? -1));
  if (live.length > 0) {
    return {
      name,
      action: 'skipped',
      reason: `${reason}, but process ${writerPid(live[0] as string)} is writing to it`,
      bytesFreed: 0,
    };
  }
  const bytes = folderSize(dir)?.bytes ?? 0;
  if (!dryRun) rmSync(dir, { recursive: true, force: true });
  return { name, action: 'removed', reason, bytesFreed: bytes };
}

/**
 * Merges the segments of dead processes into one, keeping the first sound copy of each text, when that drops
 * anything (damaged, torn or duplicate records) or leaves fewer files. Checksums are verified.
 */
function compactNamespace(
  dir: string,
  name: string,
  description: NamespaceFile,
  dryRun: boolean,
): PruneAction {
  const dimensions = description.dimensions;
  const size = recordBytes(dimensions);
  const temporaries = removeDeadTemporaries(dir, dryRun);
  const finished = listSegments(dir)
    .map((segment) => scanSegment(dir, segment, dimensions, true))
    .filter((scan): scan is SegmentScan => scan !== undefined && !scan.live);
  const keep = new Map<string, { segment: string; offset: number }>();
  let before = 0;
  for (const scan of finished) {
    before += scan.bytes;
    for (const record of scan.records) {
      if (!keep.has(record.key)) keep.set(record.key, { segment: scan.name, offset: record.offset });
    }
  }
  const after = keep.size * size;
  const worthIt = finished.length > 1 || (finished.length === 1 && after < before);
  if (!worthIt) {
    return temporaries > 0
      ? {
          name,
          action: 'compacted',
          reason: 'removed temporary files of dead processes',
          bytesFreed: temporaries,
        }
      : { name, action: 'skipped', reason: 'nothing to compact', bytesFreed: 0 };
  }
  const dropped = finished.reduce((total, scan) => total + scan.records.length + scan.damaged, 0) - keep.size;
  const reason = `${finished.length} segments → ${keep.size > 0 ? 1 : 0}, ${keep.size} entries kept, ${dropped} damaged, torn or duplicate records dropped`;
  if (!dryRun) {
    if (keep.size > 0) writeCompacted(dir, keep, size);
    // The merged copy is in place before any original goes: readers always find each record once or more.
    for (const scan of finished) rmSync(join(dir, scan.name), { force: true });
  }
  return { name, action: 'compacted', reason, bytesFreed: before - after + temporaries };
}

function writeCompacted(
  dir: string,
  keep: Map<string, { segment: string; offset: number }>,
  size: number,
): void {
  const target = join(dir, newSegmentName());
  const temporary = temporaryName(join(dir, 'compact'));
  const out = openSync(temporary, 'wx');
  try {
    const bySegment = new Map<string, number[]>();
    for (const { segment, offset } of keep.values()) {
      const offsets = bySegment.get(segment) ?? [];
      offsets.push(offset);
      bySegment.set(segment, offsets);
    }
    const buffer = new Uint8Array(Math.max(1, Math.floor((8 * 1024 * 1024) / size)) * size);
    let filled = 0;
    let position = 0;
    const flush = () => {
      let written = 0;
      while (written < filled)
        written += writeSync(out, buffer, written, filled - written, position + written);
      position += filled;
      filled = 0;
    };
    for (const [segment, offsets] of bySegment) {
      const fd = openSync(join(dir, segment), 'r');
      try {
        for (const offset of offsets.sort((a, b) => a - b)) {
          if (filled + size > buffer.length) flush();
          if (readFully(fd, buffer.subarray(filled, filled + size), offset) !== size) {
            throw new Error(`${segment} changed while it was compacted`);
          }
          filled += size;
        }
      } finally {
        closeSync(fd);
      }
    }
    flush();
    fsyncSync(out);
  } catch (error) {
    closeSync(out);
    unlinkSync(temporary);
    throw error;
  }
  closeSync(out);
  renameSync(temporary, target);
  syncFolder(dir);
}

/** Deletes temporary files whose process is gone; returns the bytes freed (or that would be). */
function removeDeadTemporaries(dir: string, dryRun: boolean): number {
  let freed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!isTemporary(name) || isAlive(writerPid(name) ?? -1)) continue;
    try {
      freed += statSync(join(dir, name)).size;
      if (!dryRun) unlinkSync(join(dir, name));
    } catch {
      // gone meanwhile
    }
  }
  return freed;
}
