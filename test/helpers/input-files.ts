import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { tempDir } from './tmp.js';

/**
 * A file named `name` in a fresh temporary folder: the lines each ended by a newline, or a string written as
 * it stands (for files without a last newline, or with other line ends).
 */
export function inputFile(name: string, lines: string[] | string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, Array.isArray(lines) ? `${lines.join('\n')}\n` : lines);
  return path;
}

/** The UserError a read throws, for its message and location; anything else fails the test. */
export function userErrorOf(read: () => unknown): UserError {
  try {
    read();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}
