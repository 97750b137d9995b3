import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, LOCK_FILE } from './namespace.js';
import type { PruneAction } from './prune-actions.js';

/**
 * Runs `work` holding the namespace's prune lock (created with O_EXCL; one left by a dead process is taken
 * over), so that two prunes never work on one namespace at once. A dry run takes no lock. Returns a skip
 * when another live prune holds it.
 */
export function withLock(dir: string, dryRun: boolean, work: () => PruneAction): PruneAction {
  const name = dir.split(/[\\/]/).at(-1) ?? dir;
  if (dryRun) return work();
  const lock = join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        return {
          name,
          action: 'skipped',
          reason: `cannot take ${LOCK_FILE}: ${(error as Error).message}`,
          bytesFreed: 0,
        };
      }
      const holder = Number.parseInt(readText(lock), 10);
      if (Number.isInteger(holder) && isAlive(holder)) {
        return {
          name,
          action: 'skipped',
          reason: `another prune (pid ${holder}) is working on it`,
          bytesFreed: 0,
        };
      }
      // Left by a prune that died: take it over.
      rmSync(lock, { force: true });
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { force: true });
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
