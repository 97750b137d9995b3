import { closeSync, fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, writerPid } from './namespace.js';
import { decodeRecord, headerKey, readFully, recordBytes, scanHeaders } from './record.js';

/** What one segment holds, as `cache stats` counts it and `cache prune` compacts it. */
export interface SegmentScan {
  name: string;
  bytes: number;
  live: boolean;
  mtimeMs: number;
  records: { key: string; offset: number }[];
  damaged: number;
  torn: boolean;
}

/**
 * Reads a segment's records: headers only, or with `verify` every checksum too. Undefined when the segment
 * is gone (a prune removed it meanwhile).
 */
export function scanSegment(
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
