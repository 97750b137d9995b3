import { readSync } from 'node:fs';
import { endianness } from 'node:os';
import * as zlib from 'node:zlib';

/**
 * One cached embedding on disk: a fixed-size record, all integers little-endian.
 *
 *   offset  size  field
 *   0       4     magic "RGE1"
 *   4       4     flags (bit 0: the text was truncated before it was embedded)
 *   8       32    sha256 of the text (UTF-8)
 *   40      4     dimensions
 *   44      4     payload length in bytes (4 × dimensions)
 *   48      4·d   the vector, float32
 *   48+4·d  4     crc32 of every byte before it
 *
 * Every record of a namespace has the same size (its dimensions are the namespace's), so record i of a
 * segment starts at i × size: a damaged header costs that record only, never the records after it, and a
 * partial record can only be a segment's tail.
 */
export const MAGIC = Buffer.from('RGE1', 'latin1');
export const HEADER_BYTES = 48;
export const KEY_BYTES = 32;
export const FLAG_TRUNCATED = 1;

const LITTLE_ENDIAN = endianness() === 'LE';

export function recordBytes(dimensions: number): number {
  return HEADER_BYTES + 4 * dimensions + 4;
}

/** zlib's crc32 (Node ≥ 20.15); the same function in JavaScript before that, so every Node reads every cache. */
const crc32: (data: Uint8Array) => number =
  (zlib as { crc32?: (data: Uint8Array) => number }).crc32 ?? crc32Fallback;

let crcTable: Uint32Array | undefined;
function crc32Fallback(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = (crcTable[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export interface RecordInput {
  /** sha256 of the text, 32 bytes. */
  key: Uint8Array;
  /** The vector's `dimensions` numbers. */
  vector: Float32Array;
  truncated: boolean;
}

/** The records one after the other, ready to append. */
export function encodeRecords(records: readonly RecordInput[], dimensions: number): Uint8Array {
  const size = recordBytes(dimensions);
  const bytes = new Uint8Array(records.length * size);
  const view = new DataView(bytes.buffer);
  records.forEach((record, i) => {
    const at = i * size;
    if (record.key.length !== KEY_BYTES || record.vector.length !== dimensions) {
      throw new Error(`a cache record needs a 32-byte key and ${dimensions} numbers`);
    }
    bytes.set(MAGIC, at);
    view.setUint32(at + 4, record.truncated ? FLAG_TRUNCATED : 0, true);
    bytes.set(record.key, at + 8);
    view.setUint32(at + 40, dimensions, true);
    view.setUint32(at + 44, 4 * dimensions, true);
    if (LITTLE_ENDIAN) {
      const vector = record.vector;
      bytes.set(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength), at + HEADER_BYTES);
    } else {
      for (let d = 0; d < dimensions; d++) {
        view.setFloat32(at + HEADER_BYTES + 4 * d, record.vector[d] as number, true);
      }
    }
    const body = bytes.subarray(at, at + size - 4);
    view.setUint32(at + size - 4, crc32(body), true);
  });
  return bytes;
}

/** A record header that looks right: magic, dimensions and payload length as the namespace expects. */
export function headerIsValid(header: Uint8Array, dimensions: number): boolean {
  if (header.length < HEADER_BYTES) return false;
  for (let i = 0; i < MAGIC.length; i++) if (header[i] !== MAGIC[i]) return false;
  const view = new DataView(header.buffer, header.byteOffset, HEADER_BYTES);
  return view.getUint32(40, true) === dimensions && view.getUint32(44, true) === 4 * dimensions;
}

export function headerFlags(header: Uint8Array): number {
  return new DataView(header.buffer, header.byteOffset, HEADER_BYTES).getUint32(4, true);
}

export function headerKey(header: Uint8Array): string {
  return Buffer.from(header.buffer, header.byteOffset + 8, KEY_BYTES).toString('hex');
}

/**
 * Checks a whole record (header, expected key when given, checksum) and returns its vector, or undefined.
 * The vector is a view into `bytes` on little-endian machines: copy it before `bytes` is reused.
 */
export function decodeRecord(bytes: Uint8Array, dimensions: number, key?: string): Float32Array | undefined {
  const size = recordBytes(dimensions);
  if (bytes.length < size || !headerIsValid(bytes, dimensions)) return undefined;
  if (key !== undefined && headerKey(bytes) !== key) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);
  if (crc32(bytes.subarray(0, size - 4)) !== view.getUint32(size - 4, true)) return undefined;
  const payload = bytes.byteOffset + HEADER_BYTES;
  if (LITTLE_ENDIAN && payload % 4 === 0) return new Float32Array(bytes.buffer, payload, dimensions);
  const vector = new Float32Array(dimensions);
  for (let d = 0; d < dimensions; d++) vector[d] = view.getFloat32(HEADER_BYTES + 4 * d, true);
  return vector;
}

/** What a scan found at one record position. */
export type ScannedRecord =
  | { kind: 'record'; offset: number; key: string; flags: number }
  | { kind: 'damaged'; offset: number };

/**
 * Reads the header of every whole record in [from, to) of a segment (positioned reads of 48 bytes: a cache of
 * 200k × 1,536 floats is 1.2 GB, its headers 10 MB). `from` and `to` are record boundaries.
 */
export function scanHeaders(
  fd: number,
  from: number,
  to: number,
  dimensions: number,
  visit: (record: ScannedRecord) => void,
): void {
  const size = recordBytes(dimensions);
  const header = new Uint8Array(HEADER_BYTES);
  for (let offset = from; offset + size <= to; offset += size) {
    const read = readFully(fd, header, offset);
    if (read < HEADER_BYTES || !headerIsValid(header, dimensions)) {
      visit({ kind: 'damaged', offset });
    } else {
      visit({ kind: 'record', offset, key: headerKey(header), flags: headerFlags(header) });
    }
  }
}

/** Positioned read that retries short reads; returns the bytes read (fewer only at the end of the file). */
export function readFully(fd: number, target: Uint8Array, position: number): number {
  let read = 0;
  while (read < target.length) {
    const n = readSync(fd, target, read, target.length - read, position + read);
    if (n === 0) break;
    read += n;
  }
  return read;
}
