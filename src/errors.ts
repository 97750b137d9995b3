/**
 * The one error family, and the exit codes it maps to. A ToolError is something to tell the user (bad
 * input, a service that failed them) and carries its exit code; anything else that escapes is a bug.
 */

/** Exit codes: 0 ok, 1 gate failed, 2 bad input, config or service, 3 internal error (a bug). */
export const EXIT = { ok: 0, gateFailed: 1, badInput: 2, internal: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Where in the user's input a problem sits: the file, the 1-based line, the field. */
export interface InputLocation {
  file?: string;
  line?: number;
  field?: string;
}

export interface ToolErrorOptions {
  location?: InputLocation;
  /** The error this one explains (kept for --debug, never shown as the message). */
  cause?: unknown;
}

/** The base: an error whose message is written for the user, with the exit code it ends the command with. */
export abstract class ToolError extends Error {
  abstract readonly exitCode: ExitCode;
  readonly location: InputLocation;

  constructor(message: string, options: ToolErrorOptions = {}) {
    const location = options.location ?? {};
    super(formatLocated(message, location), options.cause === undefined ? {} : { cause: options.cause });
    this.location = location;
  }
}

/** Bad input, a bad config or a missing file: the message names the file, line and field (exit 2). */
export class UserError extends ToolError {
  override readonly name: string = 'UserError';
  readonly exitCode = EXIT.badInput;

  constructor(message: string, location: InputLocation = {}, cause?: unknown) {
    super(message, { location, cause });
  }
}

/**
 * A service or program the user pointed us at failed us after its retries: unreachable, rate-limited,
 * answering errors or nonsense. Also exit 2: what to fix is outside the tool (a URL, a key, a quota).
 * Messages never hold an API key or a header.
 */
export class ServiceError extends ToolError {
  override readonly name: string = 'ServiceError';
  readonly exitCode = EXIT.badInput;
}

/** What was asked is refused because the gate behind it failed (a cutover of a failed review): exit 1. */
export class GateRefusal extends ToolError {
  override readonly name: string = 'GateRefusal';
  readonly exitCode = EXIT.gateFailed;
}

/** "file:line: field 'x': message" — the shape editors and CI logs turn into links. */
export function formatLocated(message: string, { file, line, field }: InputLocation): string {
  const where = file === undefined ? '' : line === undefined ? `${file}: ` : `${file}:${line}: `;
  const what = field === undefined ? '' : `field '${field}': `;
  return `${where}${what}${message}`;
}

/** The chain of causes below an error, outermost first: what --debug prints. */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current instanceof Error && current.cause !== undefined && chain.length < 20) {
    current = current.cause;
    chain.push(current);
  }
  return chain;
}
