import type { QueryResult } from 'pg';
import type { PostgresSourceConfig } from '../../../config/types.js';
import { type InputLocation, type ToolError, UserError } from '../../../errors.js';
import { serverFailure, serverIdentity } from '../pgvector/server.js';
import type { Source, SourceRecord } from './source.js';

export interface PostgresSourceOptions {
  env: NodeJS.ProcessEnv;
  /** The configuration file, for messages about the query. */
  file?: string;
}

/** The optional columns the query returns, found by asking for its columns (LIMIT 0). */
interface QueryShape {
  updatedAt: boolean;
  deletedAt: boolean;
}

const CURSOR = 'retrieval_gate_source';

/**
 * SQLSTATE classes that mean the query itself is wrong (syntax, unknown table or column, permission, a bad
 * cast): the user fixes `sources.<alias>.query`. Anything else is the server's or the connection's.
 */
const QUERY_FAULT = /^(42|22|21|0A)/;

/**
 * The rows of a query on a PostgreSQL server, through one dedicated connection of `pg`. records() reads
 * them from one snapshot (a read-only repeatable-read transaction, a server-side cursor a page at a time)
 * and has the server compute each digest, so content never crosses the wire for an audit; contents()
 * reads the content of a few ids. The URL is a secret: messages name the server by host, port and
 * database and the variable to check (serverIdentity, serverFailure).
 */
export async function openPostgresSource(
  config: PostgresSourceConfig,
  options: PostgresSourceOptions,
): Promise<Source> {
  const url = options.env[config.urlEnv];
  const field = `sources.${config.alias}`;
  if (!url) {
    throw new UserError(`environment variable ${config.urlEnv} is not set (the source's PostgreSQL URL)`, {
      file: options.file,
      field: `${field}.urlEnv`,
    });
  }
  const { where, redact } = serverIdentity(url);
  // What the user fixes when the rows are wrong: the query.
  const query: InputLocation = { file: options.file, field: `${field}.query` };
  const fail = (what: string, error: unknown): ToolError => {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && QUERY_FAULT.test(code)) {
      return new UserError(`PostgreSQL at ${where}: ${what}: ${redact(String(message))}`, query, error);
    }
    const context = { variable: config.urlEnv, timeoutMs: config.timeoutMs, owner: 'source' };
    return serverFailure(where, what, error, redact, context);
  };
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: config.timeoutMs,
    statement_timeout: config.timeoutMs,
    query_timeout: config.timeoutMs,
    application_name: 'retrieval-gate',
  });
  // A connection the server drops emits here; the next statement fails and says so.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw fail('connect', error);
  }
  const run = async (what: string, sql: string, params?: unknown[]): Promise<QueryResult> => {
    try {
      return await client.query(sql, params);
    } catch (error) {
      throw fail(what, error);
    }
  };
  // On lines of its own: a query ending in a -- comment would otherwise comment out the closing parenthesis.
  const from = `FROM (\n${config.query}\n) AS source`;
  const shapeOf = () => queryShape(run, from, query);

  return {
    description: `${where} (${field})`,
    async records(visit) {
      await run('begin the snapshot', 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        // A timestamp without a zone is read as UTC, whatever the server's or the role's default.
        await run('set the time zone', "SET LOCAL TIME ZONE 'UTC'");
        await run(
          'open a cursor over the query',
          `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${digestSql(await shapeOf(), from)}`,
        );
        const seen = new Set<string>();
        let rows = 0;
        for (;;) {
          const page = (await run('read the query', `FETCH ${config.pageSize} FROM ${CURSOR}`)).rows.map(
            (row) => sourceRecord(row, query),
          );
          for (const { id } of page) {
            if (seen.has(id)) {
              throw new UserError(`the query returns id '${id}' twice: ids must be unique`, query);
            }
            seen.add(id);
          }
          rows += page.length;
          if (page.length > 0) await visit(page);
          if (page.length < config.pageSize) break;
        }
        await run('end the snapshot', 'COMMIT');
        return { rows };
      } catch (error) {
        // The transaction is over either way; a connection that is gone has nothing to roll back.
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },
    async contents(ids) {
      const live = (await shapeOf()).deletedAt ? ' AND deleted_at IS NULL' : '';
      const sql = `SELECT id::text AS id, content::text AS content ${from} WHERE id::text = ANY($1::text[])${live}`;
      const found = new Map<string, string>();
      for (let start = 0; start < ids.length; start += config.pageSize) {
        const { rows } = await run('read contents', sql, [ids.slice(start, start + config.pageSize)]);
        for (const row of rows) if (row.content !== null) found.set(row.id, row.content);
      }
      return found;
    },
    close: () => client.end(),
  };
}

/** The query's columns: `id` and `content` are required, `updated_at` and `deleted_at` optional. */
async function queryShape(
  run: (what: string, sql: string) => Promise<QueryResult>,
  from: string,
  query: InputLocation,
): Promise<QueryShape> {
  const names = (await run('read the query', `SELECT * ${from} LIMIT 0`)).fields.map((f) => f.name);
  if (!names.includes('id') || !names.includes('content')) {
    throw new UserError(
      `the query must return columns id and content (optionally updated_at and deleted_at); it returns ${names.join(', ') || 'no columns'}`,
      query,
    );
  }
  return { updatedAt: names.includes('updated_at'), deletedAt: names.includes('deleted_at') };
}

/** Ids, digests computed by the server (sha256 of the content as UTF-8), change times in ms, deleted flags. */
function digestSql(shape: QueryShape, from: string): string {
  const columns = [
    'id::text AS id',
    "encode(sha256(convert_to(content::text, 'UTF8')), 'hex') AS digest",
    ...(shape.updatedAt
      ? ['floor(extract(epoch FROM updated_at::timestamptz) * 1000)::float8 AS updated_at']
      : []),
    ...(shape.deletedAt ? ['deleted_at IS NOT NULL AS deleted'] : []),
  ];
  return `SELECT ${columns.join(', ')} ${from}`;
}

/** A row of digestSql as a record; a row without an id, or a live row without content, is the query's fault. */
function sourceRecord(row: Record<string, unknown>, query: InputLocation): SourceRecord {
  const { id, digest, updated_at: updatedAt = null, deleted = false } = row;
  if (typeof id !== 'string') throw new UserError('the query returns a row whose id is null', query);
  if (typeof digest !== 'string' && deleted !== true) {
    throw new UserError(`the query returns row '${id}' with a null content`, query);
  }
  return {
    id,
    digest: typeof digest === 'string' ? digest : '',
    updatedAt: updatedAt as number | null,
    deleted: deleted === true,
  };
}
