import { causeChain, EXIT, ToolError } from '../errors.js';
import type { OutputStream } from './io.js';

/** Maps an error to one stderr line and an exit code; the stack and the chain of causes only with --debug. */
export function reportError(stderr: OutputStream, error: unknown, debug: boolean): number {
  const known = error instanceof ToolError;
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(
    known
      ? `retrieval-gate: ${message}\n`
      : `retrieval-gate: internal error: ${message}${debug ? '' : ' (run with --debug for the stack)'}\n`,
  );
  if (debug) {
    if (error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
    for (const cause of causeChain(error)) {
      stderr.write(`caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}\n`);
    }
  }
  return known ? error.exitCode : EXIT.internal;
}

export function warn(stderr: OutputStream, message: string): void {
  stderr.write(`retrieval-gate: warning: ${message}\n`);
}
