import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { runCli as runProgram } from '../../src/cli/program.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = resolve(REPO_ROOT, '..', 'shared');
export const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`npm test` builds first) as a user would, in `cwd` (default: the repo). */
export function runCli(args: string[], cwd = REPO_ROOT, env: NodeJS.ProcessEnv = {}): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' (npm test does it)`);
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs a command line in this process, with what `runCli` gives the built CLI: the same arguments, working
 * folder and environment, and its output read back the same way. Much faster than a process per command.
 * The working folder is changed for the command's duration, so commands run one at a time (vitest runs a
 * file's tests in sequence, each file in a process of its own).
 */
export async function runCliInProcess(
  args: string[],
  cwd = REPO_ROOT,
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  const [stdout, stderr] = [new Capture(), new Capture()];
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const status = await runProgram(args, { stdout, stderr, env: { ...process.env, ...env } });
    return { status, stdout: stdout.text, stderr: stderr.text };
  } finally {
    process.chdir(previous);
  }
}

/** A stream that keeps what is written to it, as a pipe to a parent process would. */
class Capture extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** The shared fixtures folder, or undefined with a printed reason when ../shared is not beside the repo. */
export function sharedPath(...parts: string[]): string | undefined {
  const path = join(SHARED, ...parts);
  if (existsSync(path)) return path;
  console.log(`skipping: ${path} is absent (../shared is not beside the repository)`);
  return undefined;
}

/**
 * Runs the built CLI in a child process and kills it with SIGKILL once `ready()` holds (polled) and `afterMs`
 * more have passed, as a crash or an OOM kill would; false when it exited first, and nothing was killed.
 */
export async function killCliWhen(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; ready: () => boolean; afterMs?: number },
): Promise<boolean> {
  const child = execa(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    reject: false,
    env: options.env,
  });
  let exited = false;
  void child.then(() => {
    exited = true;
  });
  while (!options.ready() && !exited) await new Promise((resolve) => setTimeout(resolve, 2));
  await new Promise((resolve) => setTimeout(resolve, options.afterMs ?? 0));
  if (exited) return false;
  child.kill('SIGKILL');
  const { signal } = await child;
  if (signal !== 'SIGKILL') throw new Error(`the CLI ended by ${signal ?? 'itself'}, not by SIGKILL`);
  return true;
}
