import { ServiceError } from '../../errors.js';
import type { UpstreamLimiter } from './rate-limiter.js';

/**
 * JSON POST with the retry policy every hosted provider (embedder or reranker) shares: rate limits (429),
 * server errors (5xx), timeouts and dropped connections are transient and retried with exponential backoff
 * and jitter, honouring the server's `retry-after-ms` / `retry-after`; any other 4xx is the caller's
 * mistake (bad key, bad model name) and fails at once, since retrying cannot fix it. The API key is
 * redacted from every message, because servers sometimes echo it back in their error bodies.
 */

export interface HttpRetryOptions {
  /** Per attempt, the whole exchange (connect, headers, body). */
  timeoutMs: number;
  /** Attempts after the first. */
  maxRetries: number;
  /** First backoff delay; it doubles per retry. Small in tests. */
  retryBaseMs: number;
  /** Ceiling for any single wait, a server's retry-after included, so a run cannot hang for hours. */
  retryMaxMs: number;
}

export const HTTP_RETRY_DEFAULTS: HttpRetryOptions = {
  timeoutMs: 30_000,
  maxRetries: 4,
  retryBaseMs: 500,
  retryMaxMs: 60_000,
};

export interface JsonRequest {
  /** Names the API in messages, e.g. "Cohere rerank". */
  label: string;
  url: string;
  body: unknown;
  /** Sent as `Authorization: Bearer <key>` and redacted from every message. */
  apiKey?: string;
  /** Paces every attempt (retries included) against the upstream's limits; a 429 slows it down. */
  limiter?: UpstreamLimiter;
}

/** A request failed for good: a non-retryable status, or retries exhausted (exit 2: the service failed us). */
export class HttpError extends ServiceError {
  override readonly name: string = 'HttpError';

  constructor(
    message: string,
    /** The last HTTP status, absent when the last attempt got no response. */
    readonly status: number | undefined,
    readonly retries: number,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? {} : { cause });
  }
}

/** Network failures worth another attempt: the connection dropped or could not be made for now. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const BODY_EXCERPT = 300;

/** How one failed attempt is treated: retried (after the server's delay, if it gave one) or final. */
export interface AttemptFailure {
  retryable: boolean;
  /** What went wrong, e.g. "HTTP 503: overloaded" or "timed out". */
  problem: string;
  status?: number;
  /** The server's requested wait (retry-after), which replaces the backoff. */
  delayMs?: number;
  /** The header that asked for it, as sent: "retry-after: 3600". */
  delayHeader?: string;
}

export interface RetryLoop {
  /** Prefixes every message, e.g. "OpenAI embeddings https://api.openai.com/v1". */
  label: string;
  /** Applied to every message (secrets out). */
  redact?: (text: string) => string;
  /** Called before each wait, e.g. to count rate limits or slow a shared pacer down. */
  onRetry?: (failure: AttemptFailure) => void;
  /** What the user can check when a request failed for good (appended to the message), if anything. */
  advice?: (failure: AttemptFailure) => string | undefined;
  /** Errors that leave the loop as they are (not classified, not retried). */
  passThrough?: (error: unknown) => boolean;
  /** Told of each wait the server asked for (retry-after), before it starts: one line on stderr. */
  onServerWait?: (failure: AttemptFailure, waitMs: number, retry: number) => void;
}

/** Retry options, and the longest wait a server may ask for before the request fails at once. */
export interface RetryPolicy extends Omit<HttpRetryOptions, 'timeoutMs'> {
  /**
   * A server's retry-after longer than this fails the request at once (naming the header); shorter ones
   * are honoured in full. Without it, a server's wait is cut to retryMaxMs like any other.
   */
  maxServerWaitMs?: number;
}

/** Who answers a request, so that a final failure can say what to check. */
export interface ServiceAdvice {
  /** "Qdrant", "the embedding server". */
  service: string;
  url: string;
  /** Where the key comes from, e.g. "the index apiKeyEnv variable". */
  keySource: string;
}

