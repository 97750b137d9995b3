import { causeChain, EXIT, ToolError } from '../errors.js';
import { printable } from '../visible-text.js';
import type { OutputStream } from './io.js';

/** Maps an error to one stderr line and an exit code; the stack and the chain of causes only with --debug. */
export function reportError(stderr: OutputStream, error: unknown, debug: boolean): number {
  const known = error instanceof ToolError;
  // One line: a line break or escape sequence in it came from user input (a path, an id, a quoted line).
  const message = printable(error instanceof Error ? error.message : String(error));
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

/** A warning on one line of stderr, its user text's control characters shown as escapes. */
export function warn(stderr: OutputStream, message: string): void {
  stderr.write(`retrieval-gate: warning: ${printable(message)}\n`);
}
