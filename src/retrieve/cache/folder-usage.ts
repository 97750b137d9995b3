import { type Dirent, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { embeddingsRoot, listSegments, NAMESPACE_FILE } from './namespace.js';

// What the cache's folders take on disk and when a run last used them. A file that vanishes while it is
// measured (a prune removed it, a writer renamed its temporary) is skipped, never an error.

export function namespaceFolders(cacheDir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(embeddingsRoot(cacheDir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

export function folderMtime(dir: string): number {
  try {
    return statSync(dir).mtimeMs;
  } catch {
    return 0;
  }
}

/** Latest of namespace.json's mtime (touched at every use) and the segments' mtimes; 0 when unknown. */
export function lastUse(dir: string): number {
  let latest = 0;
  for (const name of [NAMESPACE_FILE, ...listSegments(dir)]) {
    try {
      latest = Math.max(latest, statSync(join(dir, name)).mtimeMs);
    } catch {
      // gone meanwhile
    }
  }
  return latest;
}

export function folderSize(dir: string): { bytes: number; files: number } | undefined {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return undefined;
  }
  let bytes = 0;
  let files = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    try {
      bytes += statSync(join(entry.parentPath ?? entry.path, entry.name)).size;
      files++;
    } catch {
      // gone meanwhile
    }
  }
  return { bytes, files };
}
