/**
 * The error hierarchy the CLI maps to exit codes: a UserError (bad input, bad config, missing file)
 * exits 2 with one message naming where the problem is; anything else is a bug and exits 3.
 */

/** Where in the user's input a problem sits: the file, the 1-based line, the field. */
export interface InputLocation {
  file?: string;
  line?: number;
  field?: string;
}

export class UserError extends Error {
  override readonly name = 'UserError';
  readonly exitCode: number = 2;
  readonly location: InputLocation;

  constructor(message: string, location: InputLocation = {}) {
    super(formatLocated(message, location));
    this.location = location;
  }
}

/** "file:line: field 'x': message" — the shape editors and CI logs turn into links. */
export function formatLocated(message: string, { file, line, field }: InputLocation): string {
  const where = file === undefined ? '' : line === undefined ? `${file}: ` : `${file}:${line}: `;
  const what = field === undefined ? '' : `field '${field}': `;
  return `${where}${what}${message}`;
}

/** Something worth telling the user that does not stop the work (printed on stderr). */
export interface Warning {
  message: string;
}
