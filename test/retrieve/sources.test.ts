import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresSourceConfig } from '../../src/config/types.js';
import { ServiceError, UserError } from '../../src/errors.js';
import { corpusSource } from '../../src/retrieve/providers/sources/corpus-source.js';
import { openSource } from '../../src/retrieve/providers/sources/open-source.js';
import { contentDigest } from '../../src/retrieve/providers/sources/records.js';
import type { Source, SourceRecord } from '../../src/retrieve/providers/sources/source.js';
import { closedPort } from '../helpers/ports.js';
import { describePostgres, freshDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The sources an index is audited against: a query on a real PostgreSQL (the run's throwaway cluster, see
 * test/setup/postgres.ts), a JSONL export and the dataset corpus. Each digest must be the one `index build`
 * stores: Node's sha256 of the text as UTF-8, non-ASCII text included.
 */

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const NOTES = [
  {
    id: 'a',
    content: 'Plain ASCII: adjust the brake cable.',
    updated: '2024-05-01T10:00:00Z',
    deleted: null,
  },
  {
    id: 'b',
    content: 'Grüße aus Köln — naïve café, 東京, 🚲 emoji',
    updated: '2024-05-02T11:30:00.250Z',
    deleted: null,
  },
  { id: 'c', content: 'a retired note', updated: '2024-05-03T08:00:00Z', deleted: '2024-05-04T09:00:00Z' },
  { id: 'd', content: '', updated: null, deleted: null },
  { id: 'e', content: 'line one\nline two\ttabbed', updated: '2024-05-05T00:00:00+02:00', deleted: null },
];

const expected = (note: (typeof NOTES)[number]): SourceRecord => ({
  id: note.id,
  digest: sha256(note.content),
  updatedAt: note.updated === null ? null : Date.parse(note.updated),
  deleted: note.deleted !== null,
});

/** Every page a source hands out, in order. */
async function pagesOf(source: Source): Promise<{ pages: SourceRecord[][]; rows: number }> {
  const pages: SourceRecord[][] = [];
  const { rows } = await source.records((page) => {
    pages.push(page);
  });
  return { pages, rows };
}

/** What a promise that should fail rejects with (a value it resolves with fails the instanceof checks). */
const failure = (promise: Promise<unknown>) => promise.catch((error: Error) => error) as Promise<Error>;

describe('the digest', () => {
  it('is the one index build stores with each vector', () => {
    for (const { content } of NOTES) expect(sha256(content)).toBe(contentDigest(content));
  });
});

describePostgres('a postgres source (a real server)', () => {
  const databaseUrl = freshDatabase();
  const sources: Source[] = [];
  let admin: pg.Client;

  const open = async (overrides: Partial<PostgresSourceConfig> = {}, env?: NodeJS.ProcessEnv) => {
    const config: PostgresSourceConfig = {
      alias: 'notes',
      kind: 'postgres',
      urlEnv: 'NOTES_DB_URL',
      query: 'select id, body as content, updated_at, deleted_at from notes order by id',
      pageSize: 5000,
      timeoutMs: 60_000,
      ...overrides,
    };
    const source = await openSource(config, {
      dir: tempDir(),
      env: env ?? { NOTES_DB_URL: databaseUrl() },
      file: 'audit.yaml',
    });
    sources.push(source);
    return source;
  };

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: databaseUrl() });
    await admin.connect();
    await admin.query(
      'CREATE TABLE notes (id text PRIMARY KEY, body text NOT NULL, updated_at timestamptz, deleted_at timestamptz)',
    );
    for (const note of NOTES) {
      await admin.query('INSERT INTO notes VALUES ($1, $2, $3, $4)', [
        note.id,
        note.content,
        note.updated,
        note.deleted,
      ]);
    }
  });

  afterAll(async () => {
    await Promise.all(sources.map((source) => source.close()));
    await admin?.end();
  });

  it("gives every row's id, Node's sha256 of its content, its change time and deleted flag", async () => {
    const source = await open();
    expect(source.description).toMatch(/^postgres:\/\/127\.0\.0\.1:\d+\/rg_\w+ \(sources\.notes\)$/);
    const { pages, rows } = await pagesOf(source);
    expect(rows).toBe(NOTES.length);
    expect(pages.flat()).toEqual(NOTES.map(expected));
  });

  it('pages through the cursor: pageSize 2 hands out every row once, over several FETCHes', async () => {
    const source = await open({ pageSize: 2 });
    const { pages, rows } = await pagesOf(source);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(rows).toBe(NOTES.length);
    expect(pages.flat().map((r) => r.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    // A count that is a multiple of the page size ends on an empty FETCH, and no empty page is handed out.
    const even = await open({
      pageSize: 3,
      query: "select n as id, 'doc ' || n as content from generate_series(1, 6) n",
    });
    const { pages: evenPages } = await pagesOf(even);
    expect(evenPages.map((page) => page.map((r) => r.id))).toEqual([
      ['1', '2', '3'],
      ['4', '5', '6'],
    ]);
    expect(evenPages[1]?.[2]?.digest).toBe(sha256('doc 6'));
  });

  it('reads one snapshot: rows another connection writes between pages are not seen', async () => {
    const source = await open({ pageSize: 2 });
    let visits = 0;
    const seen: SourceRecord[] = [];
    const { rows } = await source.records(async (page) => {
      seen.push(...page);
      if (++visits === 1) {
        // Committed before the next FETCH: a new row, a changed row and a deleted row, none visible to the read.
        await admin.query("INSERT INTO notes VALUES ('aa', 'inserted during the read', now(), NULL)");
        await admin.query("UPDATE notes SET body = 'changed during the read' WHERE id = 'e'");
        await admin.query("DELETE FROM notes WHERE id = 'd'");
      }
    });
    try {
      expect(rows).toBe(NOTES.length);
      expect(seen).toEqual(NOTES.map(expected));
      // A later read sees them.
      const after = (await pagesOf(source)).pages.flat();
      expect(after.map((r) => r.id)).toEqual(['a', 'aa', 'b', 'c', 'e']);
      expect(after.find((r) => r.id === 'e')?.digest).toBe(sha256('changed during the read'));
    } finally {
      await admin.query("DELETE FROM notes WHERE id = 'aa'");
      await admin.query("UPDATE notes SET body = $1 WHERE id = 'e'", [NOTES[4]?.content]);
      await admin.query("INSERT INTO notes VALUES ('d', '', NULL, NULL) ON CONFLICT DO NOTHING");
    }
  });

  it('reads the contents of ids, skipping soft-deleted and unknown ones', async () => {
    const source = await open({ pageSize: 2 });
    const contents = await source.contents(['b', 'c', 'e', 'a', 'nope']);
    expect(Object.fromEntries(contents)).toEqual({
      a: NOTES[0]?.content,
      b: NOTES[1]?.content,
      e: NOTES[4]?.content,
    });
    expect(await source.contents([])).toEqual(new Map());
  });

  it('takes ids of any type, no updated_at or deleted_at, a timestamp without zone as UTC, and a -- comment', async () => {
    const source = await open({
      query:
        "select n as id, 'doc ' || n as content, timestamp '2024-05-01 10:00:00' as updated_at from generate_series(1, 2) n -- two docs",
    });
    const { pages } = await pagesOf(source);
    expect(pages.flat()).toEqual([
      { id: '1', digest: sha256('doc 1'), updatedAt: Date.UTC(2024, 4, 1, 10), deleted: false },
      { id: '2', digest: sha256('doc 2'), updatedAt: Date.UTC(2024, 4, 1, 10), deleted: false },
    ]);
    expect(await source.contents(['2'])).toEqual(new Map([['2', 'doc 2']]));
  });

  it('refuses a query without id or content, naming the field and the columns it returns', async () => {
    const source = await open({ query: 'select id, updated_at from notes' });
    const error = await failure(pagesOf(source));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      "audit.yaml: field 'sources.notes.query': the query must return columns id and content (optionally updated_at and deleted_at); it returns id, updated_at",
    );
  });

  it.each([
    ['a missing table', 'select id, content from no_such_table', /relation "no_such_table" does not exist/],
    ['a syntax error', 'selec id, content from notes', /syntax error at or near/],
    ['a timestamp that is not one', "select id, body as content, 'soon' as updated_at from notes", /soon/],
  ])(
    'refuses %s as a UserError naming sources.<alias>.query and what PostgreSQL said',
    async (_, query, said) => {
      const source = await open({ query });
      const error = await failure(pagesOf(source));
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toMatch(
        /^audit\.yaml: field 'sources\.notes\.query': PostgreSQL at postgres:\/\/127\.0\.0\.1:\d+\/rg_\w+: /,
      );
      expect(error.message).toMatch(said);
      // The failed snapshot was rolled back: the same read fails the same way, not as an aborted transaction.
      expect((await failure(pagesOf(source))).message).toBe(error.message);
    },
  );

  it('refuses a row without an id, or a live row without content; a soft-deleted one may have none', async () => {
    for (const [query, message] of [
      ["select null::text as id, 'x' as content", /the query returns a row whose id is null/],
      ["select 'x' as id, null::text as content", /the query returns row 'x' with a null content/],
    ] as const) {
      const error = await failure(pagesOf(await open({ query })));
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toMatch(message);
    }
    const deleted = await open({ query: "select 'x' as id, null::text as content, now() as deleted_at" });
    expect((await pagesOf(deleted)).pages.flat()).toEqual([
      { id: 'x', digest: '', updatedAt: null, deleted: true },
    ]);
  });

  it('refuses duplicate ids, naming the id', async () => {
    const source = await open({
      pageSize: 2,
      query: "select id, body as content from notes union all select 'b', 'again'",
    });
    const error = await failure(pagesOf(source));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/field 'sources\.notes\.query': the query returns id 'b' twice/);
  });

  it('names the server and the variable when the connection is refused, never the password', async () => {
    const port = await closedPort();
    const error = await failure(
      open({}, { NOTES_DB_URL: `postgres://auditor:hunter2-s3cret@127.0.0.1:${port}/app` }),
    );
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).exitCode).toBe(2);
    expect(error.message).toBe(
      `PostgreSQL at postgres://127.0.0.1:${port}/app: connect: connection refused: check that the server runs and that NOTES_DB_URL names its host and port`,
    );
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses a variable that is not set, naming it', async () => {
    const error = await failure(open({}, {}));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(
      /field 'sources\.notes\.urlEnv': environment variable NOTES_DB_URL is not set/,
    );
  });
});

