/** The run configuration after validation and defaults: what the runner executes. */

export type ModelConfig = LocalModelConfig | OpenAiModelConfig;

interface ModelCommon {
  alias: string;
  /** The provider's model name. */
  model: string;
  /** The model version recorded in results and cache keys. */
  version: string;
  /** Output dimensions; smaller than the model's native size means Matryoshka truncation. */
  dimensions?: number;
  pricePer1MTokens: number;
  batchSize?: number;
  apiKeyEnv?: string;
}

/** Models computed in process: no network, no key. */
export interface LocalModelConfig extends ModelCommon {
  provider: 'hashing' | 'wink';
}

/** OpenAI, or any server speaking its /v1/embeddings API (TEI, vLLM, Ollama, Infinity). */
export interface OpenAiModelConfig extends ModelCommon {
  provider: 'openai';
  /** Required: the compatibility check and the cache need it before the first call. */
  dimensions: number;
  openai: OpenAiSettings;
}

export interface OpenAiSettings {
  /** The API's base URL, e.g. https://api.openai.com/v1 or http://tei:8080/v1. */
  baseURL: string;
  /** How inputs are counted: a real tokenizer (OpenAI models) or length ÷ charsPerToken (other servers). */
  tokenizer: 'cl100k_base' | 'o200k_base' | 'estimate';
  charsPerToken: number;
  /** Send `dimensions` in the request (text-embedding-3 shortens its vectors; other servers may refuse it). */
  sendDimensions: boolean;
  /** What to do with an input longer than maxTokensPerInput. */
  overLong: 'truncate' | 'reject';
  maxInputs: number;
  maxTokensPerRequest: number;
  maxTokensPerInput: number;
  /** The account's limits; requests are paced to stay under them (refined from x-ratelimit-* headers). */
  tokensPerMinute?: number;
  requestsPerMinute?: number;
  /** Requests in flight at once, shared by every model on the same upstream. */
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
  /** A server's retry-after longer than this fails at once (naming the server and header); default 2 minutes. */
  maxRetryWaitMs?: number;
}

export type IndexConfig =
  /** `batchSize`: queries per search call (in-process indexes run one call at a time); default the index's. */
  | { alias: string; kind: 'embedded'; distance: 'cosine' | 'dot' | 'euclidean'; batchSize?: number }
  | { alias: string; kind: 'bm25'; k1: number; b: number; batchSize?: number }
  | {
      alias: string;
      kind: 'command';
      command: string[];
      vectors: boolean;
      dimensions?: number;
      timeoutMs?: number;
      concurrency?: number;
    }
  | QdrantIndexConfig
  | PgvectorIndexConfig;

/** A Qdrant collection, or an alias that is resolved to one at run time (both are recorded). */
export interface QdrantIndexConfig {
  alias: string;
  kind: 'qdrant';
  url: string;
  /** Collection name or alias. */
  collection: string;
  apiKeyEnv?: string;
  /** Named vector to search, for collections with several. */
  vectorName?: string;
  /** Payload field holding the dataset doc id; without it the point id is the doc id (or its UUID, see build). */
  idField?: string;
  /** Payload field holding the document text, for rerankers (instead of the dataset corpus). */
  textField?: string;
  /** Exact (brute-force) search instead of HNSW: the same collection measured both ways. */
  exact: boolean;
  hnswEf?: number;
  /** Distance of collections that `index build` creates, and the one the compatibility check expects. */
  distance: 'cosine' | 'dot' | 'euclidean';
  /** Queries per /points/query/batch request, and requests in flight. */
  batchSize: number;
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
}

/** What `index build` creates on a pgvector table (HNSW, IVFFlat or none), with pgvector's parameters. */
export type PgvectorAnnConfig =
  | { type: 'hnsw'; m: number; efConstruction: number }
  | { type: 'ivfflat'; lists: number }
  | { type: 'none' };

