import type { ClientOptions, OpenAI } from 'openai';
import type { OpenAiModelConfig, OpenAiSettings } from '../../../config/types.js';
import { UserError } from '../../../errors.js';
import { limiterFor, type Outcome, type UpstreamLimiter } from '../../transport/rate-limiter.js';
import {
  type AttemptFailure,
  adviceFor,
  FailedAttempt,
  HTTP_RETRY_DEFAULTS,
  networkFailure,
  redactor,
  statusFailure,
  withRetries,
} from '../../transport/retry.js';
import type { Embedder, EmbeddingBatch, EmbeddingPurpose, PreparedTexts } from '../../types.js';
import { readEmbeddingsAnswer } from './embeddings-answer.js';
import { type TokenCounter, tokenCounter } from './token-count.js';

export interface OpenAiEmbedderOptions {
  /** Sent as a Bearer token; without one no Authorization header is sent (keyless local servers). */
  apiKey?: string;
  /** First retry backoff (default 500 ms; it doubles per retry): small in tests. */
  retryBaseMs?: number;
  /** Ceiling of any single wait, a server's retry-after included (default 60 s). */
  retryMaxMs?: number;
}

/** What the embedder has cost so far, for benches and reports. */
export interface OpenAiUsage {
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  /** 429 answers received. */
  rateLimited: number;
  /** Tokens billed (as the server reported them, else as counted here). */
  tokens: number;
}

type Sdk = typeof import('openai');
type CreateParams = Parameters<OpenAI['embeddings']['create']>[0];

/** Names listed in a message before "and N more". */
const NAMES_LISTED = 10;

/**
 * OpenAI's /v1/embeddings, or any server speaking it (TEI, vLLM, Ollama, Infinity) at `openai.baseURL`.
 *
 * Inputs are counted with the model's tokenizer (or estimated from their length) and sent in batches that
 * respect the provider's limits on inputs and tokens per request. Requests are paced by the limiter shared
 * by every model on the same upstream and retried, with backoff, on 429, 5xx, timeouts and dropped
 * connections; the openai client's own retries are off so the two do not multiply. Vectors are requested as
 * floats (base64 answers are decoded too), checked (one per input, each of `dimensions` finite numbers) and
 * placed by their `index`.
 */
export class OpenAiEmbedder implements Embedder {
  readonly id: string;
  readonly version: string;
  readonly dimensions: number;
  readonly maxBatchSize: number;
  readonly concurrency: number;
  /** Shared with every other client of this base URL and key. */
  readonly limiter: UpstreamLimiter;

  private readonly settings: OpenAiSettings;
  private readonly counter: TokenCounter;
  private readonly label: string;
  private readonly redact: (text: string) => string;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private sdk: Sdk | undefined;
  private client: Promise<OpenAI> | undefined;
  private readonly counts: OpenAiUsage = { requests: 0, retries: 0, rateLimited: 0, tokens: 0 };

  constructor(
    private readonly model: OpenAiModelConfig,
    private readonly options: OpenAiEmbedderOptions = {},
  ) {
    const settings = model.openai;
    if (!(Number.isInteger(model.dimensions) && model.dimensions > 0)) {
      throw new RangeError(`model '${model.alias}': dimensions must be a positive integer`);
    }
    this.settings = settings;
    this.counter = tokenCounter(settings.tokenizer, settings.charsPerToken);
    this.dimensions = model.dimensions;
    this.maxBatchSize = settings.maxInputs;
    this.concurrency = settings.concurrency;
    this.id = `openai:${model.model}`;
    // Whatever changes the vector of a given text changes the version: the cache keys on it. Truncation
    // cuts where the tokenizer says, so a truncating policy names its tokenizer too.
    const policy =
      settings.overLong === 'truncate'
        ? `truncate@${settings.maxTokensPerInput}/${this.counter.name}`
        : `reject@${settings.maxTokensPerInput}`;
    this.version = `${model.version}/${model.dimensions}d/${policy}`;
    this.label = `OpenAI embeddings (${model.model}) at ${settings.baseURL}`;
    this.redact = redactor(options.apiKey);
    this.retryBaseMs = options.retryBaseMs ?? HTTP_RETRY_DEFAULTS.retryBaseMs;
    this.retryMaxMs = options.retryMaxMs ?? HTTP_RETRY_DEFAULTS.retryMaxMs;
    this.limiter = limiterFor(settings.baseURL, options.apiKey, {
      ...(settings.tokensPerMinute === undefined ? {} : { tokensPerMinute: settings.tokensPerMinute }),
      ...(settings.requestsPerMinute === undefined ? {} : { requestsPerMinute: settings.requestsPerMinute }),
      concurrency: settings.concurrency,
    });
  }

