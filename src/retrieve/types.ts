/**
 * The small interfaces every retrieval component implements. A system is model × index (× reranker);
 * the runner drives these interfaces and measures each stage separately.
 */

/** Why texts are embedded: priced and reported separately. */
/**
 * What an embedding call is for, and what its cost is attributed to: queries of a run, an index build, a
 * reindex (`index sync` repairing what an audit found), an audit (which embeds nothing today).
 */
export type EmbeddingPurpose = 'query' | 'index-build' | 'reindex' | 'audit';

/** Vectors for n texts: one row-major Float32Array of n × dimensions, plus what the call cost. */
export interface EmbeddingBatch {
  vectors: Float32Array;
  /** Tokens billed or counted for the call (0 when the provider has no notion of tokens). */
  tokens: number;
  /** Retries the call needed (rate limits, server errors, dropped connections). */
  retries?: number;
}

/** Texts as an embedder will send them, after its checks (empty or over-long inputs). */
export interface PreparedTexts {
  /** Same length and order as the input; over-long texts shortened where the model's policy truncates. */
  texts: string[];
  /** Names (as passed to `prepare`) of the texts that were truncated, for the run's report. */
  truncated: string[];
}

export interface Embedder {
  /** Stable identity used in cache keys and traces, e.g. "hashing/word-char-ngrams". */
  readonly id: string;
  readonly version: string;
  readonly dimensions: number;
  /** How many texts one call may take. */
  readonly maxBatchSize: number;
  /** Calls that may be in flight at once (default 1); the embedder paces them against its upstream itself. */
  readonly concurrency?: number;
  /**
   * Sizes of consecutive batches that respect the provider's per-request limits (inputs and tokens);
   * default: runs of maxBatchSize.
   */
  batchSizes?(texts: readonly string[]): number[];
  /**
   * Checks texts before anything is sent: throws a UserError naming every text it refuses (empty, or too long
   * when the policy rejects), and returns them as they will be sent. `names` label texts in messages
   * (e.g. "query q12", "document d7").
   */
  prepare?(texts: readonly string[], names: readonly string[]): PreparedTexts;
  embed(texts: string[], purpose: EmbeddingPurpose): Promise<EmbeddingBatch>;
}

export type Distance = 'cosine' | 'dot' | 'euclidean';

/** A search result: a document id and the index's score (higher is better). */
export interface Hit {
  docid: string;
  score: number;
  /** The document's text when the index stores it (a Qdrant payload field): what a reranker reads. */
  text?: string;
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
  /** Queries per `search` call the index prefers (default 1); the runner sends batches of this size. */
  readonly batchSize?: number;
  /** `search` calls the runner may have in flight at once (default 1). */
  readonly concurrency?: number;
  /**
   * The search runs on this thread (the embedded exact index, BM25, PGlite). The runner then sends the next
   * batch only once the last one's results are recorded: searching ahead would gain nothing, and the
   * recording would run inside the next call's timing, where the search yields to the event loop.
   */
  readonly inProcess?: boolean;
  /** Retries its calls have needed so far (transient network and server errors). */
  retries?(): number;
  /** Top-k hits per query, best first, in the order of `queries`. */
  search(queries: QueryInput[], k: number): Promise<Hit[][]>;
  /**
   * An approximate (ANN) index's exact answer from the same vectors (a Qdrant search with `exact`, pgvector
   * with index scans off): what the ANN check compares `search` with. Absent on exact indexes.
   */
  searchExact?(queries: QueryInput[], k: number): Promise<Hit[][]>;
  /**
   * Untimed searches of the run's first queries before any measured one, for an engine that runs in this
   * process (PGlite's WebAssembly): it compiles and optimises its search path on first use, which would
   * otherwise land on the first system's latency and bend a sweep's recall-vs-latency curve.
   */
  warmUp?(queries: QueryInput[], k: number): Promise<void>;
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
  /** Retries its calls have needed so far (transient network and server errors). */
  retries?(): number;
  close?(): Promise<void>;
}

/** Shows progress of one system at a time (a bar on a terminal, nothing otherwise). */
export interface Progress {
  start(system: string, total: number): void;
  update(done: number): void;
  stop(): void;
}

/** What an index says about the vectors it holds: its vector config, and who built it when it knows. */
export interface IndexVectorFacts {
  /** Where the facts come from, for messages: e.g. "qdrant collection docs_v3 (alias docs)". */
  name: string;
  size: number;
  distance: Distance;
  /** The collection's metadata; `index build` writes the BuildMetadata fields. */
  metadata?: Record<string, unknown>;
}

/** What a semantic router decided for one utterance. */
export interface RouteDecision {
  /** The route taken; null when the router fell back. */
  route: string | null;
  /** The best route it saw and that route's score, also when it fell back (calibration, the threshold sweep). */
  candidate?: string;
  score?: number;
  /** Embedding tokens the decision billed (0 when its vector came from the cache). */
  tokens?: number;
  /** What the decision cost, when the router reports it (a router service's price). */
  cost?: number;
  /**
   * The time the decision took as the router measures it (an in-process router: its embedding call and its
   * comparison, without the cache's own writes); the runner's clock around the call otherwise.
   */
  latencyMs?: number;
}

/** A semantic router: sends an utterance to a route, or to the fallback. */
export interface Router {
  readonly id: string;
  /** One utterance per call, as requests arrive: the time a call takes is what routing adds to a request. */
  route(utterance: { id: string; text: string }): Promise<RouteDecision>;
  close?(): Promise<void>;
}
