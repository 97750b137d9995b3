import type { ServiceError } from '../../../errors.js';
import { redactor } from '../../transport/retry.js';
import { type Row, type SqlClient, SqlError, sqlError } from './sql-client.js';

export interface ServerOptions {
  /** The variable the URL came from: messages say what to check by its name, never by its value. */
  variable: string;
  /** Connections in the pool. */
  concurrency: number;
  /** Connecting, and each statement (on the server and, should it not answer, in the client). */
  timeoutMs: number;
}

/**
 * A PostgreSQL server through `pg` (loaded here, when an index is opened): a pool of `concurrency`
 * connections. The URL is a secret (it may hold a password): messages name the server by host, port and
 * database and the variable to check; the URL and its password are redacted from anything the driver says.
 */
export async function openServer(url: string, options: ServerOptions): Promise<SqlClient> {
  const { where, redact } = serverIdentity(url);
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    max: options.concurrency,
    connectionTimeoutMillis: options.timeoutMs,
    statement_timeout: options.timeoutMs,
    query_timeout: options.timeoutMs,
  });
  // An idle connection the server drops emits here; the next statement reconnects (or fails and says so).
  pool.on('error', () => {});
  const fail = (what: string, error: unknown) => serverFailure(where, what, error, redact, options);
  return {
    where,
    concurrency: options.concurrency,
    async query(what, sql, params = []) {
      try {
        return (await pool.query<Row>(sql, [...params])).rows;
      } catch (error) {
        throw fail(what, error);
      }
    },
    async script(what, sql) {
      try {
        const results = (await pool.query<Row>(sql)) as unknown as { rows: Row[] } | { rows: Row[] }[];
        return Array.isArray(results) ? results.map((r) => r.rows) : [results.rows];
      } catch (error) {
        throw fail(what, error);
      }
    },
    close: () => pool.end(),
  };
}

/** How messages name a server ("postgres://db:5432/app"), and what scrubs its URL and password from text. */
export function serverIdentity(url: string): { where: string; redact: (text: string) => string } {
  const parsed = new URL(url);
  const where = `postgres://${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  const redactUrl = redactor(url);
  const redactPassword = redactor(parsed.password === '' ? undefined : decodeURIComponent(parsed.password));
  return { where, redact: (text) => redactPassword(redactUrl(text)) };
}

/**
 * SQLSTATEs and driver errors that mean the connection, not the statement: each with what to check.
 * `owner` names whose timeoutMs to raise (an index's, by default).
 */
export function serverFailure(
  where: string,
  what: string,
  error: unknown,
  redact: (text: string) => string,
  {
    variable,
    timeoutMs,
    owner = 'index',
  }: Pick<ServerOptions, 'variable' | 'timeoutMs'> & { owner?: string },
): ServiceError {
  const { code, message } = error as { code?: string; message?: string };
  const advice = (problem: string, check: string) =>
    new SqlError(`PostgreSQL at ${where}: ${what}: ${problem}: ${check}`, code, error);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
    return advice(
      code === 'ENOTFOUND' ? 'no such host' : 'connection refused',
      `check that the server runs and that ${variable} names its host and port`,
    );
  }
  if (code === '28P01' || code === '28000') {
    return advice('authentication failed', `check the user and password in ${variable}`);
  }
  if (code === '3D000') return advice('no such database', `check the database name in ${variable}`);
  if (code === '57014' || /timeout|timed out/i.test(message ?? '')) {
    return advice(
      `no answer within ${timeoutMs} ms`,
      `raise the ${owner}'s timeoutMs, or check the server's load and the network`,
    );
  }
  return sqlError(`PostgreSQL at ${where}`, what, error, redact);
}
