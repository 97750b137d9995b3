import { performance } from 'node:perf_hooks';
import type { PgvectorAnnConfig } from '../../../config/types.js';
import type { Distance } from '../../types.js';
import { ident, OPERATOR_CLASS, parseTableName, qualified, vectorText } from './sql.js';
import type { SqlClient } from './sql-client.js';
import { BUILD_RECORDS, type TableSpec } from './table.js';

/**
 * The write side `index build` uses: tables this tool creates hold one row per document (id, vector,
 * content_sha256: the digest lets a resumed build skip unchanged documents), and BUILD_RECORDS (beside the
 * table) records which model built each table and whether its build finished.
 */

export const CONTENT_DIGEST_COLUMN = 'content_sha256';
/** The model that embedded the row ("provider model@version"): an audit finds rows of another model. */
export const EMBEDDED_WITH_COLUMN = 'embedded_with';

/** A document's vector and the digest of the text it was embedded from (the shape `index build` produces). */
export interface DocumentRow {
  docid: string;
  vector: Float32Array;
  contentSha256: string;
  embeddedWith?: string;
}

/** The extension, the table of `dimensions`-sized vectors and the build records' table, where missing. */
export async function createTable(client: SqlClient, spec: TableSpec, dimensions: number): Promise<void> {
  const table = parseTableName(spec.table);
  await client.script(
    `create table ${spec.table}`,
    [
      'CREATE EXTENSION IF NOT EXISTS vector',
      `CREATE TABLE IF NOT EXISTS ${qualified(table)} (${ident(spec.idColumn)} text PRIMARY KEY, ` +
        `${ident(spec.vectorColumn)} vector(${dimensions}) NOT NULL, ${CONTENT_DIGEST_COLUMN} text NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${qualified(table, BUILD_RECORDS)} (table_name text PRIMARY KEY, record jsonb NOT NULL)`,
      // Tables built before the column existed get it when a build resumes into them.
      `ALTER TABLE ${qualified(table)} ADD COLUMN IF NOT EXISTS ${EMBEDDED_WITH_COLUMN} text`,
    ].join(';\n'),
  );
}

/** Doc id → content digest of every row. */
export async function storedDigests(client: SqlClient, spec: TableSpec): Promise<Map<string, string>> {
  const rows = await client.query(
    `read the stored digests of ${spec.table}`,
    `SELECT ${ident(spec.idColumn)} AS id, ${CONTENT_DIGEST_COLUMN} AS digest FROM ${qualified(parseTableName(spec.table))}`,
  );
  return new Map(rows.map((row) => [String(row.id), String(row.digest)]));
}

/** One multi-row INSERT (one statement: all rows or none), replacing the rows of documents whose text changed. */
export async function insertRows(
  client: SqlClient,
  spec: TableSpec,
  rows: readonly DocumentRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const values = rows
    .map((_, i) => `($${4 * i + 1}, $${4 * i + 2}, $${4 * i + 3}, $${4 * i + 4})`)
    .join(', ');
  const vector = ident(spec.vectorColumn);
  const set = [vector, CONTENT_DIGEST_COLUMN, EMBEDDED_WITH_COLUMN].map((c) => `${c} = EXCLUDED.${c}`);
  await client.query(
    `insert ${rows.length} rows into ${spec.table}`,
    `INSERT INTO ${qualified(parseTableName(spec.table))} (${ident(spec.idColumn)}, ${vector}, ${CONTENT_DIGEST_COLUMN}, ${EMBEDDED_WITH_COLUMN}) ` +
      `VALUES ${values} ON CONFLICT (${ident(spec.idColumn)}) DO UPDATE SET ${set.join(', ')}`,
    rows.flatMap((row) => [row.docid, vectorText(row.vector), row.contentSha256, row.embeddedWith ?? null]),
  );
}

/** A row as an audit reads it (no vector): its id, and what its vector was made from. */
export interface ScannedRow {
  docid: string;
  /** '' when the table records no content digest. */
  digest: string;
  embeddedWith: string | null;
}

/**
 * Every row, a page at a time in id order, without vectors: keyset pagination (`WHERE id > last`), so each
 * page is one short statement whatever the table's size. Tables this tool did not build may lack the
 * digest and model columns: they read as '' and null.
 */