  usage(): OpenAiUsage {
    return { ...this.counts };
  }

  /**
   * Consecutive batch sizes, greedy: each as long as the inputs and tokens per request allow. Tokens per
   * request also stay within one minute's token budget, which a larger request could never fit.
   */
  batchSizes(texts: readonly string[]): number[] {
    const tokenLimit = Math.min(
      this.settings.maxTokensPerRequest,
      this.limiter.state().tokensPerMinute ?? Number.POSITIVE_INFINITY,
    );
    const sizes: number[] = [];
    let inputs = 0;
    let tokens = 0;
    for (const text of texts) {
      const count = this.counter.count(text);
      if (inputs > 0 && (inputs >= this.settings.maxInputs || tokens + count > tokenLimit)) {
        sizes.push(inputs);
        inputs = 0;
        tokens = 0;
      }
      inputs++;
      tokens += count;
    }
    if (inputs > 0) sizes.push(inputs);
    return sizes;
  }

  /**
   * Refuses empty and whitespace-only texts (the API rejects them), and truncates or refuses texts over
   * maxTokensPerInput as `overLong` says. Truncation keeps the longest prefix within the limit.
   */
  prepare(texts: readonly string[], names: readonly string[]): PreparedTexts {
    const limit = this.settings.maxTokensPerInput;
    const empty: string[] = [];
    const tooLong: string[] = [];
    const truncated: string[] = [];
    const prepared = texts.slice();
    texts.forEach((text, i) => {
      const name = names[i] ?? `text #${i + 1}`;
      if (text.trim() === '') {
        empty.push(name);
        return;
      }
      const count = this.counter.count(text);
      if (count <= limit) return;
      if (this.settings.overLong === 'reject') {
        tooLong.push(`${name} (${count.toLocaleString('en-US')} tokens)`);
      } else {
        prepared[i] = this.counter.truncate(text, limit);
        truncated.push(name);
      }
    });
    const problems: string[] = [];
    if (empty.length > 0) {
      problems.push(
        `${plural(empty.length, 'text is', 'texts are')} empty: ${listed(empty)} (the API refuses empty input: give them text or leave them out)`,
      );
    }
    if (tooLong.length > 0) {
      problems.push(
        `${plural(tooLong.length, 'text is', 'texts are')} over the ${limit.toLocaleString('en-US')}-token input limit (overLong: reject; set overLong: truncate to cut them): ${listed(tooLong)}`,
      );
    }
    if (problems.length > 0) {
      throw new UserError(`model '${this.model.alias}': ${problems.join('; ')}`);
    }
    return { texts: prepared, truncated };
  }

  async embed(texts: string[], _purpose: EmbeddingPurpose): Promise<EmbeddingBatch> {
    this.checkSendable(texts);
    const vectors = new Float32Array(texts.length * this.dimensions);
    let tokens = 0;
    let retries = 0;
    let start = 0;
    // Callers send one batch of batchSizes; a larger call is split the same way, one request at a time.
    for (const size of this.batchSizes(texts)) {
      const part = await this.request(texts.slice(start, start + size));
      vectors.set(part.vectors, start * this.dimensions);
      tokens += part.tokens;
      retries += part.retries;
      start += size;
    }
    return { vectors, tokens, retries };
  }

  /** What `prepare` would refuse or cut, refused here too: a caller that skipped `prepare` learns why. */
  private checkSendable(texts: readonly string[]): void {
    const limit = this.settings.maxTokensPerInput;
    const bad: string[] = [];
    texts.forEach((text, i) => {
      if (text.trim() === '') bad.push(`#${i + 1} (empty)`);
      else if (this.counter.count(text) > limit) bad.push(`#${i + 1} (over ${limit} tokens)`);
    });
    if (bad.length > 0) {
      throw new UserError(
        `model '${this.model.alias}': inputs ${listed(bad)} of the batch cannot be sent (the texts were not prepared)`,
      );
    }
  }

  private async request(
    input: string[],
  ): Promise<{ vectors: Float32Array; tokens: number; retries: number }> {
    const counted = input.reduce((sum, text) => sum + this.counter.count(text), 0);
    const client = await this.openClient();
    const body: CreateParams = {
      model: this.model.model,
      input,
      encoding_format: 'float',
      ...(this.settings.sendDimensions ? { dimensions: this.dimensions } : {}),
    };
    const { value, retries } = await withRetries(
      () => this.attempt(client, body, input.length, counted),
      (error) => this.classify(error),
      {
        label: this.label,
        redact: this.redact,
        onRetry: (failure) => {
          this.counts.retries++;
          if (failure.status === 429) this.limiter.rateLimited(failure.delayMs);
        },
        // Statuses get their own hints (hint()); a server that never answered gets told where to look.
        advice: (failure) =>
          failure.status === undefined
            ? adviceFor(undefined, {
                service: 'the embedding server',
                url: this.settings.baseURL,
                keySource: 'the model apiKeyEnv variable',
              })
            : undefined,
      },
      { maxRetries: this.settings.maxRetries, retryBaseMs: this.retryBaseMs, retryMaxMs: this.retryMaxMs },
    );
    this.counts.tokens += value.tokens;
    return { ...value, retries };
  }

