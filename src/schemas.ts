import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { UserError } from './errors.js';

/**
 * The JSON Schemas shipped beside the code that reads each file (also usable by editors): dataset records in
 * dataset/schemas/, what the user writes (the run configuration, gate policies) in config/, what a run folder
 * holds (summaries, evaluations, traces, verdicts, baselines) in results/, the command protocol in
 * retrieve/transport/. One Ajv instance knows them all, so one may $ref another.
 */
export type SchemaName =
  | 'config'
  | 'command-messages'
  | 'manifest'
  | 'query'
  | 'document'
  | 'qrel'
  | 'run-line'
  | 'simple-item'
  | 'simple-set'
  | 'route'
  | 'route-item'
  | 'route-manifest'
  | 'router-config'
  | 'router-policy'
  | 'route-run'
  | 'route-decision'
  | 'beir-record'
  | 'source-record'
  | 'policy'
  | 'run-summary'
  | 'evaluation'
  | 'baseline'
  | 'trace'
  | 'verdict'
  | 'review'
  | 'cutover-record'
  | 'audit'
  | 'sync-plan'
  | 'pool'
  | 'judgment'
  | 'shard';

const SCHEMA_DIRS = ['./dataset/schemas/', './config/', './results/', './retrieve/transport/'].map(
  (dir) => new URL(dir, import.meta.url),
);
const ID_BASE = 'https://retrieval-gate.dev/schemas/';
let ajv: Ajv | undefined;
/** Looked up once per schema: Ajv's getSchema resolves its id on every call (a million JSONL lines, a million calls). */
const validators = new Map<string, ValidateFunction>();

/** strictRequired off: run-line's oneOf names properties defined at the top level. */
export const AJV_OPTIONS = {
  allErrors: false,
  strictSchema: true,
  strictNumbers: true,
  strictTypes: false,
  strictRequired: false,
  discriminator: true,
} as const;

/** Every schema shipped, as parsed from its file. */
export function shippedSchemas(): object[] {
  return SCHEMA_DIRS.filter((dir) => existsSync(dir)).flatMap((dir) =>
    readdirSync(dir)
      .filter((file) => file.endsWith('.schema.json'))
      .map((file) => JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as object),
  );
}

/** All schemas are registered at once, so one may $ref another by file name. */
function validatorFor(name: SchemaName, definition?: string): ValidateFunction {
  const key = `${ID_BASE}${name}.schema.json${definition ? `#/definitions/${definition}` : ''}`;
  const known = validators.get(key);
  if (known) return known;
  if (!ajv) {
    // The shipped schemas are checked against JSON Schema's meta-schema by the tests (test/schemas.test.ts),
    // not at every start: compiling the meta-schema was a third of a small command's own time.
    ajv = new Ajv({ ...AJV_OPTIONS, validateSchema: false });
    for (const schema of shippedSchemas()) ajv.addSchema(schema);
  }
  const validate = ajv.getSchema(key);
  if (!validate) throw new Error(`schema ${name} is not shipped`);
  validators.set(key, validate);
  return validate;
}

/** Checks `value` against a schema; throws a UserError naming the file, line and field of the first problem. */
export function assertValid<T>(
  name: SchemaName,
  value: unknown,
  file: string,
  line?: number,
): asserts value is T {
  const problem = schemaProblem(name, value);
  if (problem) throw new UserError(problem.message, { file, line, field: problem.field });
}

/** The first way `value` breaks a schema: the JSON path to the offending value, a field name and a message. */
export interface SchemaProblem {
  /** Path segments to the value that is wrong (for a missing property: to its parent). */
  path: string[];
  field: string | undefined;
  message: string;
}

/** `definition` picks one of the schema's definitions (e.g. one message kind of the command protocol). */
export function schemaProblem(
  name: SchemaName,
  value: unknown,
  definition?: string,
): SchemaProblem | undefined {
  const validate = validatorFor(name, definition);
  if (validate(value)) return undefined;
  const error = (validate.errors ?? [])[0];
  const path = error
    ? error.instancePath
        .split('/')
        .slice(1)
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    : [];
  return { path, field: fieldOf(error), message: describe(error) };
}

/** "/results/3/score" → "results[3].score"; a missing property names itself. */
function fieldOf(error: ErrorObject | undefined): string | undefined {
  if (!error) return undefined;
  const parts = error.instancePath.split('/').slice(1);
  if (error.keyword === 'required') parts.push(String(error.params.missingProperty));
  if (error.keyword === 'discriminator') parts.push(String(error.params.tag));
  if (parts.length === 0) return undefined;
  return parts.reduce(
    (path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part),
    '',
  );
}

function describe(error: ErrorObject | undefined): string {
  if (!error) return 'does not match its schema';
  switch (error.keyword) {
    case 'required':
      return 'is missing';
    case 'oneOf':
      return "needs either 'docid' and 'score', or 'results'";
    case 'additionalProperties':
      return `unknown field '${String(error.params.additionalProperty)}'`;
    case 'pattern':
      return error.params.pattern === '\\S'
        ? 'must not be empty'
        : `must match ${String(error.params.pattern)}`;
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'discriminator':
      return error.params.error === 'mapping'
        ? `unknown ${String(error.params.tag)} ${JSON.stringify(error.params.tagValue)}`
        : `needs '${String(error.params.tag)}'`;
    case 'const':
      return `must be ${JSON.stringify(error.params.allowedValue)}`;
    default:
      return error.message ?? 'is invalid';
  }
}
