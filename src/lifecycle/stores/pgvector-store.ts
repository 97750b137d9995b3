import type { PgvectorIndexConfig } from '../../config/types.js';
import { UserError } from '../../errors.js';
import {
  ident,
  literal,
  OPERATOR_CLASS,
  parseTableName,
  qualified,
  type TableName,
} from '../../retrieve/providers/pgvector/sql.js';
import type { SqlClient } from '../../retrieve/providers/pgvector/sql-client.js';
import {
  BUILD_RECORDS,
  buildRecord,
  describeTable,
  resolveTable,
  sameColumns,
  tableExists,
} from '../../retrieve/providers/pgvector/table.js';
import {
  CONTENT_DIGEST_COLUMN,
  deleteRows,
  scanRows,
  storedDigests,
} from '../../retrieve/providers/pgvector/write.js';
import { pgvectorSyncTarget } from '../build-targets.js';
import type { BuildTarget } from '../index-build.js';
import type { IndexStore, Readiness, StoredPoint } from '../index-store.js';

/**
 * The table (beside each alias view, as BUILD_RECORDS sits beside a table) recording where every alias
 * points and where it pointed before its last switch: what a rollback reads, and a trail for people.
 */
export const ALIAS_RECORDS = 'retrieval_gate_aliases';

export type PgvectorStoreConfig = Pick<PgvectorIndexConfig, 'idColumn' | 'vectorColumn' | 'distance'>;

/**
 * A PostgreSQL database with pgvector as an IndexStore: tables are the indexes; an alias is a view made as
 * `CREATE VIEW alias AS SELECT * FROM table`, switched by replacing the view inside one transaction.
 */
export class PgvectorStore implements IndexStore {
  readonly kind = 'pgvector';
  readonly where: string;

  constructor(
    private readonly client: SqlClient,
    private readonly config: PgvectorStoreConfig,
  ) {
    this.where = client.where;
  }

