import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { folderSize } from './folder-usage.js';
import {
  isAlive,
  isTemporary,
  listSegments,
  type NamespaceFile,
  newSegmentName,
  syncFolder,
  temporaryName,
  writerPid,
} from './namespace.js';
import { readFully, recordBytes } from './record.js';
import { type SegmentScan, scanSegment } from './segment-scan.js';

/** What `cache prune` did to one namespace (or, in a dry run, would do). */
export interface PruneAction {
  /** Namespace folder name, or "vectors (legacy)". */
  name: string;
  action: 'removed' | 'compacted' | 'skipped';
  reason: string;
  bytesFreed: number;
}

/** Removes a namespace (named, unused or abandoned), unless a live process is writing to it. */
export function removeNamespace(dir: string, name: string, reason: string, dryRun: boolean): PruneAction {
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
export function compactNamespace(
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

/** Copies the kept records into a temporary file, fsyncs it and renames it into place as a new segment. */
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