export async function scanRows(
  client: SqlClient,
  spec: TableSpec,
  visit: (page: ScannedRow[]) => void | Promise<void>,
  pageSize = 5000,
): Promise<void> {
  const table = qualified(parseTableName(spec.table));
  const columns = await client.query(
    `read the columns of ${spec.table}`,
    'SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped',
    [table],
  );
  const has = (name: string) => columns.some((c) => c.attname === name);
  const id = ident(spec.idColumn);
  const digest = has(CONTENT_DIGEST_COLUMN) ? CONTENT_DIGEST_COLUMN : "''";
  const model = has(EMBEDDED_WITH_COLUMN) ? EMBEDDED_WITH_COLUMN : 'NULL::text';
  const select = `SELECT ${id} AS id, ${id}::text AS docid, ${digest} AS digest, ${model} AS model FROM ${table}`;
  const order = `ORDER BY ${id} LIMIT ${pageSize}`;
  let last: unknown;
  for (;;) {
    const rows = await client.query(
      `read ${pageSize} rows of ${spec.table}`,
      last === undefined ? `${select} ${order}` : `${select} WHERE ${id} > $1 ${order}`,
      last === undefined ? [] : [last],
    );
    if (rows.length === 0) return;
    await visit(
      rows.map((row) => ({
        docid: String(row.docid),
        digest: String(row.digest ?? ''),
        embeddedWith: row.model === null || row.model === undefined ? null : String(row.model),
      })),
    );
    last = rows.at(-1)?.id;
    if (rows.length < pageSize) return;
  }
}

/** Deletes rows by id (one statement per chunk). */
export async function deleteRows(
  client: SqlClient,
  spec: TableSpec,
  docids: readonly string[],
  chunkSize = 5000,
): Promise<void> {
  const id = ident(spec.idColumn);
  for (let start = 0; start < docids.length; start += chunkSize) {
    const chunk = docids.slice(start, start + chunkSize);
    await client.query(
      `delete ${chunk.length} rows from ${spec.table}`,
      `DELETE FROM ${qualified(parseTableName(spec.table))} WHERE ${id}::text = ANY($1::text[])`,
      [chunk],
    );
  }
}

/** Replaces the table's build record. */
export async function writeBuildRecord(
  client: SqlClient,
  spec: TableSpec,
  record: Record<string, unknown>,
): Promise<void> {
  const table = parseTableName(spec.table);
  await client.query(
    `write the build record of ${spec.table}`,
    `INSERT INTO ${qualified(table, BUILD_RECORDS)} (table_name, record) VALUES ($1, $2::jsonb) ` +
      'ON CONFLICT (table_name) DO UPDATE SET record = EXCLUDED.record',
    [table.name, JSON.stringify(record)],
  );
}

/** What building the ANN index took. */
export interface AnnBuild {
  name: string;
  seconds: number;
  sizeBytes: number;
}

/**
 * (Re)creates the ANN index `ann` names on the vector column, under one name per table and type (a
 * previous one of that name is dropped first, so a changed parameter takes effect). `none` drops it.
 */
export async function createAnnIndex(
  client: SqlClient,
  spec: TableSpec,
  ann: PgvectorAnnConfig,
  distance: Distance,
): Promise<AnnBuild | null> {
  const table = parseTableName(spec.table);
  const drops = (['hnsw', 'ivfflat'] as const).map(
    (type) => `DROP INDEX IF EXISTS ${qualified(table, annIndexName(table.name, type))}`,
  );
  await client.script(`drop the ANN indexes of ${spec.table}`, drops.join(';\n'));
  if (ann.type === 'none') return null;
  const name = annIndexName(table.name, ann.type);
  const options =
    ann.type === 'hnsw' ? `m = ${ann.m}, ef_construction = ${ann.efConstruction}` : `lists = ${ann.lists}`;
  const began = performance.now();
  await client.query(
    `create the ${ann.type} index of ${spec.table}`,
    `CREATE INDEX ${ident(name)} ON ${qualified(table)} USING ${ann.type} (${ident(spec.vectorColumn)} ${OPERATOR_CLASS[distance]}) WITH (${options})`,
  );
  const seconds = (performance.now() - began) / 1000;
  const [size] = await client.query(
    'measure the ANN index',
    'SELECT pg_relation_size($1::regclass)::float8 AS n',
    [qualified(table, name)],
  );
  return { name, seconds, sizeBytes: Number(size?.n ?? 0) };
}

/** The table, its indexes and TOAST on disk, in bytes. */
export async function tableSizeBytes(client: SqlClient, spec: TableSpec): Promise<number> {
  const [size] = await client.query(
    'measure the table',
    'SELECT pg_total_relation_size($1::regclass)::float8 AS n',
    [qualified(parseTableName(spec.table))],
  );
  return Number(size?.n ?? 0);
}

function annIndexName(table: string, type: 'hnsw' | 'ivfflat'): string {
  return `${table}_${type}`;
}
