import type { Distance } from '../../types.js';

/** A table named `name` or `schema.name` (schema absent: the connection's search_path decides). */
export interface TableName {
  schema?: string;
  name: string;
}

export function parseTableName(table: string): TableName {
  const dot = table.indexOf('.');
  return dot < 0 ? { name: table } : { schema: table.slice(0, dot), name: table.slice(dot + 1) };
}

/** `"schema"."name"`: identifiers quoted (the config's pattern allows no quotes in them). */
export function qualified(table: TableName, name = table.name): string {
  return table.schema === undefined ? ident(name) : `${ident(table.schema)}.${ident(name)}`;
}

export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal, for the few values (numbers formatted by us, names) that go into scripts. */
export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * A vector as pgvector's text form. A float32's shortest decimal form parses back to the same float32,
 * so the database searches exactly the vector the query was embedded as.
 */
export function vectorText(vector: Float32Array | readonly number[]): string {
  return `[${Array.from(vector).join(',')}]`;
}

/** The operator pgvector orders by for each distance, and its operator class for indexes. */
export const OPERATOR: Record<Distance, '<=>' | '<#>' | '<->'> = {
  cosine: '<=>',
  dot: '<#>',
  euclidean: '<->',
};

export const OPERATOR_CLASS: Record<Distance, string> = {
  cosine: 'vector_cosine_ops',
  dot: 'vector_ip_ops',
  euclidean: 'vector_l2_ops',
};

/**
 * Higher-is-better scores from what the operator answers: cosine similarity 1 − d, the inner product
 * −(<#>) (pgvector answers its negation), and the negated Euclidean distance (as the Qdrant adapter does).
 */
export function scoreOf(distance: Distance, answered: number): number {
  return distance === 'cosine' ? 1 - answered : -answered;
}