/** What to check after a request failed for good, by the last status it got (none: it never got an answer). */
export function adviceFor(status: number | undefined, { service, url, keySource }: ServiceAdvice): string {
  if (status === 401 || status === 403) return `check the API key (${keySource})`;
  if (status === undefined) {
    return `check that ${service} is running at ${url}, the url and port are right, and nothing (proxy, firewall) blocks it; timeoutMs and maxRetries set the patience`;
  }
  if (status === 429 || status >= 500) {
    return 'the server is overloaded or failing: check its health, lower concurrency or batchSize, or raise maxRetries';
  }
  return 'the request was refused as sent';
}

/**
 * Runs `attempt` until it succeeds, a failure is not retryable, or retries are exhausted (then HttpError).
 * Backoff doubles per retry with jitter (so clients that failed together do not retry together), and a
 * server's own delay wins; every wait is capped at retryMaxMs.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  classify: (error: unknown) => AttemptFailure,
  loop: RetryLoop,
  options: RetryPolicy,
): Promise<{ value: T; retries: number }> {
  const redact = loop.redact ?? ((text: string) => text);
  for (let retries = 0; ; retries++) {
    let failure: AttemptFailure;
    let thrown: unknown;
    try {
      return { value: await attempt(), retries };
    } catch (error) {
      if (error instanceof HttpError || loop.passThrough?.(error)) throw error;
      failure = classify(error);
      thrown = error;
    }
    const cap = options.maxServerWaitMs;
    if (failure.retryable && cap !== undefined && failure.delayMs !== undefined && failure.delayMs > cap) {
      throw new HttpError(
        redact(
          `${loop.label}: ${failure.problem}; the server asks to wait ${describeWait(failure.delayMs)} (${failure.delayHeader ?? 'retry-after'}), longer than maxRetryWaitMs (${cap.toLocaleString('en-US')} ms): not waiting; retry later, or raise maxRetryWaitMs`,
        ),
        failure.status,
        retries,
      );
    }
    if (!failure.retryable || retries >= options.maxRetries) {
      const gaveUp = failure.retryable ? ` (gave up after ${retries} retries)` : '';
      // A network error is kept as the cause (for --debug); a FailedAttempt's story is the message already.
      const cause = thrown instanceof FailedAttempt ? undefined : thrown;
      const hint = loop.advice?.(failure);
      const advice = hint ? `; ${hint}` : '';
      throw new HttpError(
        redact(`${loop.label}: ${failure.problem}${gaveUp}${advice}`),
        failure.status,
        retries,
        cause,
      );
    }
    loop.onRetry?.(failure);
    const backoff = options.retryBaseMs * 2 ** retries * (0.5 + Math.random() / 2);
    if (failure.delayMs !== undefined) {
      const wait = cap === undefined ? Math.min(failure.delayMs, options.retryMaxMs) : failure.delayMs;
      loop.onServerWait?.(failure, wait, retries + 1);
      await sleep(wait);
    } else {
      await sleep(Math.min(backoff, options.retryMaxMs));
    }
  }
}

/** "350 ms", "12.5 s", "1 h 0 min". */
export function describeWait(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
}

/** An HTTP answer that is not a success, as an attempt failure: 429 and 5xx are worth another attempt. */
export function statusFailure(status: number, body: string, headers: Headers): AttemptFailure {
  const delay = retryAfter(headers);
  return {
    retryable: status === 429 || status >= 500,
    problem: `HTTP ${status}: ${excerpt(body)}`,
    status,
    ...(delay === undefined ? {} : { delayMs: delay.ms, delayHeader: delay.header }),
  };
}

/** A thrown network error as an attempt failure: timeouts and dropped connections are transient. */
export function networkFailure(error: unknown): AttemptFailure {
  const reason = transientReason(error);
  return reason === undefined
    ? { retryable: false, problem: (error as Error).message ?? String(error) }
    : { retryable: true, problem: reason };
}

