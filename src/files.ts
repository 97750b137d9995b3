import {
  appendFileSync,
  closeSync,
  copyFileSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from './errors.js';

/** File access on the user's paths: a missing or unreadable file is a user error (exit 2), not a crash. */

function fileError(action: string, path: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : code === 'ENOTDIR'
            ? 'a part of the path is a file, not a folder'
            : code === 'ENAMETOOLONG'
              ? 'the name is too long'
              : code === 'EEXIST'
                ? 'a file of that name is in the way'
                : String(code ?? error);
  return new UserError(`cannot ${action}: ${reason}`, { file: shownPath(path) });
}

/** A path as messages show it: a very long one (an 8 MB name) is clipped, not printed whole. */
function shownPath(path: string): string {
  return path.length > 300 ? `${path.slice(0, 120)}… (${path.length} characters)` : path;
}

/** Opens a file to read; a folder given where a file belongs is refused here, before any read. */
export function openForReading(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw fileError('open', path, error);
  }
  let folder = false;
  try {
    folder = fstatSync(fd).isDirectory();
  } catch {
    // A file we cannot stat is read (and its error reported) as before.
  }
  if (folder) {
    closeSync(fd);
    throw new UserError('cannot read: is a folder, not a file', { file: shownPath(path) });
  }
  return fd;
}

export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw fileError('read', path, error);
  }
}

/** Writes a whole file, creating its folder. */
export function writeTextFile(path: string, text: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (error) {
    throw fileError('write', path, error);
  }
}

/** What writeTextChunks hands its writer: the text added goes to the file in order. */
export interface TextChunks {
  add(text: string): void;
}

/**
 * Writes `${JSON.stringify(value, null, 2)}\n` byte for byte, without that string: the value is written
 * as it is walked, through one buffer, so an evaluation of 100,000 queries is not held a second time as
 * tens of megabytes of text.
 */
export function writeJsonFile(path: string, value: unknown): void {
  writeTextChunks(path, (out) => {
    writeJsonValue(jsonForm(value, ''), out, '');
    out.add('\n');
  });
}

/**
 * Writes a file (and its folder) as `write` adds its text, about a megabyte at a time: a large file is never
 * one string, and its pieces die young instead of filling the heap until the end.
 */
export function writeTextChunks(path: string, write: (out: TextChunks) => void): void {
  let fd: number | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, 'w');
    const out = new ChunkedText(fd);
    write(out);
    out.flush();
  } catch (error) {
    if (error instanceof UserError || (error as NodeJS.ErrnoException).code === undefined) throw error;
    throw fileError('write', path, error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Bytes written to the file at once. */
const CHUNK_BYTES = 1 << 20;

/**
 * Text encoded as it is added into a buffer of twice CHUNK_BYTES, written each time a chunk's worth is in it:
 * gathering the pieces to join them took longer than the encoding (run files of 200,000 lines).
 */
class ChunkedText implements TextChunks {
  private readonly bytes = Buffer.allocUnsafe(2 * CHUNK_BYTES);
  private used = 0;

  constructor(private readonly fd: number) {}

  add(text: string): void {
    // UTF-8 takes at most 3 bytes for each UTF-16 unit, so a text given that room is never cut.
    if (this.used + 3 * text.length > this.bytes.length) {
      this.flush();
      if (3 * text.length > this.bytes.length) {
        this.writeAll(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.used += this.bytes.write(text, this.used);
    if (this.used >= CHUNK_BYTES) this.flush();
  }

  flush(): void {
    this.writeAll(this.bytes.subarray(0, this.used));
    this.used = 0;
  }

  private writeAll(bytes: Buffer): void {
    for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done);
  }
}

/**
 * JSON.stringify's output with a two-space indent, for data (`value` with its toJSON already applied):
 * objects, arrays and primitives, toJSON applied to what they hold (a Date), members that are undefined,
 * functions or symbols left out, and such array items written as null.
 */
function writeJsonValue(value: unknown, out: TextChunks, indent: string): void {
  if (value === null || typeof value !== 'object') {
    out.add(JSON.stringify(value) ?? 'null');
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value) && value.length > 0 && value.every(isPrimitive)) {
    writePrimitiveArray(value, out, indent);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.add(i === 0 ? `[\n${inner}` : `,\n${inner}`);
      writeJsonValue(jsonForm(item, String(i)), out, inner);
    });
    out.add(value.length === 0 ? '[]' : `\n${indent}]`);
    return;
  }
  let first = true;
  for (const name of Object.keys(value)) {
    const member = jsonForm((value as Record<string, unknown>)[name], name);
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    out.add(`${first ? '{' : ','}\n${inner}${JSON.stringify(name)}: `);
    writeJsonValue(member, out, inner);
    first = false;
  }
  out.add(first ? '{}' : `\n${indent}}`);
}

function isPrimitive(item: unknown): boolean {
  return item === null || typeof item === 'number' || typeof item === 'string' || typeof item === 'boolean';
}

/** Items written a slice at a time by JSON.stringify: a call per item was 5× slower (100,000 per-query values). */
const PRIMITIVE_SLICE = 8192;

/**
 * An array of numbers, strings, booleans and nulls, as JSON.stringify indents it: each slice's own
 * indented text, its brackets cut and its lines moved to this depth (a JSON string holds no raw newline).
 */
function writePrimitiveArray(items: unknown[], out: TextChunks, indent: string): void {
  const newline = `\n${indent}`;
  for (let at = 0; at < items.length; at += PRIMITIVE_SLICE) {
    const text = JSON.stringify(items.slice(at, at + PRIMITIVE_SLICE), null, 2);
    out.add(at === 0 ? '[\n' : ',\n');
    out.add(indent + text.slice(2, -2).replaceAll('\n', newline));
  }
  out.add(`\n${indent}]`);
}

/** A value as JSON sees it: what its toJSON returns, when it has one. */
function jsonForm(value: unknown, key: string): unknown {
  const toJSON = (value as { toJSON?: unknown } | null | undefined)?.toJSON;
  return typeof toJSON === 'function' && value !== null && typeof value === 'object'
    ? (toJSON as (key: string) => unknown).call(value, key)
    : value;
}

/** Appends to a file (creating it), leaving what earlier writers put there. */
export function appendTextFile(path: string, text: string): void {
  try {
    appendFileSync(path, text);
  } catch (error) {
    throw fileError('append to', path, error);
  }
}

/** Makes a folder and its parents (nothing when it is there); a file in the way is a user error. */
export function makeFolder(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    throw fileError('create the folder', path, error);
  }
}

