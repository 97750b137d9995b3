import { ServiceError } from '../../errors.js';

/**
 * A command index or reranker misbehaved: it could not start, exited, broke the protocol, answered with an
 * error or took too long. The message names the program and says what went wrong, followed by the last
 * lines it wrote on stderr (where a Python traceback lands), so the runner can record it as the system's
 * failure as is. A ServiceError: the program is the user's, so it exits 2, not as a bug of ours.
 */
export class CommandError extends ServiceError {
  override readonly name: string = 'CommandError';
  /** The program and its arguments. */
  readonly command: readonly string[];
  /** What went wrong, without the program's name or its stderr. */
  readonly reason: string;
  /** The program's last stderr lines at the time of the error (oldest first). */
  readonly stderrTail: readonly string[];

  constructor(label: string, command: readonly string[], reason: string, stderrTail: readonly string[]) {
    const tail =
      stderrTail.length > 0 ? `\nlast stderr lines:\n${stderrTail.map((l) => `  ${l}`).join('\n')}` : '';
    super(`${label} (${displayCommand(command)}): ${reason}${tail}`);
    this.command = command;
    this.reason = reason;
    this.stderrTail = stderrTail;
  }
}

/** `python3 rerank.py --model "my model"`, shortened when very long. */
export function displayCommand(command: readonly string[]): string {
  const text = command.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
