import { UserError } from '../../../errors.js';
import type { Distance, IndexVectorFacts } from '../../types.js';
import { ident, parseTableName, qualified, type TableName } from './sql.js';
import type { Row, SqlClient } from './sql-client.js';

/** The table (in the searched table's schema) where `index build` records what built each table. */
export const BUILD_RECORDS = 'retrieval_gate_builds';

/** The ANN index found on the vector column, with its parameters as pgvector reports them. */
export interface AnnIndexFacts {
  type: 'hnsw' | 'ivfflat';
  name: string;
  /** The distance its operator class serves: only a search with that operator can use it. */
  distance: Distance;
  /** hnsw: m, efConstruction; ivfflat: lists (pgvector's defaults when the index was made without them). */
  params: Record<string, number>;
  sizeBytes: number;
}

/** What the tool reads about a table before searching it: recorded in the run and checked for compatibility. */
export interface PgvectorTableFacts {
  where: string;
  /** The table searched: as configured (`name` or `schema.name`), or the one behind the configured view. */
  table: string;
  /** The view the config named, when it named one (an alias: `CREATE VIEW alias AS SELECT * FROM table`). */
  alias?: string;
  extensionVersion: string;
  dimensions: number;
  /** The ANN index's distance, else the build record's, else the configured one (nothing says otherwise). */
  distance: Distance;
  rows: number;
  /** Whether the id column is text (looked up as is) or another type (compared as text). */
  textIds: boolean;
  ann: AnnIndexFacts | null;
  /** The build record `index build` wrote (BuildMetadata, status, ann and build figures). */
  record?: Record<string, unknown>;
}

export interface TableSpec {
  table: string;
  idColumn: string;
  vectorColumn: string;
  distance: Distance;
}

const OPCLASS_DISTANCE: Record<string, Distance> = {
  vector_cosine_ops: 'cosine',
  vector_ip_ops: 'dot',
  vector_l2_ops: 'euclidean',
};

const ANN_DEFAULTS = { hnsw: { m: 16, efConstruction: 64 }, ivfflat: { lists: 100 } } as const;

/** "pgvector table docs (pglite .pgvector)": how messages and the compatibility check name a table. */
export function describeTable(table: string, where: string, alias?: string): string {
  return alias === undefined
    ? `pgvector table ${table} (${where})`
    : `pgvector table ${table} (alias ${alias}, ${where})`;
}

/**
 * What `SELECT * FROM target` leaves in a view's query tree (pg_rewrite.ev_action, one Query): one table in
 * FROM and no WHERE, grouping, DISTINCT, LIMIT/OFFSET or UNION, so the view shows every row of its table.
 */
const EVERY_ROW = [
  /:jointree \{FROMEXPR :fromlist \(\{RANGETBLREF :rtindex \d+\}\) :quals <>\}/,
  /:groupClause <>/,
  /:havingQual <>/,
  /:distinctClause <>/,
  /:limitOffset <>/,
  /:limitCount <>/,
  /:setOperations <>/,
];

/**
 * Resolves the configured name once, when the index opens: a table is itself; a view made as an alias
 * (`CREATE VIEW alias AS SELECT * FROM target`) is the table behind it, found through the view's rewrite
 * rule and its dependencies, not its SQL text. The table is then searched by name, so a view replaced
 * mid-run cannot mix two tables' results. Any other view is a UserError.
 */
