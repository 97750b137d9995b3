import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { UserError } from '../errors.js';
import type { Embedder, EmbeddingPurpose } from './types.js';

export interface EmbedAllOptions {
  embedder: Embedder;
  texts: readonly string[];
  purpose: EmbeddingPurpose;
  /** Root of the on-disk cache; vectors go under `<cacheDir>/vectors/`. */
  cacheDir: string;
  /** What the texts are, e.g. "<dataset digest>:corpus": part of the cache key, with a digest of the texts. */
  contentKey: string;
  /** Texts per embedding call (default and maximum: the embedder's maxBatchSize). */
  batchSize?: number;
  /** Rows per chunk file (default 1,024): the unit that is cached, and kept when a run is interrupted. */
  chunkRows?: number;
  /** Called after each chunk read from the cache and each batch embedded: rows done (cached included), of total. */
  onProgress?: (done: number, total: number) => void;
}

/** What embedding one text cost in this call: nothing, for a vector read from the cache. */
export interface TextCost {
  /** Duration of the call that embedded it, or null when cached. */
  latencyMs: number | null;
  /** Texts in that call, or null when cached. */
  batchSize: number | null;
  /** Its share of that call's tokens (the call's tokens split by text length), 0 when cached. */
  tokens: number;
}

export interface EmbedAllResult {
  /** Row-major, texts × embedder.dimensions, in the order of `texts`. */
  vectors: Float32Array;
  embeddedCount: number;
  cachedCount: number;
  /** Embedding calls made (0 when everything came from the cache). */
  calls: number;
  tokens: number;
  perText: TextCost[];
  /** The folder holding this key's chunks. */
  dir: string;
}

/** Bump when the file layout changes: every key changes with it. */
const FORMAT = 1;
const DEFAULT_CHUNK_ROWS = 1024;
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Embeds texts through an on-disk cache, so a second run embeds nothing and a run stopped by Ctrl-C, a
 * crash or kill -9 resumes where it was.
 *
 * Key: the embedder's id, version and dimensions, the purpose, the caller's content key, the number of
 * texts, the chunk size and a sha256 of the ordered texts (computed here, so a wrong content key cannot
 * serve stale vectors). Under `<cacheDir>/vectors/<embedder id>/<key digest>/`, key.json spells the key out
 * and chunk-NNNNNN.f32 holds rows [N·chunkRows, (N+1)·chunkRows) as raw float32, little-endian.
 *
 * A chunk is written to a temporary file, fsynced and renamed into place, so a chunk file is complete or
 * absent. Chunks are still checked when read: one of the wrong byte length or with a non-finite number is
 * embedded again, never trusted. Chunks are embedded in order, in batches of `batchSize` that never straddle
 * two chunks, one call at a time.
 */
export async function embedAll(options: EmbedAllOptions): Promise<EmbedAllResult> {
  const { embedder, texts, purpose, onProgress } = options;
  const dimensions = embedder.dimensions;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? embedder.maxBatchSize, embedder.maxBatchSize));
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  if (!(Number.isInteger(chunkRows) && chunkRows > 0)) {
    throw new RangeError(`chunkRows must be a positive integer, got ${chunkRows}`);
  }
  const total = texts.length;
  const key = {
    format: FORMAT,
    embedder: embedder.id,
    version: embedder.version,
    dimensions,
    purpose,
    content: options.contentKey,
    texts: textsDigest(texts),
    count: total,
    chunkRows,
  };
  const digest = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32);
  const dir = join(options.cacheDir, 'vectors', slug(embedder.id), digest);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UserError(
      `cannot create the embedding cache folder (${(error as Error).message}); check cacheDir in the config`,
      { file: dir },
    );
  }
  removeAbandonedTemporaries(dir);
  const keyFile = join(dir, 'key.json');
  if (!existsSync(keyFile)) writeAtomically(keyFile, Buffer.from(`${JSON.stringify(key, null, 2)}\n`));

  const vectors = new Float32Array(total * dimensions);
  const perText: TextCost[] = Array.from({ length: total }, () => ({
    latencyMs: null,
    batchSize: null,
    tokens: 0,
  }));
  let cachedCount = 0;
  let embeddedCount = 0;
  let calls = 0;
  let tokens = 0;

  for (let first = 0; first < total; first += chunkRows) {
    const rows = Math.min(chunkRows, total - first);
    const chunk = vectors.subarray(first * dimensions, (first + rows) * dimensions);
    const file = join(dir, `chunk-${String(first / chunkRows).padStart(6, '0')}.f32`);
    if (readChunk(file, chunk)) {
      cachedCount += rows;
      onProgress?.(cachedCount + embeddedCount, total);
      continue;
    }
    for (let start = first; start < first + rows; start += batchSize) {
      const end = Math.min(start + batchSize, first + rows);
      const batchTexts = texts.slice(start, end);
      const began = performance.now();
      const batch = await embedder.embed(batchTexts, purpose);
      const latencyMs = performance.now() - began;
      checkBatch(embedder, batch.vectors, batchTexts.length, start);
      vectors.set(batch.vectors, start * dimensions);
      calls++;
      tokens += batch.tokens;
      const shares = splitTokens(batch.tokens, batchTexts);
      for (let i = start; i < end; i++) {
        perText[i] = { latencyMs, batchSize: batchTexts.length, tokens: shares[i - start] as number };
      }
      embeddedCount += end - start;
      onProgress?.(cachedCount + embeddedCount, total);
    }
    writeAtomically(file, toLittleEndian(chunk));
  }
  return { vectors, embeddedCount, cachedCount, calls, tokens, perText, dir };
}

