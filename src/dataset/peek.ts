import { closeSync, readSync } from 'node:fs';
import { openForReading } from '../files.js';

/** The first line of a file that is neither blank nor a '#' comment (within its first 64 KiB), to tell formats apart without reading it all. */
export function firstLine(path: string): string | undefined {
  const fd = openForReading(path);
  try {
    const buf = Buffer.alloc(1 << 16);
    const read = readSync(fd, buf, 0, buf.length, 0);
    return buf
      .toString('utf8', 0, read)
      .replace(/^\uFEFF/, '')
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '' && !line.startsWith('#'));
  } finally {
    closeSync(fd);
  }
}
