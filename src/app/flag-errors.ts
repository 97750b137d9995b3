import { UserError } from '../errors.js';

/**
 * `parse` of a command-line flag's value, its error (bad input) prefixed with the flag's name
 * (`--measures: measure 'P': …`, `-m: …`) when one is given: the workflows are also called without a CLI.
 */
export function namingFlag<T>(flag: string | undefined, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (flag === undefined || !(error instanceof UserError)) throw error;
    throw new UserError(`${flag}: ${error.message}`, {}, error);
  }
}