/** Copies a file byte for byte, as a user error when it cannot be. */
export function copyFile(from: string, to: string): void {
  try {
    copyFileSync(from, to);
  } catch (error) {
    throw fileError(`copy ${shownPath(from)} to`, to, error);
  }
}

/**
 * A folder the user names for output (`--reports`, `--out`): absent (it is made) or a folder. A file there is
 * refused before anything runs, naming the flag.
 */
export function checkOutputFolder(path: string, flag: string): void {
  let stats: ReturnType<typeof statSync> | undefined;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR')
      throw new UserError(`${flag}: a part of the path is a file, not a folder`, { file: shownPath(path) });
    throw fileError(`use ${flag}`, path, error);
  }
  if (stats && !stats.isDirectory()) {
    throw new UserError(`${flag} names a file; it must be a folder (made when missing)`, {
      file: shownPath(path),
    });
  }
}

/** The longest name given to a file or folder the tool makes (file systems allow 255 bytes). */
export const MAX_NAME_LENGTH = 200;

/** Names Windows keeps for devices, with or without an extension: `CON`, `nul.txt`, `COM1`. */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * Why a name cannot be one path component on every system (Linux, macOS, Windows), or undefined when it can:
 * the run id of a run folder, a system's folder. Refused rather than rewritten, so that a name always says
 * where its files are.
 */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name === '.' || name === '..') return `'${name}' names a folder that already exists, not a new one`;
  if (name.length > MAX_NAME_LENGTH)
    return `it is ${name.length} characters long; at most ${MAX_NAME_LENGTH}`;
  if (name.includes('\0')) return 'it holds a NUL character';
  if (/[/\\]/.test(name)) return 'it holds a path separator (/ or \\)';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it holds a control character';
  if (/[<>:"|?*]/.test(name)) return 'it holds a character Windows refuses in file names (< > : " | ? *)';
  if (/[. ]$/.test(name)) return 'it ends with a dot or a space, which Windows drops';
  if (RESERVED.test(name)) return `'${name}' is a device name on Windows (CON, PRN, AUX, NUL, COM1…, LPT1…)`;
  return undefined;
}

/**
 * A system id as a folder name: characters outside `A-Za-z0-9._@+-` become `_` (a sweep's
 * `docs[efSearch=64]` is `docs_efSearch_64_`). Distinct ids may meet in one name: the config refuses that.
 */
export function folderName(id: string): string {
  return id.replace(/[^A-Za-z0-9._@+-]/g, '_');
}

/** A name for a message: clipped when long, control characters escaped, so that it shows what it holds. */
export function shownName(name: string): string {
  const clipped = name.length > 60 ? `${name.slice(0, 40)}…` : name;
  return JSON.stringify(clipped).slice(1, -1);
}
