import { closeSync, mkdtempSync, readdirSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { formatLocated, type ToolError, UserError } from '../errors.js';
import { openForReading } from '../files.js';
import { isRunning } from './process-alive.js';
import { startReportWorker } from './report-worker.js';

/**
 * gzip-compressed inputs, told by their magic bytes (1f 8b) rather than their name. The readers are
 * synchronous and read files by path, so a compressed file is stream-decompressed into a private temporary
 * file (memory stays flat however large it is), read there by the reader for its format, and deleted
 * afterwards, on error too. Errors the reader raises about the temporary file name the .gz file instead,
 * with the line number in the decompressed text. A process killed mid-read cannot delete its copy, so the
 * copy's folder carries the process id and the next read removes the folders of processes no longer alive.
 */

/** Whether a file starts with gzip's magic bytes. */
export function isGzip(path: string): boolean {
  const fd = openForReading(path);
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EISDIR')
      throw new UserError('cannot read: is a folder', { file: path });
    throw error;
  } finally {
    closeSync(fd);
  }
}

/** A file's name without a trailing `.gz`: what it holds once decompressed (`run.trec.gz` → `run.trec`). */
export function plainName(path: string): string {
  return basename(path).replace(/\.gz$/i, '');
}

/**
 * Calls `read` with a path to the file's plain text: the file itself, or, if it is gzip-compressed, its
 * decompressed copy (a temporary file of the same name without `.gz`, removed when `read` returns or throws).
 */
export function withPlainFile<T>(path: string, read: (plain: string) => T): T {
  if (!isGzip(path)) return read(path);
  removeOrphanedCopies();
  const dir = mkdtempSync(join(tmpdir(), `${COPY_PREFIX}${process.pid}-`));
  const plain = join(dir, plainName(path) || 'decompressed');
  try {
    gunzipFile(path, plain);
    return read(plain);
  } catch (error) {
    throw relocate(error, plain, path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const COPY_PREFIX = 'retrieval-gate-gunzip-';

/** Deletes the decompressed copies of processes that were killed while reading (their pid no longer runs). */
function removeOrphanedCopies(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return; // an unreadable temporary folder only means nothing can be swept
  }
  for (const name of names) {
    const pid = Number(/^retrieval-gate-gunzip-(\d+)-/.exec(name)?.[1]);
    if (pid > 0 && pid !== process.pid && !isRunning(pid)) {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/** An error about the temporary file, re-addressed to the file the user named. */
function relocate(error: unknown, plain: string, path: string): unknown {
  if (!(error instanceof UserError)) return error;
  const prefix = formatLocated('', error.location);
  const raw = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  const location = error.location.file === plain ? { ...error.location, file: path } : error.location;
  return new UserError(raw.split(plain).join(path), location, error.cause ?? error);
}

/**
 * The worker that decompresses: node:zlib through stream/promises' pipeline, from the .gz file to the
 * temporary one (created exclusively, readable by the user only).
 */
const GUNZIP = `
const { createReadStream, createWriteStream } = require('node:fs');
const { createGunzip } = require('node:zlib');
const { pipeline } = require('node:stream/promises');
pipeline(
  createReadStream(input.source, { highWaterMark: 1 << 20 }),
  createGunzip({ chunkSize: 1 << 18 }),
  createWriteStream(input.target, { flags: 'wx', mode: 0o600, highWaterMark: 1 << 20 }),
).then(
  () => report({ ok: true }),
  (error) => report({ ok: false, code: error && error.code, message: String(error && error.message) }),
);
`;

interface GunzipReport {
  ok: boolean;
  code?: string;
  message?: string;
}

/**
 * Decompresses `source` into `target`, synchronously for the caller: the work streams in a worker thread
 * while this one waits, so neither holds more than zlib's buffers.
 */
export function gunzipFile(source: string, target: string): void {
  const report = startReportWorker<object, GunzipReport>(GUNZIP, { source, target }).report();
  if (!report?.ok) throw gunzipError(source, report);
}

function gunzipError(source: string, report: GunzipReport | undefined): ToolError {
  if (report === undefined)
    return new UserError('cannot decompress: the gzip reader stopped', { file: source });
  const { code, message = '' } = report;
  if (code === 'ENOENT' || code === 'EACCES')
    return new UserError(`cannot read: ${code === 'ENOENT' ? 'no such file' : 'permission denied'}`, {
      file: source,
    });
  if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(message))
    return new UserError('truncated gzip file: it ends before its compressed data does', { file: source });
  if (code?.startsWith('Z_'))
    return new UserError(`corrupt gzip file: ${message.replace(/\.$/, '')}`, { file: source });
  return new UserError(`cannot decompress: ${message || code}`, { file: source });
}
