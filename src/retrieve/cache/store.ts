import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import {
  ensureNamespace,
  listSegments,
  NAMESPACE_FILE,
  type NamespaceIdentity,
  namespaceDir,
  newSegmentName,
  syncFolder,
} from './namespace.js';
import {
  decodeRecord,
  encodeRecords,
  FLAG_TRUNCATED,
  type RecordInput,
  readFully,
  recordBytes,
  scanHeaders,
} from './record.js';

interface Segment {
  name: string;
  /** Bytes of whole records already scanned (or, for this process's own segment, written). */
  scanned: number;
  /** Gone from the folder (compacted by `cache prune`): its entries are skipped. */
  gone: boolean;
}

/** Where a text's vector lies; `next` is another copy of the same key (two writers, or a re-embedding). */
interface Entry {
  segment: Segment;
  offset: number;
  flags: number;
  next: Entry | undefined;
}

/** Reads are grouped into ranges of contiguous records up to this size. */
const READ_RANGE_BYTES = 8 * 1024 * 1024;

/**
 * One namespace's records, for one process: an in-memory map sha256(text) → record position built from the
 * record headers (vectors stay on disk and are read on demand, checksum verified), plus this process's own
 * append-only segment. Writers never lock: each appends to a file of its own, so records of two processes
 * never interleave, and a reader only trusts whole records whose checksum matches.
 */
export class EmbeddingStore {
  readonly dir: string;
  readonly dimensions: number;
  private readonly recordSize: number;
  private readonly identity: NamespaceIdentity;
  private segments = new Map<string, Segment>();
  private index = new Map<string, Entry>();
  private writer: { segment: Segment; fd: number } | undefined;

  private constructor(cacheDir: string, identity: NamespaceIdentity) {
    this.identity = identity;
    this.dir = namespaceDir(cacheDir, identity);
    this.dimensions = identity.dimensions;
    this.recordSize = recordBytes(identity.dimensions);
  }

  /** Creates or opens the namespace and scans its record headers. */
  static open(cacheDir: string, identity: NamespaceIdentity): EmbeddingStore {
    const store = new EmbeddingStore(cacheDir, identity);
    ensureNamespace(store.dir, identity);
    store.refresh();
    return store;
  }

  /** Distinct texts known. */
  get size(): number {
    return this.index.size;
  }

