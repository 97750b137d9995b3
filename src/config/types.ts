/** The run configuration after validation and defaults: what the runner executes. */

export interface ModelConfig {
  alias: string;
  provider: 'hashing' | 'wink';
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

export type IndexConfig =
  | { alias: string; kind: 'embedded'; distance: 'cosine' | 'dot' | 'euclidean' }
  | { alias: string; kind: 'bm25'; k1: number; b: number }
  | {
      alias: string;
      kind: 'command';
      command: string[];
      vectors: boolean;
      dimensions?: number;
      timeoutMs?: number;
      concurrency?: number;
    };

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
      pricePer1kTokens?: number;
      pricePerSearchUnit?: number;
    };

/** One system under evaluation: model × index (× reranker), retrieving the top k. */
export interface SystemConfig {
  id: string;
  model?: ModelConfig;
  index: IndexConfig;
  reranker?: RerankerConfig;
  k: number;
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
}