/** Thrown by an attempt to say how it failed (classified as its `failure`). */
export class FailedAttempt extends ServiceError {
  override readonly name: string = 'FailedAttempt';

  constructor(readonly failure: AttemptFailure) {
    super(failure.problem);
  }
}

/** Posts `request.body` as JSON and returns the parsed JSON answer and how many retries it took. */
export async function postJson(
  request: JsonRequest,
  options: HttpRetryOptions,
): Promise<{ body: unknown; retries: number }> {
  const payload = JSON.stringify(request.body);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (request.apiKey) headers.authorization = `Bearer ${request.apiKey}`;
  const attempt = async (): Promise<unknown> => {
    const permit = await request.limiter?.acquire(0);
    let response: Response;
    let text: string;
    try {
      response = await fetch(request.url, {
        method: 'POST',
        headers,
        body: payload,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      text = await response.text();
    } finally {
      if (permit) request.limiter?.release(permit);
    }
    if (!response.ok) {
      const failure = statusFailure(response.status, text, response.headers);
      // The shared pause is never longer than this caller's own wait.
      if (response.status === 429) {
        request.limiter?.rateLimited(Math.min(failure.delayMs ?? 1000, options.retryMaxMs));
      }
      throw new FailedAttempt(failure);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new FailedAttempt({
        retryable: false,
        problem: `response is not JSON: ${excerpt(text)}`,
        status: response.status,
      });
    }
  };
  const { value, retries } = await withRetries(
    attempt,
    (error) => (error instanceof FailedAttempt ? error.failure : networkFailure(error)),
    { label: `${request.label} ${request.url}`, redact: redactor(request.apiKey) },
    options,
  );
  return { body: value, retries };
}

/** Removes a secret from text: servers sometimes echo the key back in their error bodies. */
export function redactor(secret: string | undefined): (text: string) => string {
  if (!secret) return (text) => text;
  if (secret.length >= WHOLE_TOKEN_BELOW) return (text) => text.split(secret).join('[redacted]');
  // A short key ("test", "abc") also occurs inside ordinary words; cutting those apart garbles the message and
  // points at the key anyway, so a short key is redacted where it stands as a token of its own.
  const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const token = new RegExp(`(?<![A-Za-z0-9_-])${escaped}(?![A-Za-z0-9_-])`, 'g');
  return (text) => text.replace(token, '[redacted]');
}

/** Keys this long are redacted wherever they occur; shorter ones only as whole tokens. */
const WHOLE_TOKEN_BELOW = 12;

/** Why a thrown fetch error is transient ("timed out after …", "ECONNRESET"), or undefined when it is not. */
function transientReason(error: unknown): string | undefined {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'string' && TRANSIENT_CODES.has(code) ? `connection failed (${code})` : undefined;
}

/** The server's requested wait: `retry-after-ms` (milliseconds), else `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  return retryAfter(headers, now)?.ms;
}

/** The server's requested wait and the header that said it ("retry-after: 3600"), for messages. */
export function retryAfter(headers: Headers, now = Date.now()): { ms: number; header: string } | undefined {
  const msText = headers.get('retry-after-ms');
  const ms = Number.parseFloat(msText ?? '');
  if (Number.isFinite(ms) && ms >= 0) return { ms, header: `retry-after-ms: ${excerpt(msText ?? '')}` };
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const header = `retry-after: ${excerpt(value)}`;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds)) return { ms: Math.max(0, seconds * 1000), header };
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : { ms: Math.max(0, date - now), header };
}

/** The start of a response body on one line, for messages. */
export function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > BODY_EXCERPT ? `${flat.slice(0, BODY_EXCERPT)}…` : flat || '(empty body)';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A URL as messages may show it: no user name, password, query or fragment (where keys hide). */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//').replace(/[?#].*$/, '');
  }
}
