import { UserError } from '../errors.js';

/** Exit codes: 0 ok, 1 gate failed, 2 bad input or config, 3 internal error (a bug). */
export const EXIT = { ok: 0, gateFailed: 1, badInput: 2, internal: 3 } as const;

/** Maps an error to one stderr line and an exit code; the stack only with --debug. */
export function reportError(error: unknown, debug: boolean): number {
  if (error instanceof UserError) {
    process.stderr.write(`retrieval-gate: ${error.message}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `retrieval-gate: internal error: ${message}${debug ? '' : ' (run with --debug for the stack)'}\n`,
  );
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return EXIT.internal;
}

export function warn(message: string): void {
  process.stderr.write(`retrieval-gate: warning: ${message}\n`);
}
