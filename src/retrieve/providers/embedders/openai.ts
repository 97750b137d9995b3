import type { ClientOptions, OpenAI } from 'openai';
import type { OpenAiModelConfig, OpenAiSettings } from '../../../config/types.js';
import { UserError } from '../../../errors.js';
import { limiterFor, type Outcome, type UpstreamLimiter } from '../../transport/rate-limiter.js';
import {
  type AttemptFailure,
  adviceFor,
  describeWait,
  FailedAttempt,
  HTTP_RETRY_DEFAULTS,
  networkFailure,
  redactor,
  safeUrl,
  statusFailure,
  withRetries,
} from '../../transport/retry.js';
import type { Embedder, EmbeddingBatch, EmbeddingPurpose, PreparedTexts } from '../../types.js';
import { BadAnswer, readEmbeddingsAnswer } from './embeddings-answer.js';
import { type TokenCounter, tokenCounter } from './token-count.js';

export interface OpenAiEmbedderOptions {
  /** Sent as a Bearer token; without one no Authorization header is sent (keyless local servers). */
  apiKey?: string;
  /** First retry backoff (default 500 ms; it doubles per retry): small in tests. */
  retryBaseMs?: number;
  /** Ceiling of the embedder's own backoff between retries (default 60 s); a server's retry-after is capped by maxRetryWaitMs. */
  retryMaxMs?: number;
  /** Where the one-line notices of waits a server asked for go (default: this process's stderr). */
  notify?: (line: string) => void;
  /** What "per minute" means for the limits, in ms (default a minute): shorter in tests and the short bench. */
  rateWindowMs?: number;
}

/** Default of `maxRetryWaitMs`: a server asking for a longer wait fails the request at once. */
export const DEFAULT_MAX_RETRY_WAIT_MS = 120_000;

