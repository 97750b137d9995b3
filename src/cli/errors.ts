import { causeChain, EXIT, ToolError } from '../errors.js';

export { EXIT };

/** Maps an error to one stderr line and an exit code; the stack and the chain of causes only with --debug. */
export function reportError(error: unknown, debug: boolean): number {
  const known = error instanceof ToolError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    known
      ? `retrieval-gate: ${message}\n`
      : `retrieval-gate: internal error: ${message}${debug ? '' : ' (run with --debug for the stack)'}\n`,
  );
  if (debug) {
    if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    for (const cause of causeChain(error)) {
      process.stderr.write(
        `caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}\n`,
      );
    }
  }
  return known ? error.exitCode : EXIT.internal;
}

export function warn(message: string): void {
  process.stderr.write(`retrieval-gate: warning: ${message}\n`);
}
