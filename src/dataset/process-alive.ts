/**
 * Whether a process runs: signal 0 checks without sending; EPERM means it runs under another user. Files
 * left by a process (a lock, a decompressed copy) are taken over only once it is gone.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
