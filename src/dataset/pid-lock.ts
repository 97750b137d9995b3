import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isRunning } from './process-alive.js';

/** Why a pid lock was not taken: a live process holds it, or the file system refused. */
export type LockRefusal = { holder: number } | { error: Error };

/**
 * Creates `lock` exclusively (O_EXCL), holding this process's id: one writer at a time. A lock whose process
 * no longer runs (killed before it could remove it) is taken over, once. Returns undefined once taken.
 */
export function takePidLock(lock: string): LockRefusal | undefined {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return { error: error as Error };
    }
    const holder = Number.parseInt(readOrEmpty(lock), 10);
    if (Number.isInteger(holder) && isRunning(holder)) return { holder };
    rmSync(lock, { force: true }); // left by a process that was killed
  }
  return { error: new Error('another process took it while it was being taken over') };
}

/** The lock's text, or '' when it vanished meanwhile (its holder just let it go). */
function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
