import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, openSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Wall time and peak resident memory of one run of a command. */
export interface Timing {
  seconds: number;
  /** Peak RSS in MiB, or undefined when /usr/bin/time is not available to measure it. */
  peakMiB: number | undefined;
}

const GNU_TIME = '/usr/bin/time';

export const canMeasureRss = isExecutable(GNU_TIME);

/**
 * Runs `command args` with stdout into `stdoutPath`; throws when it fails. Wall time is measured here
 * (sub-millisecond); peak RSS comes from GNU time's %M (KiB), when it exists.
 */
export function timeCommand(command: string, args: string[], stdoutPath: string): Timing {
  const [file, argv] = canMeasureRss ? [GNU_TIME, ['-f', '%M', command, ...args]] : [command, args];
  const out = openSync(stdoutPath, 'w');
  try {
    const start = process.hrtime.bigint();
    const result = spawnSync(file, argv, { stdio: ['ignore', out, 'pipe'], maxBuffer: 64 << 20 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const stderr = result.stderr?.toString('utf8') ?? '';
    if (result.error) throw result.error;
    if (result.status !== 0) {
      throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${stderr}`);
    }
    const lastLine = stderr.trimEnd().split('\n').pop() ?? '';
    const peakMiB = canMeasureRss ? Number(lastLine) / 1024 : undefined;
    return { seconds, peakMiB };
  } finally {
    closeSync(out);
  }
}

/** Runs the command `times` times and returns every timing, in order. */
export function timeRepeated(command: string, args: string[], stdoutPath: string, times: number): Timing[] {
  return Array.from({ length: times }, () => timeCommand(command, args, stdoutPath));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** "3.02 s median (2.98–3.10), peak RSS 812 MiB" */
export function describeTimings(timings: Timing[]): string {
  const seconds = timings.map((t) => t.seconds);
  const wall = `${median(seconds).toFixed(2)} s median (${Math.min(...seconds).toFixed(2)}–${Math.max(...seconds).toFixed(2)})`;
  const peaks = timings.map((t) => t.peakMiB).filter((p): p is number => p !== undefined);
  const rss = peaks.length > 0 ? `peak RSS ${Math.max(...peaks).toFixed(0)} MiB` : 'peak RSS unavailable';
  return `${wall}, ${rss}`;
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable called `name` on PATH. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
