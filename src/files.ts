import { appendFileSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from './errors.js';

/** File access on the user's paths: a missing or unreadable file is a user error (exit 2), not a crash. */

function fileError(action: string, path: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a folder'
          : String(code ?? error);
  return new UserError(`cannot ${action}: ${reason}`, { file: path });
}

export function openForReading(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    throw fileError('open', path, error);
  }
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

/** Appends to a file (creating it), leaving what earlier writers put there. */
export function appendTextFile(path: string, text: string): void {
  try {
    appendFileSync(path, text);
  } catch (error) {
    throw fileError('append to', path, error);
  }
}
