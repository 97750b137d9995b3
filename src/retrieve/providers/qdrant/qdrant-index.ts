import type { Schemas } from '@qdrant/js-client-rest';
import type { QdrantIndexConfig } from '../../../config/types.js';
import { UserError } from '../../../errors.js';
import { InFlightLimit } from '../../transport/in-flight.js';
import type { Hit, Index, QueryInput } from '../../types.js';
import { type QdrantCollectionFacts, readCollectionFacts } from './collection.js';
import { QdrantConnection, type QdrantConnectionOptions } from './connection.js';
import { DocIdMapper } from './point-ids.js';

/** The settings of a Qdrant index that searching needs (QdrantIndexConfig as loaded). */
export type QdrantSearchConfig = Pick<
  QdrantIndexConfig,
  | 'url'
  | 'collection'
  | 'vectorName'
  | 'idField'
  | 'textField'
  | 'exact'
  | 'hnswEf'
  | 'batchSize'
  | 'concurrency'
  | 'timeoutMs'
  | 'maxRetries'
>;

export interface QdrantIndexOptions {
  config: QdrantSearchConfig;
  /** Read by the caller from the variable `apiKeyEnv` names; sent as the `api-key` header, never logged. */
  apiKey?: string;
  /**
   * The dataset's corpus ids: collections built by `index build` use pointIdFor(doc id) as point ids, and
   * these map them back without fetching payloads. Unneeded when `idField` is set.
   */
  docIds?: readonly string[];
  /** Backoff tuning (tests make it small). */
  retry?: Pick<QdrantConnectionOptions, 'retryBaseMs' | 'retryMaxMs'>;
}

/**
 * A Qdrant collection (or an alias, resolved once at open) searched with the batch query API: one
 * `POST /collections/{name}/points/query/batch` per `search` call, `batchSize` queries each, at most
 * `concurrency` calls in flight, transient failures retried.
 */
export class QdrantIndex implements Index {
  readonly needsVectors = true;
  /** The concrete collection searched, never the alias. */
  readonly resolved: string;
  readonly batchSize: number;
  readonly concurrency: number;
  /** Alias, collection, vector space, HNSW and metadata, for the run summary and the compatibility check. */
  readonly facts: QdrantCollectionFacts;
  /**
   * The same query with `exact: true`: a brute-force scan of the same vectors, what the ANN check compares
   * HNSW's answer with. Absent when the system already searches exactly.
   */
  readonly searchExact?: (queries: QueryInput[], k: number) => Promise<Hit[][]>;

  private readonly limit: InFlightLimit;
  private readonly ids: DocIdMapper;
  private readonly params: Schemas['SearchParams'];
  /** Euclid answers distances (smaller is better): scores are negated so higher is better everywhere. */
  private readonly direction: 1 | -1;

  private constructor(
    private readonly connection: QdrantConnection,
    facts: QdrantCollectionFacts,
    config: QdrantSearchConfig,
    docIds: readonly string[],
  ) {
    this.facts = facts;
    this.resolved = facts.collection;
    this.batchSize = config.batchSize;
    this.concurrency = config.concurrency;
    this.limit = new InFlightLimit(config.concurrency);
    this.ids = new DocIdMapper(
      config.idField,
      config.idField === undefined ? docIds : [],
      this.resolved,
      config.textField,
    );
    this.params = { exact: config.exact, ...(config.hnswEf === undefined ? {} : { hnsw_ef: config.hnswEf }) };
    this.direction = facts.vector.distance === 'euclidean' ? -1 : 1;
    if (!config.exact) this.searchExact = (queries, k) => this.query(queries, k, { exact: true });
  }

  /** Connects, resolves the alias and reads the collection's facts (a UserError if it is not there). */
  static async open(options: QdrantIndexOptions): Promise<QdrantIndex> {
    const { config } = options;
    const connection = new QdrantConnection({
      url: config.url,
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      timeoutMs: config.timeoutMs,
      maxRetries: config.maxRetries,
      maxConnections: config.concurrency,
      ...options.retry,
    });
    const facts = await readCollectionFacts(connection, config.collection, config.vectorName);
    return new QdrantIndex(connection, facts, config, options.docIds ?? []);
  }

  retries(): number {
    return this.connection.retries();
  }

  search(queries: QueryInput[], k: number): Promise<Hit[][]> {
    return this.query(queries, k, this.params);
  }

  private async query(queries: QueryInput[], k: number, params: Schemas['SearchParams']): Promise<Hit[][]> {
    if (queries.length === 0) return [];
    const searches = queries.map((query) => this.request(query, k, params));
    const answers = await this.limit.run(() =>
      this.connection.call(`query batch on '${this.resolved}'`, (client) =>
        client.queryBatch(this.resolved, { searches }),
      ),
    );
    if (answers.length !== queries.length) {
      throw new Error(`Qdrant answered ${answers.length} result lists for ${queries.length} queries`);
    }
    return answers.map((answer) =>
      answer.points.map((point) => {
        const text = this.ids.text(point);
        return {
          docid: this.ids.docid(point),
          score: this.direction * point.score,
          ...(text === undefined ? {} : { text }),
        };
      }),
    );
  }

  private request(query: QueryInput, k: number, params: Schemas['SearchParams']): Schemas['QueryRequest'] {
    const { vector } = query;
    if (!vector) throw new Error(`query ${query.id} has no vector: a Qdrant index searches vectors`);
    if (vector.length !== this.facts.vector.size) {
      throw new UserError(
        `query ${query.id} has ${vector.length} dimensions; ${this.resolved} holds ${this.facts.vector.size}-dimensional vectors`,
      );
    }
    return {
      query: Array.from(vector),
      ...(this.facts.vector.name === undefined ? {} : { using: this.facts.vector.name }),
      limit: k,
      params,
      with_payload: this.ids.payloadFields,
      with_vector: false,
    };
  }
}