export async function resolveTable(
  client: SqlClient,
  name: string,
): Promise<{ table: string; alias?: string }> {
  const view = qualified(parseTableName(name));
  const [rule] = await client.query(
    `look up ${name}`,
    `SELECT r.ev_action::text AS action FROM pg_class c JOIN pg_rewrite r ON r.ev_class = c.oid
      WHERE c.oid = to_regclass($1) AND c.relkind = 'v'`,
    [view],
  );
  if (!rule) return { table: name };
  const targets = await client.query(
    `read what view ${name} selects from`,
    `SELECT DISTINCT CASE WHEN n.nspname = current_schema() THEN c.relname ELSE n.nspname || '.' || c.relname END AS name,
            c.relkind AS kind, c.oid::regclass::text AS oid
       FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
       JOIN pg_class c ON c.oid = d.refobjid AND d.refclassid = 'pg_class'::regclass
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE r.ev_class = $1::regclass AND c.oid <> r.ev_class`,
    [view],
  );
  const [target] = targets;
  const action = String(rule.action);
  const plain =
    targets.length === 1 &&
    target !== undefined &&
    ['r', 'p'].includes(String(target.kind)) &&
    action.split('{QUERY').length === 2 &&
    EVERY_ROW.every((clause) => clause.test(action)) &&
    (await sameColumns(client, view, String(target.oid)));
  if (!plain) {
    throw new UserError(
      `${client.where}: ${name} is a view but not an alias of one table (CREATE VIEW ${name} AS SELECT * FROM <table>): ` +
        `it selects from ${targets.map((t) => String(t.name)).join(', ') || 'no table'}; set the index's table to a table`,
    );
  }
  return { table: String(target.name), alias: name };
}

/** Whether the view's columns are its table's, in order, with the same types (what `SELECT *` gives). */
export async function sameColumns(client: SqlClient, view: string, table: string): Promise<boolean> {
  const columns = (relation: number) =>
    `(SELECT array_agg(attname::text || ' ' || format_type(atttypid, atttypmod) ORDER BY attnum)
        FROM pg_attribute WHERE attrelid = $${relation}::regclass AND attnum > 0 AND NOT attisdropped)`;
  const [row] = await client.query(
    `compare the columns of ${view} and ${table}`,
    `SELECT ${columns(1)} = ${columns(2)} AS same`,
    [view, table],
  );
  return row?.same === true;
}

/** Reads the facts of a table; a missing extension, table or vector column is a UserError saying what exists. */
export async function readTableFacts(client: SqlClient, spec: TableSpec): Promise<PgvectorTableFacts> {
  const [extension] = await client.query(
    'look for the vector extension',
    "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
  );
  if (!extension) {
    throw new UserError(
      `${client.where} has no vector extension: run CREATE EXTENSION vector in that database (pgvector must be installed on the server)`,
    );
  }
  const { table, alias } = await resolveTable(client, spec.table);
  const name = parseTableName(table);
  const what = describeTable(table, client.where, alias);
  if (!(await tableExists(client, name))) {
    throw new UserError(`${client.where} has no table ${table}; ${await vectorTables(client)}`);
  }
  const columns = await client.query(
    `read the columns of ${table}`,
    `SELECT attname, format_type(atttypid, atttypmod) AS type, atttypmod AS typmod, attnum
       FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
    [qualified(name)],
  );
  const column = (col: string) => columns.find((c) => c.attname === col);
  const vector = column(spec.vectorColumn);
  const id = column(spec.idColumn);
  if (!vector || !String(vector.type).startsWith('vector(')) {
    const found = vector ? `is ${String(vector.type)}` : 'does not exist';
    throw new UserError(
      `${what}: column ${spec.vectorColumn} ${found}; the index's vectorColumn must be a vector(n) column`,
    );
  }
  if (!id) throw new UserError(`${what}: column ${spec.idColumn} (the index's idColumn) does not exist`);
  const ann = await annIndex(client, name, Number(vector.attnum), spec.distance);
  const record = await buildRecord(client, name);
  const [count] = await client.query(
    `count the rows of ${table}`,
    `SELECT count(*)::float8 AS n FROM ${qualified(name)}`,
  );
  const recorded = record?.distance as Distance | undefined;
  return {
    where: client.where,
    table,
    ...(alias === undefined ? {} : { alias }),
    extensionVersion: String(extension.extversion),
    dimensions: Number(vector.typmod),
    distance: ann?.distance ?? recorded ?? spec.distance,
    rows: Number(count?.n ?? 0),
    textIds: /^(text|character varying)/.test(String(id.type)),
    ann,
    ...(record === undefined ? {} : { record }),
  };
}

/** The facts the compatibility check compares with the system's model. */
export function tableVectorFacts(facts: PgvectorTableFacts): IndexVectorFacts {
  return {
    name: describeTable(facts.table, facts.where, facts.alias),
    size: facts.dimensions,
    distance: facts.distance,
    ...(facts.record ? { metadata: facts.record } : {}),
  };
}