/** Thrown out of a request's retries when its batch no longer fits one request's share of the budget. */
class Resplit extends Error {}

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
  private readonly maxRetryWaitMs: number;
  private readonly notify: (line: string) => void;
  /** The names `prepare` was given, by prepared text: what a failure names. */
  private readonly names = new Map<string, string>();
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
    this.label = `OpenAI embeddings (${model.model}) at ${safeUrl(settings.baseURL)}`;
    this.redact = redactor(options.apiKey);
    this.retryBaseMs = options.retryBaseMs ?? HTTP_RETRY_DEFAULTS.retryBaseMs;
    this.retryMaxMs = options.retryMaxMs ?? HTTP_RETRY_DEFAULTS.retryMaxMs;
    this.maxRetryWaitMs = settings.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS;
    this.notify = options.notify ?? ((line) => process.stderr.write(`${line}\n`));
    this.limiter = limiterFor(settings.baseURL, options.apiKey, {
      ...(settings.tokensPerMinute === undefined ? {} : { tokensPerMinute: settings.tokensPerMinute }),
      ...(settings.requestsPerMinute === undefined ? {} : { requestsPerMinute: settings.requestsPerMinute }),
      concurrency: settings.concurrency,
      maxWaitMs: this.maxRetryWaitMs,
      ...(options.rateWindowMs === undefined ? {} : { windowMs: options.rateWindowMs }),
    });
  }

  usage(): OpenAiUsage {
    return { ...this.counts };
  }

  /**
   * Consecutive batch sizes, greedy: each as long as the inputs and tokens per request allow, and within one
   * request's share of the per-minute budgets (the limiter's requestTokenCap: a fortieth of the minute's
   * tokens). Each batch is split further when sent if the budget has shrunk or is still being learnt.
   */
  batchSizes(texts: readonly string[]): number[] {
    const tokenLimit = this.requestTokens(false);
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

  /** The most tokens one request may hold now (`sending`: a request about to go, not a batch planned). */
  private requestTokens(sending = true): number {
    return Math.min(
      this.settings.maxTokensPerRequest,
      this.limiter.requestTokenCap(sending) ?? Number.POSITIVE_INFINITY,
    );
  }

  /**
   * How many of `texts` from `start` the next request takes (at least one). What is left is split into
   * requests of even size rather than full ones and a small remainder: even requests pace evenly.
   */
  private nextBatch(counts: readonly number[], start: number, left: number): number {
    const cap = this.requestTokens();
    // Only a cap from the rate limits is spread evenly; the per-request maxima are filled greedily.
    const paced = cap < this.settings.maxTokensPerRequest;
    const target = paced ? left / Math.max(1, Math.ceil(left / cap)) : cap;
    let tokens = 0;
    let inputs = 0;
    for (let i = start; i < counts.length && inputs < this.settings.maxInputs; i++) {
      const count = counts[i] as number;
      if (inputs > 0 && tokens + count > cap) break;
      inputs++;
      tokens += count;
      if (tokens >= target) break;
    }
    return Math.max(1, inputs);
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
      this.names.set(text, name);
      if (count <= limit) return;
      if (this.settings.overLong === 'reject') {
        tooLong.push(`${name} (${count.toLocaleString('en-US')} tokens)`);
      } else {
        prepared[i] = this.counter.truncate(text, limit);
        this.names.set(prepared[i] as string, name);
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
    // Counted once: the requests below are sized and reserved from these.
    const counts = texts.map((text) => this.counter.count(text));
    this.checkSendable(texts, counts);
    let left = counts.reduce((sum, n) => sum + n, 0);
    const vectors = new Float32Array(texts.length * this.dimensions);
    let tokens = 0;
    let retries = 0;
    let start = 0;
    // Callers send one batch of batchSizes; a larger call is split the same way, one request at a time,
    // each sized when it is sent: a limit learnt since (headers, 429s) splits what is left more finely.
    while (start < texts.length) {
      const size = this.nextBatch(counts, start, left);
      const counted = counts.slice(start, start + size).reduce((sum, n) => sum + n, 0);
      let part: { vectors: Float32Array; tokens: number; retries: number };
      try {
        part = await this.request(texts.slice(start, start + size), counted);
      } catch (error) {
        if (error instanceof Resplit) continue;
        throw error;
      }
      vectors.set(part.vectors, start * this.dimensions);
      tokens += part.tokens;
      retries += part.retries;
      start += size;
      left -= counted;
    }
    return { vectors, tokens, retries };
  }

  /** What `prepare` would refuse or cut, refused here too: a caller that skipped `prepare` learns why. */
  private checkSendable(texts: readonly string[], counts: readonly number[]): void {
    const limit = this.settings.maxTokensPerInput;
    const bad: string[] = [];
    texts.forEach((text, i) => {
      if (text.trim() === '') bad.push(`#${i + 1} (empty)`);
      else if ((counts[i] as number) > limit) bad.push(`#${i + 1} (over ${limit} tokens)`);
    });
    if (bad.length > 0) {
      throw new UserError(
        `model '${this.model.alias}': inputs ${listed(bad)} of the batch cannot be sent (the texts were not prepared)`,
      );
    }
  }

  private async request(
    input: string[],
    counted: number,
  ): Promise<{ vectors: Float32Array; tokens: number; retries: number }> {
    const client = await this.openClient();
    const body: CreateParams = {
      model: this.model.model,
      input,
      encoding_format: 'float',
      ...(this.settings.sendDimensions ? { dimensions: this.dimensions } : {}),
    };
    // A wrong vector length is the config's mistake only when the retry gives the same one.
    let wrongLength: number | undefined;
    const { value, retries } = await withRetries(
      () => this.attempt(client, body, input, counted),
      (error) => {
        if (error instanceof BadAnswer) {
          const failure = this.badAnswer(error, input, wrongLength);
          wrongLength = error.wrongLength;
          return failure;
        }
        wrongLength = undefined;
        return this.classify(error);
      },
      {
        label: this.label,
        redact: this.redact,
        passThrough: (error) => error instanceof Resplit,
        onRetry: () => {
          this.counts.retries++;
        },
        onServerWait: (failure, waitMs, retry) => {
          this.notify(
            this.redact(
              `${this.label}: HTTP ${failure.status ?? '?'}, waiting ${describeWait(waitMs)} as the server asks (${failure.delayHeader ?? 'retry-after'}) before retry ${retry} of ${this.settings.maxRetries}`,
            ),
          );
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
      {
        maxRetries: this.settings.maxRetries,
        retryBaseMs: this.retryBaseMs,
        retryMaxMs: this.retryMaxMs,
        maxServerWaitMs: this.maxRetryWaitMs,
      },
    );
    this.counts.tokens += value.tokens;
    return { ...value, retries };
  }

  /** One request: a slot and budget from the limiter, the call, the answer read and checked. */
  private async attempt(
    client: OpenAI,
    body: CreateParams,
    input: readonly string[],
    counted: number,
  ): Promise<{ vectors: Float32Array; tokens: number }> {
    // A limit learnt since the batch was formed (a 429's headers, an estimate) may leave it too large.
    if (input.length > 1 && counted > this.requestTokens()) throw new Resplit();
    const permit = await this.limiter.acquire(counted);
    this.counts.requests++;
    // The client's timeout stops at the headers; this one also bounds reading the body.
    const signal = AbortSignal.timeout(this.settings.timeoutMs);
    const outcome: Outcome = {};
    try {
      const response = await client.embeddings.create(body, { signal }).asResponse();
      outcome.headers = response.headers;
      const answer = readEmbeddingsAnswer(await response.text(), input.length, this.dimensions);
      const tokens = answer.tokens ?? counted;
      outcome.usedTokens = tokens;
      return { vectors: answer.vectors, tokens };
    } catch (error) {
      const failed = error as { status?: unknown; headers?: unknown };
      if (failed.headers instanceof Headers) outcome.headers = failed.headers;
      if (failed.status === 429) {
        this.counts.rateLimited++;
        const delayMs = outcome.headers ? statusFailure(429, '', outcome.headers).delayMs : undefined;
        outcome.rateLimited = delayMs === undefined ? {} : { delayMs };
      }
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

  /**
   * An unusable answer, retried; it names the texts involved (by the names `prepare` was given). Vectors
   * all of one wrong length twice in a row are the config's mistake: that fails at once, saying what to set.
   */
  private badAnswer(error: BadAnswer, input: readonly string[], lastWrongLength?: number): AttemptFailure {
    const named = error.inputs.map((i) => this.nameOf(input, i));
    const texts = named.length > 0 ? ` (${plural(named.length, 'text', 'texts')}: ${listed(named)})` : '';
    if (error.wrongLength !== undefined && error.wrongLength === lastWrongLength) {
      const fix = this.settings.sendDimensions
        ? 'this model or server may not shorten vectors: set dimensions to its output size'
        : 'set dimensions to the output size, or sendDimensions: true if the model shortens its vectors';
      return {
        retryable: false,
        status: 200,
        problem: `the model returned ${error.wrongLength}-dimensional vectors but the config says dimensions: ${this.dimensions}; ${fix} (the same in two answers in a row)`,
      };
    }
    return { ...error.failure, problem: `${error.failure.problem}${texts}` };
  }

  private nameOf(input: readonly string[], position: number): string {
    const text = input[position] as string;
    return (
      this.names.get(text) ?? `input #${position + 1} of the batch (${JSON.stringify(text.slice(0, 40))})`
    );
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
