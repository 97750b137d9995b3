import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { takePidLock } from '../../dataset/pid-lock.js';
import { LOCK_FILE } from './namespace.js';
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
  const refusal = takePidLock(lock);
  if (refusal !== undefined) {
    const reason =
      'holder' in refusal
        ? `another prune (pid ${refusal.holder}) is working on it`
        : `cannot take ${LOCK_FILE}: ${refusal.error.message}`;
    return { name, action: 'skipped', reason, bytesFreed: 0 };
  }
  try {
    return work();
  } finally {
    rmSync(lock, { force: true });
  }
}
