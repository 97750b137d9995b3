import {
  type QdrantClient,
  QdrantClientResourceExhaustedError,
  QdrantClientTimeoutError,
} from '@qdrant/js-client-rest';
import { ServiceError } from '../../../errors.js';
import {
  type AttemptFailure,
  adviceFor,
  HTTP_RETRY_DEFAULTS,
  HttpError,
  type HttpRetryOptions,
  networkFailure,
  redactor,
  statusFailure,
  withRetries,
} from '../../transport/retry.js';
import { createQdrantClient } from './client.js';

/** A request that failed for good (refused, or transient failures past maxRetries), with advice: exit 2. */
export class QdrantRequestError extends ServiceError {
  override readonly name: string = 'QdrantRequestError';

  constructor(
    message: string,
    /** The last HTTP status; absent when the server never answered. */
    readonly status: number | undefined,
    readonly retries: number,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

export interface QdrantConnectionOptions extends Partial<Omit<HttpRetryOptions, 'timeoutMs'>> {
  url: string;
  apiKey?: string;
  /** Per request (the client aborts the exchange after it). */
  timeoutMs: number;
  /** Attempts after the first, for transient failures (429, 5xx, timeouts, dropped connections). */
  maxRetries: number;
  /** Requests the caller keeps in flight: the client's connection pool is sized to match. */
  maxConnections?: number;
}

/**
 * One Qdrant server: the REST client plus the retry policy every call goes through. Transient failures are
 * retried (withRetries); what is left when retries run out becomes a UserError naming the server and what
 * to check, since a server that refuses, is down or is overloaded is something the user fixes, not a bug.
 * The API key is redacted from every message.
 */
export class QdrantConnection {
  readonly url: string;
  readonly client: QdrantClient;
  private readonly retry: Omit<HttpRetryOptions, 'timeoutMs'>;
  private readonly timeoutMs: number;
  private readonly redact: (text: string) => string;
  private retried = 0;

  constructor(options: QdrantConnectionOptions) {
    this.url = options.url;
    this.timeoutMs = options.timeoutMs;
    this.client = createQdrantClient(options);
    this.retry = {
      maxRetries: options.maxRetries,
      retryBaseMs: options.retryBaseMs ?? HTTP_RETRY_DEFAULTS.retryBaseMs,
      retryMaxMs: options.retryMaxMs ?? HTTP_RETRY_DEFAULTS.retryMaxMs,
    };
    this.redact = redactor(options.apiKey);
  }

  /** Retries all calls have needed so far. */
  retries(): number {
    return this.retried;
  }

  /** Runs one request with the retry policy; `what` names it in messages, e.g. "query batch on 'docs_v3'". */
  async call<T>(what: string, request: (client: QdrantClient) => Promise<T>): Promise<T> {
    try {
      const { value, retries } = await withRetries(
        () => request(this.client),
        (error) => this.classify(error),
        {
          label: `Qdrant ${this.url}: ${what}`,
          redact: this.redact,
          advice: (failure) =>
            adviceFor(failure.status, {
              service: 'Qdrant',
              url: this.url,
              keySource: 'the index apiKeyEnv variable',
            }),
        },
        this.retry,
      );
      this.retried += retries;
      return value;
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      this.retried += error.retries;
      throw new QdrantRequestError(error.message, error.status, error.retries, error);
    }
  }

  /**
   * How the client's errors map onto the shared retry policy. The client throws ApiError (status, headers,
   * parsed body) for non-2xx answers, its own timeout error when the request outlives `timeout`, a
   * resource-exhausted error for 429 with retry-after, and fetch's TypeError for network failures.
   */
  private classify(error: unknown): AttemptFailure {
    if (error instanceof QdrantClientTimeoutError) {
      return { retryable: true, problem: `timed out after ${this.timeoutMs} ms` };
    }
    if (error instanceof QdrantClientResourceExhaustedError) {
      // The 1.18 client reads only the first character of retry-after ("12" becomes 1 s), so this delay
      // can be short; the backoff cap still applies either way.
      return {
        retryable: true,
        problem: 'HTTP 429: rate limited',
        status: 429,
        delayMs: error.retry_after * 1000,
      };
    }
    if (error instanceof Error && error.message.startsWith('Invalid retryAfter value')) {
      // The same client code throws this when retry-after is an HTTP date: still a 429.
      return { retryable: true, problem: 'HTTP 429: rate limited', status: 429 };
    }
    const answer = apiError(error);
    if (answer) {
      const body = typeof answer.data === 'string' ? answer.data : JSON.stringify(answer.data ?? '');
      return statusFailure(answer.status, body, answer.headers);
    }
    return networkFailure(error);
  }
}

/** The client's ApiError (from its fetch library, not exported by the client): a status and the answer. */
function apiError(error: unknown): { status: number; headers: Headers; data: unknown } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { status, headers, data } = error as Error & { status?: unknown; headers?: unknown; data?: unknown };
  return typeof status === 'number' && headers instanceof Headers ? { status, headers, data } : undefined;
}