/** sha256 over the texts in order, each as its UTF-8 byte length and bytes (so boundaries count). */
function textsDigest(texts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const text of texts) {
    const bytes = Buffer.from(text, 'utf8');
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

function slug(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '_');
}

function checkBatch(embedder: Embedder, vectors: Float32Array, count: number, first: number): void {
  if (vectors.length !== count * embedder.dimensions) {
    throw new Error(
      `embedder '${embedder.id}' returned ${vectors.length} numbers for ${count} texts × ${embedder.dimensions} dimensions`,
    );
  }
  for (let i = 0; i < vectors.length; i++) {
    const value = vectors[i] as number;
    if (value - value !== 0) {
      throw new Error(
        `embedder '${embedder.id}' returned a non-finite number for text #${first + Math.floor(i / embedder.dimensions)}`,
      );
    }
  }
}

/**
 * The call's tokens shared among its texts in proportion to their length, as whole numbers when the call's
 * count is one (largest remainders get the leftovers, earlier texts first on ties), so they add up exactly.
 */
export function splitTokens(tokens: number, texts: readonly string[]): number[] {
  const lengths = texts.map((text) => text.length);
  const totalLength = lengths.reduce((sum, length) => sum + length, 0);
  const exact = lengths.map((length) =>
    totalLength > 0 ? (tokens * length) / totalLength : tokens / Math.max(1, texts.length),
  );
  if (!Number.isInteger(tokens)) return exact;
  const shares = exact.map(Math.floor);
  let left = tokens - shares.reduce((sum, share) => sum + share, 0);
  const remainder = (i: number) => (exact[i] as number) - (shares[i] as number);
  const order = exact.map((_, i) => i).sort((a, b) => remainder(b) - remainder(a) || a - b);
  for (const i of order) {
    if (left <= 0) break;
    shares[i] = (shares[i] as number) + 1;
    left--;
  }
  return shares;
}

/** Fills `target` from the chunk file; false (target unspecified) when absent, of the wrong size or not finite. */
function readChunk(file: string, target: Float32Array): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    if (fstatSync(fd).size !== target.byteLength) return false;
    const bytes = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
    let read = 0;
    while (read < bytes.length) {
      const n = readSync(fd, bytes, read, bytes.length - read, read);
      if (n === 0) return false;
      read += n;
    }
    if (!LITTLE_ENDIAN) Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).swap32();
  } finally {
    closeSync(fd);
  }
  for (let i = 0; i < target.length; i++) {
    const value = target[i] as number;
    if (value - value !== 0) return false;
  }
  return true;
}

function toLittleEndian(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return LITTLE_ENDIAN ? bytes : Buffer.from(bytes).swap32();
}

/** Temporary file, fsync, rename: readers see the old file or the whole new one, never a part. */
function writeAtomically(file: string, bytes: Uint8Array): void {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx');
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/** Deletes temporary files left by processes that died before renaming them (kill -9 mid-write). */
function removeAbandonedTemporaries(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const match = /\.(\d+)\.[0-9a-f]+\.tmp$/.exec(entry);
    if (!match || isAlive(Number(match[1]))) continue;
    try {
      unlinkSync(join(dir, entry));
    } catch {
      // Another process cleaned it first.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
