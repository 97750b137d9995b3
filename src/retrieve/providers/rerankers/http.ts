import { limiterFor, type UpstreamLimiter } from '../../transport/rate-limiter.js';
import { HTTP_RETRY_DEFAULTS, type HttpRetryOptions, postJson } from '../../transport/retry.js';
import type { Candidate, Reranker, RerankResult } from '../../types.js';

export type HttpRerankApi = 'cohere' | 'jina' | 'tei';

export interface HttpRerankerOptions extends Partial<HttpRetryOptions> {
  api: HttpRerankApi;
  /** Base URL; Cohere and Jina default to their hosted APIs, TEI (self-hosted) has no default. */
  url?: string;
  /** Required by Cohere and Jina; TEI serves one model and ignores it. */
  model?: string;
  apiKey?: string;
  /** Candidates per request; TEI refuses more than its `--max-client-batch-size` (32 by default). */
  batchSize?: number;
  /** The account's request limit: requests are paced to stay under it (Cohere trial keys allow 10). */
  requestsPerMinute?: number;
}

/** What one request gave: a score per document of the batch (batch order), and what it was billed. */
interface BatchAnswer {
  scores: number[];
  tokens?: number;
  searchUnits?: number;
}

/** The wire differences between the three APIs: where to post, what to send, how to read the answer. */
interface ApiShape {
  label: string;
  path: string;
  defaultUrl?: string;
  defaultBatchSize?: number;
  body(query: string, documents: string[], model: string | undefined): unknown;
  /** `results` are `{index, score}` pairs in any order, checked by the caller. */
  parse(body: unknown): { results: unknown; tokens?: number; searchUnits?: number };
}

const API_SHAPES: Record<HttpRerankApi, ApiShape> = {
  cohere: {
    label: 'Cohere rerank',
    path: '/v2/rerank',
    defaultUrl: 'https://api.cohere.com',
    body: (query, documents, model) => ({ model, query, documents, top_n: documents.length }),
    parse: (body) => {
      const units = field(field(field(body, 'meta'), 'billed_units'), 'search_units');
      // Cohere bills one search unit per request of up to 100 documents; older answers omit the count.
      return { results: relevanceResults(body), searchUnits: typeof units === 'number' ? units : 1 };
    },
  },
  jina: {
    label: 'Jina rerank',
    path: '/v1/rerank',
    defaultUrl: 'https://api.jina.ai',
    body: (query, documents, model) => ({
      model,
      query,
      documents,
      top_n: documents.length,
      return_documents: false,
    }),
    parse: (body) => {
      const tokens = field(field(body, 'usage'), 'total_tokens');
      return { results: relevanceResults(body), ...(typeof tokens === 'number' ? { tokens } : {}) };
    },
  },
  tei: {
    label: 'TEI rerank',
    path: '/rerank',
    defaultBatchSize: 32,
    body: (query, texts) => ({ query, texts, return_text: false }),
    parse: (body) => ({
      results: Array.isArray(body)
        ? body.map((r) => ({ index: field(r, 'index'), score: field(r, 'score') }))
        : body,
    }),
  },
};

/**
 * A hosted or self-hosted rerank API (Cohere v2, Jina, Hugging Face TEI). Candidates are sent in batches
 * (in sequence, to stay under rate limits); each API answers with `{index, score}` pairs, sorted by
 * relevance for Cohere and Jina, which are mapped back to one score per candidate in the candidates' order.
 * Billing (search units, tokens) is summed over the batches for the runner's cost accounting.
 */
export class HttpReranker implements Reranker {
  readonly id: string;
  /** Retries over all requests so far: a rate-limited run shows up in the report, not just as latency. */
  private retried = 0;
  private readonly shape: ApiShape;
  private readonly endpoint: string;
  private readonly batchSize: number;
  private readonly retry: HttpRetryOptions;
  private readonly limiter: UpstreamLimiter | undefined;

