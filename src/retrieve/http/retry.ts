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
}

/** A request failed for good: a non-retryable status, or retries exhausted. */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    message: string,
    /** The last HTTP status, absent when the last attempt got no response. */
    readonly status: number | undefined,
    readonly retries: number,
  ) {
    super(message);
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

/** Posts `request.body` as JSON and returns the parsed JSON answer and how many retries it took. */
export async function postJson(
  request: JsonRequest,
  options: HttpRetryOptions,
): Promise<{ body: unknown; retries: number }> {
  const redact = (text: string) => (request.apiKey ? text.split(request.apiKey).join('[redacted]') : text);
  const payload = JSON.stringify(request.body);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (request.apiKey) headers.authorization = `Bearer ${request.apiKey}`;
  for (let attempt = 0; ; attempt++) {
    let problem: string;
    let status: number | undefined;
    let serverDelayMs: number | undefined;
    try {
      const response = await fetch(request.url, {
        method: 'POST',
        headers,
        body: payload,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const text = await response.text();
      if (response.ok) {
        try {
          return { body: JSON.parse(text), retries: attempt };
        } catch {
          throw new HttpError(
            redact(`${request.label}: response is not JSON: ${excerpt(text)}`),
            response.status,
            attempt,
          );
        }
      }
      status = response.status;
      problem = `HTTP ${status}: ${excerpt(text)}`;
      if (status !== 429 && status < 500) {
        throw new HttpError(redact(`${request.label} ${request.url}: ${problem}`), status, attempt);
      }
      serverDelayMs = retryAfterMs(response.headers);
    } catch (error) {
      if (error instanceof HttpError) throw error;
      const reason = transientReason(error);
      if (reason === undefined) {
        throw new HttpError(
          redact(`${request.label} ${request.url}: ${(error as Error).message}`),
          undefined,
          attempt,
        );
      }
      problem = reason;
    }
    if (attempt >= options.maxRetries) {
      throw new HttpError(
        redact(`${request.label} ${request.url}: ${problem} (gave up after ${attempt} retries)`),
        status,
        attempt,
      );
    }
    const backoff = options.retryBaseMs * 2 ** attempt * (0.5 + Math.random() / 2);
    await sleep(Math.min(serverDelayMs ?? backoff, options.retryMaxMs));
  }
}

/** Why a thrown fetch error is transient ("timed out after …", "ECONNRESET"), or undefined when it is not. */
function transientReason(error: unknown): string | undefined {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'string' && TRANSIENT_CODES.has(code) ? `connection failed (${code})` : undefined;
}

/** The server's requested wait: `retry-after-ms` (milliseconds), else `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > BODY_EXCERPT ? `${flat.slice(0, BODY_EXCERPT)}…` : flat || '(empty body)';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
