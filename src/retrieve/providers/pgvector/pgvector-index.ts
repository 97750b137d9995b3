import type { PgvectorIndexConfig } from '../../../config/types.js';
import { UserError } from '../../../errors.js';
import { InFlightLimit } from '../../transport/in-flight.js';
import type { Hit, Index, QueryInput } from '../../types.js';
import { type DatabaseOptions, openDatabase } from './database.js';
import { ident, OPERATOR, parseTableName, qualified, scoreOf, vectorText } from './sql.js';
import type { SqlClient } from './sql-client.js';
import { type PgvectorTableFacts, presentDocIds, readTableFacts } from './table.js';

export type PgvectorSearchConfig = Pick<
  PgvectorIndexConfig,
  | 'table'
  | 'idColumn'
  | 'vectorColumn'
  | 'distance'
  | 'exact'
  | 'forceIndex'
  | 'efSearch'
  | 'probes'
  | 'batchSize'
>;

/**
 * Rounds of untimed searches of the first batch before the measured ones: on the example's table 1–3 rounds
 * left the first system 3× slower than the next (PGlite's code not yet optimised), 6–10 did not.
 */
const WARM_UP_ROUNDS = 8;

/** Settings that keep the planner off every index: the table's exact answer, by a full scan and sort. */
const INDEX_SCANS_OFF = ['enable_indexscan', 'enable_bitmapscan', 'enable_indexonlyscan'];

/**
 * A pgvector table searched with the operator of its distance. One `search` call is one script of
 * `batchSize` queries run as one transaction: `SET LOCAL` of hnsw.ef_search / ivfflat.probes (or index
 * scans off, for `exact`), then one ordered SELECT per query; at most the database's concurrency (the
 * pool's connections) in flight. Equal distances rank by id, descending in byte order, as trec_eval does.
 */
export class PgvectorIndex implements Index {
  readonly needsVectors = true;
  readonly resolved: string;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly inProcess: boolean;
  readonly facts: PgvectorTableFacts;
  /** The exact answer from the same table: only when an ANN index answers `search`. */
  readonly searchExact?: (queries: QueryInput[], k: number) => Promise<Hit[][]>;

  private readonly limit: InFlightLimit;
  private readonly select: (vector: string, k: number) => string;
  private readonly settings: string[];

  private constructor(
    private readonly client: SqlClient,
    facts: PgvectorTableFacts,
    private readonly config: PgvectorSearchConfig,
  ) {
    this.facts = facts;
    // The table behind a view, named so: a view replaced during the run changes nothing searched here.
    this.resolved = `${facts.table}@${client.where}${facts.alias === undefined ? '' : ` (alias ${facts.alias})`}`;
    this.batchSize = config.batchSize;
    this.concurrency = client.concurrency;
    this.inProcess = client.inProcess === true;
    this.limit = new InFlightLimit(client.concurrency);
    const operator = OPERATOR[config.distance];
    const id = ident(config.idColumn);
    const table = qualified(parseTableName(facts.table));
    this.select = (vector, k) =>
      `SELECT ${id}::text AS id, ${ident(config.vectorColumn)} ${operator} ${vector} AS distance FROM ${table} ` +
      `ORDER BY ${ident(config.vectorColumn)} ${operator} ${vector}, ${id}::text COLLATE "C" DESC LIMIT ${k}`;
    this.settings = [
      // The planner prefers a scan and sort on small tables, which would measure the table, not the index.
      ...(config.forceIndex && facts.ann !== null ? ['SET LOCAL enable_seqscan = off'] : []),
      ...(config.efSearch === undefined ? [] : [`SET LOCAL hnsw.ef_search = ${config.efSearch}`]),
      ...(config.probes === undefined ? [] : [`SET LOCAL ivfflat.probes = ${config.probes}`]),
    ];
    if (!config.exact && facts.ann !== null) this.searchExact = (queries, k) => this.run(queries, k, true);
  }

  /** Opens the database, resolves a view to its table and reads the table's facts (a UserError when the extension or table is missing). */
  static async open(config: PgvectorIndexConfig, options: DatabaseOptions): Promise<PgvectorIndex> {
    const client = await openDatabase(config, options);
    try {
      return await PgvectorIndex.over(client, config);
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  /** The index over a database already open; closing the index closes the client. */
  static async over(client: SqlClient, config: PgvectorSearchConfig): Promise<PgvectorIndex> {
    return new PgvectorIndex(client, await readTableFacts(client, config), config);
  }

  search(queries: QueryInput[], k: number): Promise<Hit[][]> {
    return this.run(queries, k, this.config.exact);
  }

  /** Which of `docids` the table holds (the compatibility check's missing relevant documents). */
  presentDocIds(docids: readonly string[]): Promise<Set<string>> {
    return presentDocIds(this.client, this.facts, this.config.idColumn, docids);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** Untimed searches of the given queries, each way (Index.warmUp): a server's pool and plans warm up too. */
  async warmUp(queries: QueryInput[], k: number): Promise<void> {
    for (let round = 0; round < WARM_UP_ROUNDS; round++) {
      await this.search(queries, k);
      await this.searchExact?.(queries, k);
    }
  }

  private async run(queries: QueryInput[], k: number, exact: boolean): Promise<Hit[][]> {
    if (queries.length === 0) return [];
    const settings = exact ? INDEX_SCANS_OFF.map((name) => `SET LOCAL ${name} = off`) : this.settings;
    const selects = queries.map((query) => this.select(`'${vectorText(this.vectorOf(query))}'`, k));
    const results = await this.limit.run(() =>
      this.client.script(
        `${exact ? 'exact ' : ''}search of ${queries.length} queries on ${this.facts.table}`,
        [...settings, ...selects].join(';\n'),
      ),
    );
    return results.slice(settings.length).map((rows) =>
      rows.map((row) => ({
        docid: String(row.id),
        score: scoreOf(this.config.distance, Number(row.distance)),
      })),
    );
  }

  private vectorOf(query: QueryInput): Float32Array {
    const { vector } = query;
    if (!vector) throw new Error(`query ${query.id} has no vector: a pgvector index searches vectors`);
    if (vector.length !== this.facts.dimensions) {
      throw new UserError(
        `query ${query.id} has ${vector.length} dimensions; ${this.resolved} holds ${this.facts.dimensions}-dimensional vectors`,
      );
    }
    return vector;
  }
}
