import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { AJV_OPTIONS, shippedSchemas } from '../src/schemas.js';

describe('the shipped JSON Schemas', () => {
  // The tool registers them without checking them against the meta-schema (a third of a small command's
  // time): this is where that check is made, for every one.
  it('are valid against the JSON Schema meta-schema and compile under the strict options', () => {
    const ajv = new Ajv({ ...AJV_OPTIONS, validateSchema: true });
    const schemas = shippedSchemas() as { $id: string }[];
    expect(schemas.length).toBeGreaterThan(20);
    for (const schema of schemas) expect(() => ajv.addSchema(schema)).not.toThrow();
    for (const { $id } of schemas) expect(ajv.getSchema($id), $id).toBeDefined();
  });

  it('refuses a schema the meta-schema refuses (the check can fail)', () => {
    const ajv = new Ajv({ ...AJV_OPTIONS, validateSchema: true });
    expect(() => ajv.addSchema({ $id: 'https://example.test/bad.json', type: 5 })).toThrow(
      /schema is invalid/,
    );
  });
});
