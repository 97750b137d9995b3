import { UserError } from '../errors.js';
import { fieldName, type LocatedYaml } from './locate.js';

/** Stops loading: a UserError naming the file, the line of `path` and the field (by default `path`'s name). */
export type Fail = (message: string, path: (string | number)[], field?: string) => never;

export function failIn(file: string, yaml: LocatedYaml): Fail {
  return (message, path, field = fieldName(path)) => {
    throw new UserError(message, { file, line: yaml.lineOf(path), field });
  };
}
