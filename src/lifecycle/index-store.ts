import type { BuildTarget } from './index-build.js';

/**
 * A vector store as the migration workflow sees it (a Qdrant server, a PostgreSQL database with pgvector):
 * its concrete indexes (collections, tables), the aliases that name them (Qdrant aliases, views made as
 * `CREATE VIEW alias AS SELECT * FROM table`), and the few writes a cutover needs. The review, cutover,
 * rollback, status and cleanup logic is written once against this; each kind implements it in
 * `lifecycle/stores/`.
 */
export interface IndexStore {
  readonly kind: 'qdrant' | 'pgvector';
  /** Where the store lives, without credentials: "http://127.0.0.1:6333", "pglite .pgvector". */
  readonly where: string;
  /** Alias → the concrete index it names, sorted by alias. */
  aliases(): Promise<Map<string, string>>;
  /** Whether a concrete index (not an alias) of this name exists. */
  exists(index: string): Promise<boolean>;
  /** The build record `index build` wrote with the index (model, dataset, status, build figures), if any. */
  buildRecord(index: string): Promise<Record<string, unknown> | null>;
  /** Doc id → digest of the text its vector was embedded from ('' when the index does not record it). */
  storedDigests(index: string): Promise<Map<string, string>>;
  /** Whether the index is ready to serve, with what was checked. */
  readiness(index: string): Promise<Readiness>;
  /**
   * Points `alias` at `to` in one atomic change (Qdrant: one update_aliases request with delete + create;
   * pgvector: the view replaced inside one transaction, with the target recorded in its metadata table).
   * Throws when the change failed or its answer was lost: the caller reads the alias back to learn where
   * it ended.
   */
  switchAlias(alias: string, to: string): Promise<void>;
  /** Every point (row), a page at a time, without vectors: what an audit compares with the source. */
  scanPoints(index: string, visit: (page: StoredPoint[]) => void | Promise<void>): Promise<void>;
  /** Deletes points by their pointId (a sync removing orphaned and foreign points). */
  deletePoints(index: string, pointIds: readonly StoredPoint['pointId'][]): Promise<void>;
  /** Where `index sync` writes re-embedded points into an existing index (the build's write path). */
  syncTarget(index: string, options: { batchSize: number; parallel: number }): BuildTarget;
  /** Deletes a concrete index (collection, table and its build record). */
  drop(index: string): Promise<void>;
  close(): Promise<void>;
}

/** A point as an audit reads it: what it holds and what its vector was made from. */
export interface StoredPoint {
  /** How the store addresses it: a Qdrant point id, a pgvector row's id. */
  pointId: string | number;
  docid: string;
  /** Digest of the text embedded; '' when the point records none. */
  digest: string;
  /** modelStamp of the model that embedded it; null when the point records none. */
  embeddedWith: string | null;
}

/** What readiness checked, as figures a reviewer can read. */
export interface Readiness {
  ready: boolean;
  /** Qdrant: the collection's status (green when optimisation and indexing are done). */
  status?: string;
  /** Points (Qdrant `count` with `exact: true`) or rows (pgvector `count(*)`). */
  count: number;
  /** pgvector: the ANN index on the vector column, and whether PostgreSQL marks it valid and ready. */
  annIndex?: { name: string; valid: boolean } | null;
  /** Why it is not ready, in words; empty when ready. */
  problems: string[];
}
