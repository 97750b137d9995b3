import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { recordBytes } from './record.js';

/**
 * A namespace is one embedder's vectors: everything that changes a vector for the same text is in it (the
 * embedder's id, version and dimensions). Under `<cacheDir>/embeddings/<slug(id)>-<digest>/`:
 *
 *   namespace.json        the key spelled out (written once, atomically); its mtime is the last use
 *   seg-<pid>-<rand>.log  append-only records (see record.ts), one file per writing process
 *   *.<pid>.<rand>.tmp    a file being written (removed by `cache prune` once its process is gone)
 *   prune.lock            held by `cache prune` while it compacts or removes the namespace
 */
export interface NamespaceIdentity {
  id: string;
  version: string;
  dimensions: number;
}

export interface NamespaceFile extends NamespaceIdentity {
  format: number;
  /** Bytes per record, and the layout, for a person reading the folder. */
  recordBytes: number;
  layout: string;
  createdAt: string;
}

/** Bump when the record layout changes: every namespace changes with it. */
export const FORMAT = 1;
export const NAMESPACE_FILE = 'namespace.json';
export const LOCK_FILE = 'prune.lock';
const SEGMENT = /^seg-(\d+)-[0-9a-f]+\.log$/;
const TEMPORARY = /\.(\d+)\.[0-9a-f]+\.tmp$/;
const LAYOUT =
  'records of: "RGE1", flags u32, sha256(text) 32 bytes, dimensions u32, payload bytes u32, float32 × dimensions, crc32 u32 (little-endian)';

export function embeddingsRoot(cacheDir: string): string {
  return join(cacheDir, 'embeddings');
}

/** Where the pre-namespace chunk cache lived; no longer read. */
export function legacyRoot(cacheDir: string): string {
  return join(cacheDir, 'vectors');
}

export function namespaceName(identity: NamespaceIdentity): string {
  const { id, version, dimensions } = identity;
  const digest = createHash('sha256')
    .update(JSON.stringify({ format: FORMAT, id, version, dimensions }))
    .digest('hex')
    .slice(0, 16);
  return `${id.replace(/[^A-Za-z0-9._-]+/g, '_')}-${digest}`;
}

export function namespaceDir(cacheDir: string, identity: NamespaceIdentity): string {
  return join(embeddingsRoot(cacheDir), namespaceName(identity));
}

/** Creates the folder and its namespace.json, or checks the one there; a UserError names what is wrong. */
export function ensureNamespace(dir: string, identity: NamespaceIdentity): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UserError(
      `cannot create the embedding cache folder (${(error as Error).message}); check cacheDir in the config`,
      { file: dir },
    );
  }
  const file = join(dir, NAMESPACE_FILE);
  const existing = readNamespace(dir);
  if (existing) {
    if (
      existing.format !== FORMAT ||
      existing.id !== identity.id ||
      existing.version !== identity.version ||
      existing.dimensions !== identity.dimensions
    ) {
      throw new UserError(
        `describes ${existing.id}@${existing.version} (${existing.dimensions} dimensions), not ${identity.id}@${identity.version} (${identity.dimensions}); remove the folder`,
        { file },
      );
    }
    return;
  }
  const content: NamespaceFile = {
    format: FORMAT,
    id: identity.id,
    version: identity.version,
    dimensions: identity.dimensions,
    recordBytes: recordBytes(identity.dimensions),
    layout: LAYOUT,
    createdAt: new Date().toISOString(),
  };
  try {
    writeAtomically(file, `${JSON.stringify(content, null, 2)}\n`);
  } catch (error) {
    throw new UserError(`cannot write the embedding cache (${(error as Error).message})`, { file });
  }
}

/** The namespace's description, or undefined when absent or unreadable. */
export function readNamespace(dir: string): NamespaceFile | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, NAMESPACE_FILE), 'utf8')) as Partial<NamespaceFile>;
    const valid =
      typeof parsed.format === 'number' &&
      typeof parsed.id === 'string' &&
      typeof parsed.version === 'string' &&
      Number.isInteger(parsed.dimensions) &&
      (parsed.dimensions as number) > 0;
    return valid ? (parsed as NamespaceFile) : undefined;
  } catch {
    return undefined;
  }
}

/** Marks the namespace used now (what `cache prune --older-than` reads); best effort. */
export function touchNamespace(dir: string): void {
  const now = new Date();
  try {
    utimesSync(join(dir, NAMESPACE_FILE), now, now);
  } catch {
    // A read-only cache still serves vectors.
  }
}

export function newSegmentName(): string {
  return `seg-${process.pid}-${randomBytes(6).toString('hex')}.log`;
}

/** The segment files of a namespace folder (empty when the folder is gone). */
export function listSegments(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => SEGMENT.test(name))
      .sort();
  } catch {
    return [];
  }
}

/** The process that wrote a segment or temporary file, from its name. */
export function writerPid(name: string): number | undefined {
  const match = SEGMENT.exec(name) ?? TEMPORARY.exec(name);
  return match ? Number(match[1]) : undefined;
}

export function isTemporary(name: string): boolean {
  return TEMPORARY.test(name);
}

/** Whether a process runs on this machine (segments of live processes may still grow). */
export { isRunning as isAlive } from '../../dataset/process-alive.js';

export function temporaryName(base: string): string {
  return `${base}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/** Temporary file, fsync, rename: readers see no file or the whole file, never a part. */
export function writeAtomically(file: string, content: string | Uint8Array): void {
  const temporary = temporaryName(file);
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  const fd = openSync(temporary, 'wx');
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temporary, file);
  } catch (error) {
    unlinkSync(temporary);
    throw error;
  }
}

/** Makes a file's creation or rename durable (power loss); a no-op where folders cannot be fsynced. */
export function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows cannot open a folder for fsync; its renames are durable enough for a cache.
  }
}
