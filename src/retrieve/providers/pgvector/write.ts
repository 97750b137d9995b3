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

/** A document's vector and the digest of the text it was embedded from (the shape `index build` produces). */
export interface DocumentRow {
  docid: string;
  vector: Float32Array;
  contentSha256: string;
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
  const values = rows.map((_, i) => `($${3 * i + 1}, $${3 * i + 2}, $${3 * i + 3})`).join(', ');
  const vector = ident(spec.vectorColumn);
  await client.query(
    `insert ${rows.length} rows into ${spec.table}`,
    `INSERT INTO ${qualified(parseTableName(spec.table))} (${ident(spec.idColumn)}, ${vector}, ${CONTENT_DIGEST_COLUMN}) ` +
      `VALUES ${values} ON CONFLICT (${ident(spec.idColumn)}) DO UPDATE SET ${vector} = EXCLUDED.${vector}, ` +
      `${CONTENT_DIGEST_COLUMN} = EXCLUDED.${CONTENT_DIGEST_COLUMN}`,
    rows.flatMap((row) => [row.docid, vectorText(row.vector), row.contentSha256]),
  );
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