  /** One request: a slot and budget from the limiter, the call, the answer read and checked. */
  private async attempt(
    client: OpenAI,
    body: CreateParams,
    count: number,
    counted: number,
  ): Promise<{ vectors: Float32Array; tokens: number }> {
    const permit = await this.limiter.acquire(counted);
    this.counts.requests++;
    // The client's timeout stops at the headers; this one also bounds reading the body.
    const signal = AbortSignal.timeout(this.settings.timeoutMs);
    const outcome: Outcome = {};
    try {
      const response = await client.embeddings.create(body, { signal }).asResponse();
      outcome.headers = response.headers;
      const answer = readEmbeddingsAnswer(
        await response.text(),
        count,
        this.dimensions,
        this.settings.sendDimensions,
      );
      const tokens = answer.tokens ?? counted;
      outcome.usedTokens = tokens;
      return { vectors: answer.vectors, tokens };
    } catch (error) {
      const failed = error as { status?: unknown; headers?: unknown };
      if (failed.headers instanceof Headers) outcome.headers = failed.headers;
      if (failed.status === 429) this.counts.rateLimited++;
      if (signal.aborted && !(error instanceof FailedAttempt)) {
        throw new FailedAttempt({
          retryable: true,
          problem: `no complete answer within ${this.settings.timeoutMs} ms`,
        });
      }
      throw error;
    } finally {
      this.limiter.release(permit, outcome);
    }
  }

  /** Which failures are worth another attempt, with a hint for the ones the user must fix. */
  private classify(error: unknown): AttemptFailure {
    if (error instanceof FailedAttempt) return error.failure;
    const sdk = this.sdk;
    if (sdk && error instanceof sdk.APIConnectionTimeoutError) {
      return { retryable: true, problem: `no answer within ${this.settings.timeoutMs} ms` };
    }
    if (sdk && error instanceof sdk.APIConnectionError) {
      const failure = networkFailure(error.cause);
      if (failure.retryable) return failure;
      const cause = error.cause as { message?: unknown; cause?: { message?: unknown } } | undefined;
      const reason = cause?.cause?.message ?? cause?.message ?? error.message;
      return { retryable: false, problem: `cannot connect (${String(reason)})` };
    }
    if (sdk && error instanceof sdk.APIError && typeof error.status === 'number') {
      const headers = error.headers ?? new Headers();
      const failure = statusFailure(error.status, error.message.replace(/^\d{3} /, ''), headers);
      return { ...failure, problem: `${failure.problem}${this.hint(error.status)}` };
    }
    return networkFailure(error);
  }

  private hint(status: number): string {
    const keyEnv = this.model.apiKeyEnv;
    if (status === 401) return `; check the API key${keyEnv ? ` in ${keyEnv}` : ' (model apiKeyEnv)'}`;
    if (status === 403) return `; the key may not have access to model '${this.model.model}'`;
    if (status === 404)
      return `; check the model name '${this.model.model}' and the url (it usually ends in /v1)`;
    return '';
  }

  /** The client, created on first use: loading the SDK is only worth it for a run that embeds. */
  private openClient(): Promise<OpenAI> {
    this.client ??= import('openai').then((sdk) => {
      this.sdk = sdk;
      const apiKey = this.options.apiKey;
      const options: ClientOptions = {
        baseURL: this.settings.baseURL,
        // The client insists on a key; a keyless server gets the placeholder's header removed below.
        apiKey: apiKey || 'unused',
        // Nothing from the environment: the caller decides (an OPENAI_ADMIN_KEY would replace the key).
        adminAPIKey: null,
        organization: null,
        project: null,
        // Retries are ours (withRetries), paced by the shared limiter.
        maxRetries: 0,
        timeout: this.settings.timeoutMs,
        ...(apiKey ? {} : { defaultHeaders: { Authorization: null } }),
      };
      return new sdk.OpenAI(options);
    });
    return this.client;
  }
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** "a, b, c" or "a, b, … and 12 more". */
function listed(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_LISTED).join(', ');
  return names.length > NAMES_LISTED ? `${shown} and ${names.length - NAMES_LISTED} more` : shown;
}
