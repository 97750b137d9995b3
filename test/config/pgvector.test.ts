import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { UserError } from '../../src/errors.js';
import { tempDir } from '../helpers/tmp.js';

const SECRET = 'postgres://app:pg-secret-1234@db.internal:5432/app';

function load(index: string, env: NodeJS.ProcessEnv = {}) {
  const file = join(tempDir(), 'retrieval-gate.yaml');
  writeFileSync(
    file,
    `dataset: bike-repair@1.0.0
models:
  small: { provider: hashing, dimensions: 64 }
indexes:
  docs:
${index
  .split('\n')
  .map((line) => `    ${line}`)
  .join('\n')}
systems:
  - { id: pg, model: small, index: docs }
`,
  );
  try {
    return loadConfig(file, env);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return error;
  }
}

describe('kind: pgvector in the run config', () => {
  it('fills the defaults: cosine, HNSW m 16 / ef_construction 64 for index build, batches of 16 over 4 connections', () => {
    const config = load('kind: pgvector\ntable: docs\ndataDir: .pgvector');
    expect(config).not.toBeInstanceOf(Error);
    expect(!(config instanceof Error) && config.indexes[0]).toEqual({
      alias: 'docs',
      kind: 'pgvector',
      table: 'docs',
      dataDir: '.pgvector',
      idColumn: 'id',
      vectorColumn: 'embedding',
      distance: 'cosine',
      exact: false,
      forceIndex: false,
      batchSize: 16,
      concurrency: 4,
      timeoutMs: 30_000,
      ann: { type: 'hnsw', m: 16, efConstruction: 64 },
    });
    const ivf = load('kind: pgvector\ntable: app.docs\nurlEnv: PG_URL\nann: { type: ivfflat }\nprobes: 4', {
      PG_URL: SECRET,
    });
    expect(!(ivf instanceof Error) && ivf.indexes[0]).toMatchObject({
      ann: { type: 'ivfflat', lists: 100 },
      probes: 4,
    });
  });

  it.each([
    ['kind: pgvector\ntable: docs', /:6: field 'indexes.docs': set urlEnv .* or dataDir .*/],
    [
      'kind: pgvector\ntable: docs\nurlEnv: PG_URL\ndataDir: db',
      /:9: field 'indexes.docs.dataDir': set urlEnv .*, not both/,
    ],
    [
      'kind: pgvector\ntable: docs\nurlEnv: NOT_SET',
      /:8: field 'indexes.docs.urlEnv': environment variable NOT_SET is not set/,
    ],
    [
      'kind: pgvector\ntable: docs\nurlEnv: BAD_URL',
      /field 'indexes.docs.urlEnv': environment variable BAD_URL does not hold a postgres/,
    ],
    ['kind: pgvector\ndataDir: db', /:6: field 'indexes.docs.table': is missing/],
    [
      'kind: pgvector\ntable: docs\ndataDir: db\nann: { type: hnsw, m: 1 }',
      /:9: field 'indexes.docs.ann.m': .*>= 2/,
    ],
    ['kind: pgvector\ntable: docs\ndataDir: db\nann: { type: ivfflat, m: 4 }', /indexes.docs.ann/],
    ['kind: pgvector\ntable: "docs; drop"\ndataDir: db', /field 'indexes.docs.table'/],
  ])('refuses %j naming the line and field, exit 2', (index, message) => {
    const error = load(index, { PG_URL: SECRET, BAD_URL: 'mysql://x' });
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('pg-secret');
  });
});
