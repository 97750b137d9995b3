import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { UserError } from '../../src/errors.js';
import { tempDir } from '../helpers/tmp.js';

const SECRET = 'postgres://auditor:pg-secret-4321@db.internal:5432/app';

/** A config whose `sources:` holds one entry, `notes`, written from `source`'s lines (its first on line 4). */
function load(source: string | undefined, env: NodeJS.ProcessEnv = {}) {
  const file = join(tempDir(), 'retrieval-gate.yaml');
  const sources = source === undefined ? '' : `sources:\n  notes:\n${source.replace(/^/gm, '    ')}\n`;
  writeFileSync(
    file,
    `dataset: bike-repair@1.0.0\n${sources}indexes:\n  lex: { kind: bm25 }\nsystems:\n  - { id: lex, index: lex }\n`,
  );
  return loadConfig(file, env);
}

describe('sources: in the run config', () => {
  it('is empty without the section', () => {
    const config = load(undefined);
    expect(config.sources).toEqual([]);
  });

  it('fills a postgres source’s defaults (5000 rows a page, 30 s) and drops a closing semicolon', () => {
    const config = load('kind: postgres\nurlEnv: NOTES_URL\nquery: "select id, content from notes;  "', {
      NOTES_URL: SECRET,
    });
    expect(config.sources).toEqual([
      {
        alias: 'notes',
        kind: 'postgres',
        urlEnv: 'NOTES_URL',
        query: 'select id, content from notes',
        pageSize: 5000,
        timeoutMs: 30_000,
      },
    ]);
  });

  it('keeps a jsonl source’s path as written (relative to the config file’s folder)', () => {
    const config = load('kind: jsonl\npath: exports/notes.jsonl');
    expect(config.sources).toEqual([{ alias: 'notes', kind: 'jsonl', path: 'exports/notes.jsonl' }]);
  });

  it.each([
    [
      'kind: postgres\nurlEnv: NOT_SET\nquery: select 1',
      /:5: field 'sources\.notes\.urlEnv': environment variable NOT_SET is not set/,
    ],
    [
      'kind: postgres\nurlEnv: BAD_URL\nquery: select 1',
      /:5: field 'sources\.notes\.urlEnv': environment variable BAD_URL does not hold a postgres/,
    ],
    ['kind: postgres\nurlEnv: NOTES_URL', /:4: field 'sources\.notes\.query': is missing/],
    [
      'kind: postgres\nurlEnv: NOTES_URL\nquery: "  "',
      /:6: field 'sources\.notes\.query': must not be empty/,
    ],
    [
      'kind: postgres\nurlEnv: NOTES_URL\nquery: q\npageSize: 0',
      /:7: field 'sources\.notes\.pageSize': .*>= 1/,
    ],
    ['kind: postgres\nurlEnv: NOTES_URL\nquery: q\nurl: x', /field 'sources\.notes': unknown field 'url'/],
    ['kind: jsonl', /:4: field 'sources\.notes\.path': is missing/],
    ['kind: mysql', /:4: field 'sources\.notes\.kind': unknown kind "mysql"/],
  ])('refuses %j, naming the file, line and field', (source, message) => {
    const env = { NOTES_URL: SECRET, BAD_URL: 'mysql://db/app' };
    expect(() => load(source, env)).toThrow(UserError);
    expect(() => load(source, env)).toThrow(message);
  });
});
