import { ServiceError } from '../../../errors.js';

export type Row = Record<string, unknown>;

/**
 * The little the pgvector index needs of a database, the same for the embedded PGlite and a server through
 * `pg`: parameterised statements, scripts of several statements in one round trip, and closing. Every
 * failure is a SqlError naming where the database is (never its credentials) and what was being done.
 */
export interface SqlClient {
  /** Where the database lives, without credentials: "pglite .pgvector" or "postgres://db:5432/app". */
  readonly where: string;
  /** Statements the database runs at once: the pool's connections (1 for PGlite, which runs in process). */
  readonly concurrency: number;
  /** The database runs on this thread (PGlite's WebAssembly), not behind a connection. */
  readonly inProcess?: boolean;
  /** One statement with $1… parameters; `what` names it in messages ("read table docs"). */
  query(what: string, sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /**
   * Statements separated by semicolons, sent as one simple query: PostgreSQL runs them as one implicit
   * transaction (a `SET LOCAL` holds for the rest, an error rolls all back). Rows per statement.
   */
  script(what: string, sql: string): Promise<Row[][]>;
  close(): Promise<void>;
}

/** A statement the database refused or could not finish (exit 2): `code` is its SQLSTATE when it gave one. */
export class SqlError extends ServiceError {
  override readonly name: string = 'SqlError';

  constructor(
    message: string,
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

/** A driver's error as a SqlError: "<where>: <what> failed: <message>", with the SQLSTATE kept. */
export function sqlError(
  where: string,
  what: string,
  error: unknown,
  redact: (text: string) => string,
): SqlError {
  const code = (error as { code?: unknown }).code;
  const message = redact(error instanceof Error ? error.message : String(error));
  return new SqlError(
    `${where}: ${what} failed: ${message}`,
    typeof code === 'string' ? code : undefined,
    error,
  );
}