describe('a jsonl source', () => {
  const lines = NOTES.map((note) =>
    JSON.stringify({
      id: note.id,
      content: note.content,
      ...(note.updated === null ? {} : { updated_at: note.updated }),
      deleted_at: note.deleted,
    }),
  );

  const open = (text: string) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'export.jsonl'), text);
    return openSource({ alias: 'notes', kind: 'jsonl', path: 'export.jsonl' }, { dir, env: {} });
  };

  it('gives ids, digests equal to Node sha256, change times and deleted flags, and skips blank lines', async () => {
    const source = await open(`${lines.slice(0, 2).join('\n')}\n\n${lines.slice(2).join('\n')}\n`);
    expect(source.description).toBe('export.jsonl (sources.notes)');
    const { pages, rows } = await pagesOf(source);
    expect(rows).toBe(NOTES.length);
    expect(pages.flat()).toEqual(NOTES.map(expected));
    expect(Object.fromEntries(await source.contents(['a', 'b', 'c', 'x']))).toEqual({
      a: NOTES[0]?.content,
      b: NOTES[1]?.content,
    });
  });

  it('reads a time without a zone as UTC, and PostgreSQL text times', async () => {
    const source = await open(
      [
        '{"id":"1","content":"x","updated_at":"2024-05-01T10:00:00"}',
        '{"id":"2","content":"x","updated_at":"2024-05-01 12:00:00.123456+02"}',
        '{"id":"3","content":"x","updated_at":"2024-05-01"}',
      ].join('\n'),
    );
    const times = (await pagesOf(source)).pages.flat().map((r) => r.updatedAt);
    expect(times).toEqual([
      Date.UTC(2024, 4, 1, 10),
      Date.UTC(2024, 4, 1, 10, 0, 0, 123),
      Date.UTC(2024, 4, 1),
    ]);
  });

  it.each([
    ['malformed JSON', `${lines[0]}\n{"id": "b", "content": \n`, /export\.jsonl:2: /],
    [
      'a missing content',
      `${lines[0]}\n${lines[1]}\n{"id":"z"}\n`,
      /export\.jsonl:3: field 'content': is missing/,
    ],
    [
      'a time that is not ISO 8601',
      '{"id":"z","content":"x","updated_at":"last tuesday"}\n',
      /export\.jsonl:1: field 'updated_at': not an ISO 8601 time .*last tuesday/,
    ],
    [
      'a duplicate id',
      `${lines[0]}\n${lines[1]}\n${lines[0]}\n`,
      /export\.jsonl:3: field 'id': id 'a' is also on line 1/,
    ],
  ])('refuses %s, naming the file and line', async (_, text, message) => {
    const source = await open(text);
    const error = await failure(pagesOf(source));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(message);
  });
});

describe('the corpus as a source', () => {
  const documents = Array.from({ length: 12_001 }, (_, i) => ({
    id: `doc-${i}`,
    text: `Title ${i}\nständig ${i} ✓`,
  }));

  it("gives each document's digest of the text index build embeds, a page at a time, never deleted", async () => {
    const source = corpusSource(documents);
    const { pages, rows } = await pagesOf(source);
    expect(rows).toBe(documents.length);
    expect(pages.map((page) => page.length)).toEqual([5000, 5000, 2001]);
    expect(pages.flat()[7]).toEqual({
      id: 'doc-7',
      digest: contentDigest('Title 7\nständig 7 ✓'),
      updatedAt: null,
      deleted: false,
    });
    expect(await source.contents(['doc-3', 'missing'])).toEqual(new Map([['doc-3', 'Title 3\nständig 3 ✓']]));
  });

  it('refuses a duplicate id', async () => {
    const error = await failure(
      pagesOf(corpusSource([documents[0], documents[0]].filter((d) => d !== undefined))),
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/document id 'doc-0' appears twice/);
  });
});
