import { UserError } from '../errors.js';
import { type SchemaName, schemaProblem } from '../schemas.js';
import { readUtf8File } from '../utf8.js';
import { fieldName, type LocatedYaml, parseLocatedYaml } from './locate.js';

/** Stops loading: a UserError naming the file, the line of `path` and the field (by default `path`'s name). */
export type Fail = (message: string, path: (string | number)[], field?: string) => never;

export function failIn(file: string, yaml: LocatedYaml): Fail {
  return (message, path, field = fieldName(path)) => {
    throw new UserError(message, { file, line: yaml.lineOf(path), field });
  };
}

/** A problem a loader can say more plainly than the schema would, at a path of the file. */
export type PlainProblem = { message: string; path: (string | number)[] } | undefined;

/**
 * A YAML file the user writes, read strictly as UTF-8 and checked against its schema: its value, and how to
 * stop at one of its lines for what the schema cannot say. `explain`, when given, is asked first: a loader
 * names there what the schema's message would leave unclear.
 */
export function readCheckedYaml(
  file: string,
  schema: SchemaName,
  explain?: (value: unknown) => PlainProblem,
): { value: unknown; fail: Fail } {
  const yaml = parseLocatedYaml(readUtf8File(file), file);
  const fail = failIn(file, yaml);
  const plain = explain?.(yaml.value);
  if (plain) fail(plain.message, plain.path);
  const problem = schemaProblem(schema, yaml.value);
  if (problem) fail(problem.message, problem.path, problem.field);
  return { value: yaml.value, fail };
}