  /**
   * Picks up what other processes appended since the last scan (new segments, grown tails) and forgets
   * segments that are gone. Recreates the namespace if its folder was removed.
   */
  refresh(): void {
    if (!existsSync(join(this.dir, NAMESPACE_FILE))) this.reset();
    const present = new Set(listSegments(this.dir));
    const own = this.writer?.segment.name;
    for (const [name, segment] of this.segments) {
      if (!present.has(name) && name !== own) segment.gone = true;
    }
    for (const name of present) {
      if (name === own) continue;
      let segment = this.segments.get(name);
      if (!segment) {
        segment = { name, scanned: 0, gone: false };
        this.segments.set(name, segment);
      }
      this.scan(segment);
    }
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  /**
   * Reads the vectors of `keys`, calling `found(i, vector, truncated)` for each one served (the vector is
   * valid during the call only). A record that fails its checks is dropped from the map and another copy
   * tried; a key with no good copy is simply not served.
   */
  read(keys: readonly string[], found: (i: number, vector: Float32Array, truncated: boolean) => void): void {
    let pending: { i: number; key: string; entry: Entry }[] = [];
    keys.forEach((key, i) => {
      const entry = this.index.get(key);
      if (entry) pending.push({ i, key, entry });
    });
    let refreshed = false;
    while (pending.length > 0) {
      const failed = this.readEntries(pending, found);
      pending = [];
      let vanished = false;
      for (const miss of failed) {
        const next = this.dropEntry(miss.key, miss.entry);
        if (next) pending.push({ ...miss, entry: next });
        vanished ||= miss.entry.segment.gone;
      }
      // A segment compacted away since the last scan: its records are in the segment that replaced it.
      if (pending.length === 0 && vanished && !refreshed) {
        refreshed = true;
        this.refresh();
        for (const miss of failed) {
          const entry = this.index.get(miss.key);
          if (entry) pending.push({ ...miss, entry });
        }
      }
    }
  }

  /**
   * Appends records to this process's segment and fsyncs, so they survive a crash the moment this returns.
   * A failed write is cut off again (best effort) and reported as a UserError.
   */
  append(records: readonly RecordInput[]): void {
    if (records.length === 0) return;
    const bytes = encodeRecords(records, this.dimensions);
    const writer = this.writer ?? this.openWriter();
    const start = writer.segment.scanned;
    try {
      let written = 0;
      while (written < bytes.length) {
        written += writeSync(writer.fd, bytes, written, bytes.length - written, start + written);
      }
      fsyncSync(writer.fd);
    } catch (error) {
      try {
        ftruncateSync(writer.fd, start);
      } catch {
        // The torn tail is ignored by readers anyway.
      }
      throw new UserError(`cannot write the embedding cache (${(error as Error).message})`, {
        file: join(this.dir, writer.segment.name),
      });
    }
    records.forEach((record, i) => {
      const key = Buffer.from(record.key).toString('hex');
      this.addEntry(key, writer.segment, start + i * this.recordSize, record.truncated ? FLAG_TRUNCATED : 0);
    });
    writer.segment.scanned = start + bytes.length;
  }

  /** Closes this process's segment; the store may not be used afterwards. */
  close(): void {
    if (this.writer) closeSync(this.writer.fd);
    this.writer = undefined;
  }

  private reset(): void {
    this.close();
    this.segments = new Map();
    this.index = new Map();
    ensureNamespace(this.dir, this.identity);
  }

  private openWriter(): { segment: Segment; fd: number } {
    if (!existsSync(join(this.dir, NAMESPACE_FILE))) this.reset();
    const segment: Segment = { name: newSegmentName(), scanned: 0, gone: false };
    const file = join(this.dir, segment.name);
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (error) {
      throw new UserError(`cannot write the embedding cache (${(error as Error).message})`, { file });
    }
    syncFolder(this.dir);
    this.segments.set(segment.name, segment);
    this.writer = { segment, fd };
    return this.writer;
  }

  private scan(segment: Segment): void {
    let fd: number;
    try {
      fd = openSync(join(this.dir, segment.name), 'r');
    } catch {
      segment.gone = true;
      return;
    }
    try {
      const size = fstatSync(fd).size;
      // Whole records only: a partial tail is a write in progress or a writer killed mid-write.
      const end = size - (size % this.recordSize);
      if (end < segment.scanned) segment.scanned = end;
      scanHeaders(fd, segment.scanned, end, this.dimensions, (record) => {
        if (record.kind === 'record') this.addEntry(record.key, segment, record.offset, record.flags);
      });
      segment.scanned = end;
    } finally {
      closeSync(fd);
    }
  }

  private addEntry(key: string, segment: Segment, offset: number, flags: number): void {
    const entry: Entry = { segment, offset, flags, next: undefined };
    const first = this.index.get(key);
    if (!first) {
      this.index.set(key, entry);
      return;
    }
    let last = first;
    while (last.next) last = last.next;
    last.next = entry;
  }

  /** Forgets a copy that failed its checks; returns the next copy to try. */
  private dropEntry(key: string, entry: Entry): Entry | undefined {
    const first = this.index.get(key);
    if (first === entry) {
      if (entry.next) this.index.set(key, entry.next);
      else this.index.delete(key);
    } else if (first) {
      let before = first;
      while (before.next && before.next !== entry) before = before.next;
      if (before.next === entry) before.next = entry.next;
    }
    return entry.next;
  }

  /** Positioned reads grouped by segment and coalesced into ranges; returns the requests that failed. */
  private readEntries<T extends { i: number; key: string; entry: Entry }>(
    requests: T[],
    found: (i: number, vector: Float32Array, truncated: boolean) => void,
  ): T[] {
    const failed: T[] = [];
    const bySegment = new Map<Segment, T[]>();
    for (const request of requests) {
      const segment = request.entry.segment;
      if (segment.gone) {
        failed.push(request);
        continue;
      }
      const list = bySegment.get(segment) ?? [];
      list.push(request);
      bySegment.set(segment, list);
    }
    const size = this.recordSize;
    for (const [segment, list] of bySegment) {
      let fd: number;
      try {
        fd = openSync(join(this.dir, segment.name), 'r');
      } catch {
        segment.gone = true;
        failed.push(...list);
        continue;
      }
      try {
        list.sort((a, b) => a.entry.offset - b.entry.offset);
        for (let start = 0; start < list.length; ) {
          // Extend the range while records are contiguous (or repeated) and it stays under the limit.
          let end = start + 1;
          const first = (list[start] as T).entry.offset;
          while (end < list.length) {
            const offset = (list[end] as T).entry.offset;
            const previous = (list[end - 1] as T).entry.offset;
            if (offset - previous > size || offset + size - first > READ_RANGE_BYTES) break;
            end++;
          }
          const last = (list[end - 1] as T).entry.offset;
          const bytes = new Uint8Array(last + size - first);
          const read = readFully(fd, bytes, first);
          for (let j = start; j < end; j++) {
            const request = list[j] as T;
            const at = request.entry.offset - first;
            const vector =
              at + size <= read
                ? decodeRecord(bytes.subarray(at, at + size), this.dimensions, request.key)
                : undefined;
            if (vector) found(request.i, vector, (request.entry.flags & FLAG_TRUNCATED) !== 0);
            else failed.push(request);
          }
          start = end;
        }
      } finally {
        closeSync(fd);
      }
    }
    return failed;
  }
}