/** A table of a PostgreSQL database with the pgvector extension: on a server, or embedded (PGlite). */
export interface PgvectorIndexConfig {
  alias: string;
  kind: 'pgvector';
  /** `name` or `schema.name`. */
  table: string;
  /** Exactly one of the two: the variable holding a postgres:// URL (never printed), or an embedded database. */
  urlEnv?: string;
  /** The embedded database's folder, as written (relative to the config file's folder). */
  dataDir?: string;
  idColumn: string;
  vectorColumn: string;
  /** The operator searched with (and the operator class index build uses). */
  distance: 'cosine' | 'dot' | 'euclidean';
  /** Index scans off: the table's exact answer, the same table measured both ways. */
  exact: boolean;
  /**
   * Approximate searches go through the ANN index even where the planner would scan the table (a small
   * table, a sample of production's): what measures the index's own loss at each setting.
   */
  forceIndex: boolean;
  /** `hnsw.ef_search` and `ivfflat.probes`, set per transaction. */
  efSearch?: number;
  probes?: number;
  /** Queries per search call, and connections in the pool (calls in flight). */
  batchSize: number;
  concurrency: number;
  /** Per statement, on a server (PGlite runs in this process and cannot be interrupted). */
  timeoutMs: number;
  ann: PgvectorAnnConfig;
}

export type RerankerConfig =
  | { alias: string; kind: 'lexical'; depth: number; k1: number; b: number }
  | {
      alias: string;
      kind: 'command';
      command: string[];
      depth: number;
      timeoutMs?: number;
      concurrency?: number;
      pricePer1kTokens?: number;
      pricePerSearchUnit?: number;
    }
  | {
      alias: string;
      kind: 'http';
      api: 'cohere' | 'jina' | 'tei';
      /** Base URL; required for TEI, Cohere and Jina default to their hosted APIs. */
      url?: string;
      model?: string;
      apiKeyEnv?: string;
      depth: number;
      timeoutMs?: number;
      maxRetries?: number;
      batchSize?: number;
      requestsPerMinute?: number;
      pricePer1kTokens?: number;
      pricePerSearchUnit?: number;
    };

/** A source of truth an index is audited against (`sources:`), by its alias. */
export type SourceConfig = PostgresSourceConfig | JsonlSourceConfig;

/** The rows of a query on a PostgreSQL server: `id` and `content`, optionally `updated_at` and `deleted_at`. */
export interface PostgresSourceConfig {
  alias: string;
  kind: 'postgres';
  /** The variable holding a postgres:// URL (set; its value is never shown). */
  urlEnv: string;
  /** As written, less a trailing semicolon: it is read as a subquery. */
  query: string;
  /** Rows per FETCH of the cursor, and ids per content lookup. */
  pageSize: number;
  /** Connecting, and each statement. */
  timeoutMs: number;
}

/** A JSONL export, one `{ id, content, updated_at?, deleted_at? }` per line. */
export interface JsonlSourceConfig {
  alias: string;
  kind: 'jsonl';
  /** As written (relative to the config file's folder). */
  path: string;
}

/** One system under evaluation: model × index (× reranker), retrieving the top k. */
export interface SystemConfig {
  id: string;
  model?: ModelConfig;
  /** With the system's search setting applied, when it comes from a sweep. */
  index: IndexConfig;
  reranker?: RerankerConfig;
  k: number;
  /** The search setting of a sweep (`search:`), as written: also in the system's id. */
  search?: SearchSetting;
  /** Check the ANN answer on a seeded sample of queries rather than all. */
  annCheck?: { sample: number };
}

/** One point of a parameter sweep: search parameters of a pgvector or Qdrant index. */
export interface SearchSetting {
  efSearch?: number;
  probes?: number;
  hnswEf?: number;
  exact?: boolean;
}

export interface RunConfig {
  /** The configuration file, for messages. */
  file: string;
  /** Folder that relative paths in the file are relative to. */
  dir: string;
  dataset: string;
  measures: string[];
  cacheDir: string;
  systems: SystemConfig[];
  /** Every model and index the file defines, used by a system or not (`index build` may name any). */
  models: ModelConfig[];
  indexes: IndexConfig[];
  /** The sources of truth `audit` compares an index with (none unless the file has `sources:`). */
  sources: SourceConfig[];
}
