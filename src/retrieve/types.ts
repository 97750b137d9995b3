/**
 * The small interfaces every retrieval component implements. A system is model × index (× reranker);
 * the runner drives these interfaces and measures each stage separately.
 */

/** Why texts are embedded: priced and reported separately. */
export type EmbeddingPurpose = 'query' | 'index-build';

/** Vectors for n texts: one row-major Float32Array of n × dimensions, plus what the call cost. */
export interface EmbeddingBatch {
  vectors: Float32Array;
  /** Tokens billed or counted for the call (0 when the provider has no notion of tokens). */
  tokens: number;
}

export interface Embedder {
  /** Stable identity used in cache keys and traces, e.g. "hashing/word-char-ngrams". */
  readonly id: string;
  readonly version: string;
  readonly dimensions: number;
  /** How many texts one call may take. */
  readonly maxBatchSize: number;
  embed(texts: string[], purpose: EmbeddingPurpose): Promise<EmbeddingBatch>;
}

export type Distance = 'cosine' | 'dot' | 'euclidean';

/** A search result: a document id and the index's score (higher is better). */
export interface Hit {
  docid: string;
  score: number;
}

/** What a query brings to an index: its text, and its vector when the system has a model. */
export interface QueryInput {
  id: string;
  text: string;
  /** Length = the model's dimensions. Absent for lexical indexes. */
  vector?: Float32Array;
}

/** A document as indexes and rerankers see it. */
export interface CorpusDocument {
  id: string;
  /** Title and text joined, what lexical scorers and rerankers read. */
  text: string;
}

export interface Index {
  /** The concrete thing searched (e.g. a collection name behind an alias, or "embedded:<cache key>"). */
  readonly resolved: string;
  /** Whether queries must carry vectors. */
  readonly needsVectors: boolean;
  /** Top-k hits per query, best first, in the order of `queries`. */
  search(queries: QueryInput[], k: number): Promise<Hit[][]>;
  /** Releases processes, files or connections. */
  close?(): Promise<void>;
}

/** A candidate for reranking: a first-stage hit with its text. */
export interface Candidate extends Hit {
  text: string;
}

export interface RerankResult {
  /** One score per candidate, in the candidates' order; higher is better. */
  scores: number[];
  /** Billing units, when the reranker reports them. */
  tokens?: number;
  searchUnits?: number;
}

export interface Reranker {
  readonly id: string;
  rerank(query: { id: string; text: string }, candidates: Candidate[]): Promise<RerankResult>;
  close?(): Promise<void>;
}