export async function tableExists(client: SqlClient, table: TableName, name = table.name): Promise<boolean> {
  const [row] = await client.query('look up a table', 'SELECT to_regclass($1) IS NOT NULL AS found', [
    qualified(table, name),
  ]);
  return row?.found === true;
}

/** Tables listed in a message at most. */
const LISTED = 30;

/** "tables with a vector column: a, app.b" — for messages about a table that is not there. */
async function vectorTables(client: SqlClient): Promise<string> {
  const rows = await client.query(
    'list tables with vector columns',
    `SELECT DISTINCT CASE WHEN n.nspname = current_schema() THEN c.relname ELSE n.nspname || '.' || c.relname END AS name
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE a.atttypid = 'vector'::regtype AND c.relkind IN ('r', 'p') AND NOT a.attisdropped
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      ORDER BY 1`,
  );
  const names = rows.map((r) => String(r.name));
  if (names.length === 0) return 'it has no tables with a vector column (run `index build` to create one)';
  const more = names.length > LISTED ? ` and ${names.length - LISTED} more` : '';
  return `tables with a vector column: ${names.slice(0, LISTED).join(', ')}${more}`;
}

/** The HNSW or IVFFlat index on the vector column; of several, the one serving the configured distance. */
async function annIndex(
  client: SqlClient,
  table: TableName,
  attnum: number,
  distance: Distance,
): Promise<AnnIndexFacts | null> {
  const rows = await client.query(
    `read the indexes of ${table.name}`,
    `SELECT c.relname AS name, am.amname AS type, c.reloptions AS options, opc.opcname AS opclass,
            pg_relation_size(c.oid)::float8 AS size
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
       JOIN pg_opclass opc ON opc.oid = i.indclass[0]
      WHERE i.indrelid = $1::regclass AND i.indkey[0] = $2 AND am.amname IN ('hnsw', 'ivfflat')
      ORDER BY c.relname`,
    [qualified(table), attnum],
  );
  const found = rows.map((row) => annFacts(row)).filter((ann): ann is AnnIndexFacts => ann !== null);
  return found.find((ann) => ann.distance === distance) ?? found[0] ?? null;
}

function annFacts(row: Row): AnnIndexFacts | null {
  const distance = OPCLASS_DISTANCE[String(row.opclass)];
  if (distance === undefined) return null;
  const type = row.type === 'hnsw' ? 'hnsw' : 'ivfflat';
  const options = Object.fromEntries(
    ((row.options as string[] | null) ?? []).map((option) => {
      const [key = '', value = ''] = option.split('=');
      return [key === 'ef_construction' ? 'efConstruction' : key, Number(value)];
    }),
  );
  return {
    type,
    name: String(row.name),
    distance,
    params: { ...ANN_DEFAULTS[type], ...options },
    sizeBytes: Number(row.size),
  };
}

/** The row `index build` wrote for the table in BUILD_RECORDS beside it, if any. */
export async function buildRecord(
  client: SqlClient,
  table: TableName,
): Promise<Record<string, unknown> | undefined> {
  if (!(await tableExists(client, table, BUILD_RECORDS))) return undefined;
  const [row] = await client.query(
    `read the build record of ${table.name}`,
    `SELECT record FROM ${qualified(table, BUILD_RECORDS)} WHERE table_name = $1`,
    [table.name],
  );
  return row ? (row.record as Record<string, unknown>) : undefined;
}

/** Which of `docids` the table holds, for the compatibility check's "judged-relevant documents missing". */
export async function presentDocIds(
  client: SqlClient,
  facts: PgvectorTableFacts,
  idColumn: string,
  docids: readonly string[],
): Promise<Set<string>> {
  const id = facts.textIds ? ident(idColumn) : `${ident(idColumn)}::text`;
  const rows = await client.query(
    `look up documents in ${facts.table}`,
    `SELECT ${id} AS id FROM ${qualified(parseTableName(facts.table))} WHERE ${id} = ANY($1::text[])`,
    [[...new Set(docids)]],
  );
  return new Set(rows.map((row) => String(row.id)));
}
