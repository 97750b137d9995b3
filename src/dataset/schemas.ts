import { readdirSync, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { UserError } from '../errors.js';

/** The JSON Schemas shipped in ./schemas (also usable by editors), one per kind of input record. */
export type SchemaName =
  | 'manifest'
  | 'query'
  | 'document'
  | 'qrel'
  | 'run-line'
  | 'simple-item'
  | 'simple-set'
  | 'beir-record';

const SCHEMA_DIR = new URL('./schemas/', import.meta.url);
const ID_BASE = 'https://retrieval-gate.dev/schemas/';
let ajv: Ajv | undefined;

/** All schemas are registered at once, so one may $ref another by file name. */
function validatorFor(name: SchemaName): ValidateFunction {
  if (!ajv) {
    // strictRequired off: run-line's oneOf names properties defined at the top level.
    ajv = new Ajv({
      allErrors: false,
      strictSchema: true,
      strictNumbers: true,
      strictTypes: false,
      strictRequired: false,
    });
    for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'))) {
      ajv.addSchema(JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), 'utf8')));
    }
  }
  const validate = ajv.getSchema(`${ID_BASE}${name}.schema.json`);
  if (!validate) throw new Error(`schema ${name} is not shipped`);
  return validate;
}

/** Checks `value` against a schema; throws a UserError naming the file, line and field of the first problem. */
export function assertValid<T>(
  name: SchemaName,
  value: unknown,
  file: string,
  line?: number,
): asserts value is T {
  const validate = validatorFor(name);
  if (validate(value)) return;
  const error = (validate.errors ?? [])[0];
  throw new UserError(describe(error), { file, line, field: fieldOf(error) });
}

/** "/results/3/score" → "results[3].score"; a missing property names itself. */
function fieldOf(error: ErrorObject | undefined): string | undefined {
  if (!error) return undefined;
  const parts = error.instancePath.split('/').slice(1);
  if (error.keyword === 'required') parts.push(String(error.params.missingProperty));
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
    case 'const':
      return `must be ${JSON.stringify(error.params.allowedValue)}`;
    default:
      return error.message ?? 'is invalid';
  }
}