  constructor(private readonly options: HttpRerankerOptions) {
    this.shape = API_SHAPES[options.api];
    const base = options.url ?? this.shape.defaultUrl;
    if (base === undefined) throw new Error(`${this.shape.label}: a url is required`);
    if (options.api !== 'tei' && !options.model) throw new Error(`${this.shape.label}: a model is required`);
    this.endpoint = `${base.replace(/\/+$/, '')}${this.shape.path}`;
    this.batchSize = options.batchSize ?? this.shape.defaultBatchSize ?? Number.POSITIVE_INFINITY;
    this.retry = {
      timeoutMs: options.timeoutMs ?? HTTP_RETRY_DEFAULTS.timeoutMs,
      maxRetries: options.maxRetries ?? HTTP_RETRY_DEFAULTS.maxRetries,
      retryBaseMs: options.retryBaseMs ?? HTTP_RETRY_DEFAULTS.retryBaseMs,
      retryMaxMs: options.retryMaxMs ?? HTTP_RETRY_DEFAULTS.retryMaxMs,
    };
    // One limiter per upstream and key, shared with every other reranker of that account.
    this.limiter =
      options.requestsPerMinute === undefined
        ? undefined
        : limiterFor(this.endpoint, options.apiKey, {
            requestsPerMinute: options.requestsPerMinute,
            concurrency: 1,
          });
    // TEI serves one model per deployment: the deployment names it.
    this.id = `http:${options.api}:${options.model ?? base}`;
  }

  retries(): number {
    return this.retried;
  }

  async rerank(query: { id: string; text: string }, candidates: Candidate[]): Promise<RerankResult> {
    const scores: number[] = [];
    let tokens: number | undefined;
    let searchUnits: number | undefined;
    for (let start = 0; start < candidates.length; start += this.batchSize) {
      const batch = candidates.slice(start, start + this.batchSize).map((c) => c.text);
      const answer = await this.request(query.text, batch);
      scores.push(...answer.scores);
      if (answer.tokens !== undefined) tokens = (tokens ?? 0) + answer.tokens;
      if (answer.searchUnits !== undefined) searchUnits = (searchUnits ?? 0) + answer.searchUnits;
    }
    return {
      scores,
      ...(tokens === undefined ? {} : { tokens }),
      ...(searchUnits === undefined ? {} : { searchUnits }),
    };
  }

  private async request(query: string, documents: string[]): Promise<BatchAnswer> {
    const { label } = this.shape;
    const { body, retries } = await postJson(
      {
        label,
        url: this.endpoint,
        body: this.shape.body(query, documents, this.options.model),
        ...(this.options.apiKey === undefined ? {} : { apiKey: this.options.apiKey }),
        ...(this.limiter ? { limiter: this.limiter } : {}),
      },
      this.retry,
    );
    this.retried += retries;
    const { results, ...billing } = this.shape.parse(body);
    return { scores: scoresInOrder(label, results, documents.length), ...billing };
  }
}

/** Cohere's and Jina's `results: [{index, relevance_score}]` as `{index, score}` pairs. */
function relevanceResults(body: unknown): unknown {
  const results = field(body, 'results');
  return Array.isArray(results)
    ? results.map((r) => ({ index: field(r, 'index'), score: field(r, 'relevance_score') }))
    : results;
}

/** Checks one score per document, each index once, and puts the scores in document order. */
function scoresInOrder(label: string, results: unknown, count: number): number[] {
  const bad = (why: string) => new Error(`${label}: malformed response: ${why}`);
  if (!Array.isArray(results)) throw bad('no results array');
  if (results.length !== count) throw bad(`${results.length} results for ${count} documents`);
  const scores = new Array<number>(count).fill(Number.NaN);
  for (const { index, score } of results as { index: unknown; score: unknown }[]) {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count)
      throw bad(`index ${JSON.stringify(index)} is not one of 0..${count - 1}`);
    if (typeof score !== 'number' || !Number.isFinite(score))
      throw bad(`score ${JSON.stringify(score)} for index ${index} is not a number`);
    if (!Number.isNaN(scores[index])) throw bad(`index ${index} appears twice`);
    scores[index] = score;
  }
  return scores;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}
