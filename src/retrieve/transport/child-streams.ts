import type { ChildProcess } from 'node:child_process';

/** Plumbing for a long-lived child process: its output as lines, and bounded waits for it to end. */

/** Calls `onLine` for each line of a text stream, and for a last line without a newline. */
export function readLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let partial: string[] = []; // pieces of a line longer than one chunk
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = chunk.split('\n');
    const rest = parts.pop() ?? '';
    for (const [i, part] of parts.entries()) {
      const line = i === 0 ? partial.join('') + part : part;
      onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    if (parts.length > 0) partial = [];
    if (rest !== '') partial.push(rest);
  });
  stream.on('end', () => {
    if (partial.length > 0) onLine(partial.join(''));
    partial = [];
  });
  stream.on('error', () => {});
}

/** Whether the process has exited, or does within `ms`. */
export function exitedWithin(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    child.once('exit', onExit);
  });
}

/** Waits for `promise`, at most `ms`, without keeping the event loop alive afterwards. */
export async function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