  /** Every view outside the system schemas that is an alias of one table; other views are not aliases. */
  async aliases(): Promise<Map<string, string>> {
    const views = await this.client.query(
      'list views',
      `SELECT CASE WHEN n.nspname = current_schema() THEN c.relname ELSE n.nspname || '.' || c.relname END AS name
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'v' AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'`,
    );
    const pairs: [string, string][] = [];
    for (const view of views) {
      const resolved = await resolveTable(this.client, String(view.name)).catch((error: unknown) => {
        if (error instanceof UserError) return undefined;
        throw error;
      });
      if (resolved?.alias !== undefined) pairs.push([resolved.alias, resolved.table]);
    }
    return new Map(pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  async exists(index: string): Promise<boolean> {
    const [row] = await this.client.query(
      `look up table ${index}`,
      `SELECT EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass($1) AND relkind IN ('r', 'p')) AS found`,
      [qualified(parseTableName(index))],
    );
    return row?.found === true;
  }

  async buildRecord(index: string): Promise<Record<string, unknown> | null> {
    return (await buildRecord(this.client, parseTableName(index))) ?? null;
  }

  /** A table without the digest column (not built by this tool) gives '' digests: nothing to compare. */
  async storedDigests(index: string): Promise<Map<string, string>> {
    const table = await this.table(index);
    const [digests] = await this.client.query(
      `look for the ${CONTENT_DIGEST_COLUMN} column of ${index}`,
      `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2 AND NOT attisdropped) AS found`,
      [qualified(table), CONTENT_DIGEST_COLUMN],
    );
    if (digests?.found === true) return storedDigests(this.client, { ...this.config, table: index });
    const rows = await this.client.query(
      `read the document ids of ${index}`,
      `SELECT ${ident(this.config.idColumn)} AS id FROM ${qualified(table)}`,
    );
    return new Map(rows.map((row) => [String(row.id), '']));
  }

  /**
   * Rows, the ANN index on the vector column (of several, the one serving the configured distance) and
   * the build record. No ANN index is fine (searches scan the table exactly); an invalid one is not.
   */
  async readiness(index: string): Promise<Readiness> {
    const table = await this.table(index);
    const [count] = await this.client.query(
      `count the rows of ${index}`,
      `SELECT count(*)::float8 AS n FROM ${qualified(table)}`,
    );
    const [ann] = await this.client.query(
      `read the ANN index of ${index}`,
      `SELECT c.relname AS name, i.indisvalid AND i.indisready AS valid
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
         JOIN pg_opclass opc ON opc.oid = i.indclass[0]
        WHERE i.indrelid = $1::regclass AND a.attname = $2 AND am.amname IN ('hnsw', 'ivfflat')
        ORDER BY opc.opcname = $3 DESC, c.relname LIMIT 1`,
      [qualified(table), this.config.vectorColumn, OPERATOR_CLASS[this.config.distance]],
    );
    const annIndex = ann ? { name: String(ann.name), valid: ann.valid === true } : null;
    const record = await buildRecord(this.client, table);
    const what = describeTable(index, this.where);
    const problems: string[] = [];
    if (annIndex && !annIndex.valid) {
      problems.push(
        `${what}: its ANN index ${annIndex.name} is not valid and ready (a CREATE INDEX that failed or is still running): rebuild it with REINDEX INDEX ${annIndex.name}`,
      );
    }
    if (record?.status === 'building') {
      problems.push(`${what}: its build record says 'building' (its index build has not finished)`);
    }
    return { ready: problems.length === 0, count: Number(count?.n ?? 0), annIndex, problems };
  }

  /**
   * One script, so one transaction: the alias records' table where missing, the view replaced (or dropped
   * and made anew when the columns differ, e.g. vector(384) → vector(768): CREATE OR REPLACE VIEW cannot
   * change a column's type), and the alias's record upserted with the old target as `previous`.
   */
  async switchAlias(alias: string, to: string): Promise<void> {
    const view = parseTableName(alias);
    const target = parseTableName(to);
    if (!(await this.exists(to)))
      throw new UserError(`${this.where} has no table ${to} to point ${alias} at`);
    if (await this.exists(alias)) {
      throw new UserError(
        `${this.where}: ${alias} is a table, not an alias: an alias is a view (CREATE VIEW ${alias} AS SELECT * FROM <table>)`,
      );
    }
    // A view that is not an alias of one table is refused here (a UserError), never replaced.
    const current = await resolveTable(this.client, alias);
    const previous = current.alias === undefined ? undefined : current.table;
    const create = `VIEW ${qualified(view)} AS SELECT * FROM ${qualified(target)}`;
    const replace =
      previous === undefined
        ? [`CREATE ${create}`]
        : (await sameColumns(this.client, qualified(view), qualified(target)))
          ? [`CREATE OR REPLACE ${create}`]
          : [`DROP VIEW ${qualified(view)}`, `CREATE ${create}`];
    const records = qualified(view, ALIAS_RECORDS);
    await this.client.script(
      `point ${alias} at ${to}`,
      [
        `CREATE TABLE IF NOT EXISTS ${records} (alias text PRIMARY KEY, target text NOT NULL, previous text, switched_at timestamptz NOT NULL)`,
        ...replace,
        `INSERT INTO ${records} (alias, target, previous, switched_at) ` +
          `VALUES (${literal(view.name)}, ${literal(to)}, ${previous === undefined ? 'NULL' : literal(previous)}, now()) ` +
          'ON CONFLICT (alias) DO UPDATE SET target = EXCLUDED.target, previous = EXCLUDED.previous, switched_at = EXCLUDED.switched_at',
      ].join(';\n'),
    );
  }

  /** A row's point id is its id (as text). */
  async scanPoints(index: string, visit: (page: StoredPoint[]) => void | Promise<void>): Promise<void> {
    await this.table(index);
    await scanRows(this.client, { ...this.config, table: index }, (rows) =>
      visit(rows.map((row) => ({ pointId: row.docid, ...row }))),
    );
  }

  async deletePoints(index: string, pointIds: readonly StoredPoint['pointId'][]): Promise<void> {
    await deleteRows(this.client, { ...this.config, table: index }, pointIds.map(String));
  }

  syncTarget(index: string, options: { batchSize: number; parallel: number }): BuildTarget {
    return pgvectorSyncTarget({ client: this.client, index: { ...this.config, table: index }, ...options });
  }

  /** DROP TABLE without CASCADE: a table a view still selects from (an alias) is refused by PostgreSQL. */
  async drop(index: string): Promise<void> {
    const table = await this.table(index);
    const records = await tableExists(this.client, table, BUILD_RECORDS);
    await this.client.script(
      `drop table ${index}`,
      [
        `DROP TABLE ${qualified(table)}`,
        ...(records
          ? [`DELETE FROM ${qualified(table, BUILD_RECORDS)} WHERE table_name = ${literal(table.name)}`]
          : []),
      ].join(';\n'),
    );
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** The table's name, once it is known to be a table: a UserError otherwise. */
  private async table(index: string): Promise<TableName> {
    if (!(await this.exists(index))) throw new UserError(`${this.where} has no table ${index}`);
    return parseTableName(index);
  }
}
