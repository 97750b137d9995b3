/**
 * A local stand-in for OpenAI's POST /v1/embeddings, for tests and benchmarks: deterministic vectors, real
 * cl100k token counts, per-minute limits enforced like OpenAI's (token buckets that refill continuously,
 * 429 with retry-after and x-ratelimit-* headers), injectable faults, and counters to check clients against.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { encode } from 'gpt-tokenizer/encoding/cl100k_base';

export interface EmbeddingsServerOptions {
  /** Delay before each answer (default 0). */
  latencyMs?: number;
  tokensPerMinute?: number;
  requestsPerMinute?: number;
  /** Send x-ratelimit-* headers when a limit is set (default true). */
  rateLimitHeaders?: boolean;
  /** Send retry-after(-ms) with the limits' 429s (default true). */
  retryAfterHeaders?: boolean;
  /**
   * How the limits count: 'bucket' (default), a minute's worth refilled continuously; 'sliding', what was
   * admitted during the last window, the strictest reading of "per minute".
   */
  limiter?: 'bucket' | 'sliding';
  /** The window the per-minute limits count over, in ms (default 60,000; shorter for fast tests). */
  windowMs?: number;
  /** How the server counts a text's tokens (default cl100k, as OpenAI bills): a cheaper count for benches. */
  countTokens?: (text: string) => number;
  /** When set, any other key gets 401, with the key echoed in the body as some servers do. */
  apiKey?: string;
  /** Vector size when a request does not ask for `dimensions` (default 1536). */
  nativeDimensions?: number;
  /** Per-request limits answered with 400, as OpenAI does (defaults 2,048 inputs, 300k tokens, 8,192 per input). */
  maxInputs?: number;
  maxTokensPerRequest?: number;
  maxTokensPerInput?: number;
}

/** What the next request(s) get instead of a normal answer. */
export type Fault =
  /** This status, with retry-after(-ms) headers when retryAfterMs is given (a 429 gets 20 ms by default). */
  | { status: number; retryAfterMs?: number }
  /** Never answered (until the client gives up or the server closes). */
  | 'hang'
  /** The connection is destroyed without an answer. */
  | 'reset'
  /** 200 with a body cut short. */
  | 'malformed'
  /** 200 with one embedding missing. */
  | 'wrong-count'
  /** 200 with the first embedding all zeros. */
  | 'zero-vector'
  /** 200 with a NaN in the first embedding (written bare, as Python's json module does). */
  | 'nan'
  /** 200 with the first embedding one number short. */
  | 'wrong-length'
  /** 200 with every embedding of another length (a different model answered). */
  | 'wrong-dimensions';

export interface ServerStats {
  /** Every POST /v1/embeddings received, faults included. */
  requests: number;
  /** 429s from the limits (injected ones are not counted). */
  rateLimited: number;
  /** Of those, requests larger than the whole token limit (they could never be admitted). */
  tooLarge: number;
  inFlight: number;
  maxInFlight: number;
  /** Per request that was embedded: its inputs and tokens, and when it was admitted (ms since start). */
  served: { at: number; inputs: number; tokens: number }[];
  /** How many times each text was embedded: a text seen twice was billed twice. */
  embedCounts: Map<string, number>;
  /** The Authorization header of every request (undefined when absent). */
  authorizations: (string | undefined)[];
  /** The last parsed request body. */
  lastBody: Record<string, unknown> | undefined;
}

export interface EmbeddingsServer {
  /** Base URL, ending in /v1 like OpenAI's. */
  url: string;
  stats: ServerStats;
  inject(fault: Fault, times?: number): void;
  close(): Promise<void>;
}

const PLAIN = { disallowedSpecial: new Set<string>() };
const MINUTE_MS = 60_000;

/** A per-minute limit as the server counts it: admit `amount` now, or say how long until it fits. */
interface Counter {
  readonly limit: number;
  /** Milliseconds until `amount` fits (0: now; Infinity: never). */
  waitFor(amount: number, now: number): number;
  spend(amount: number, now: number): void;
  remaining(now: number): number;
  /** Go-style duration until the limit is whole again, as OpenAI writes x-ratelimit-reset-*. */
  reset(now: number): string;
}

/** The server's deterministic vector for a text: the first `dimensions` of a seeded sequence, normalised. */
export function expectedVector(text: string, dimensions: number): Float32Array {
  const seed = createHash('sha256').update(text).digest();
  let a = seed.readUInt32LE(0);
  let b = seed.readUInt32LE(4);
  let c = seed.readUInt32LE(8);
  let d = seed.readUInt32LE(12);
  const values = new Float64Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    // sfc32: small, fast, and the same on every machine.
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    const value = (t >>> 0) / 2 ** 31 - 1;
    values[i] = value;
    norm += value * value;
  }
  const scale = 1 / Math.sqrt(norm);
  return Float32Array.from(values, (value) => value * scale);
}

export function countTokens(text: string): number {
  return encode(text, PLAIN).length;
}

/** A limit per minute as a bucket holding a minute's worth, refilled continuously, full at start. */
class Bucket implements Counter {
  level: number;
  private updated = performance.now();

  constructor(
    readonly limit: number,
    private readonly windowMs: number,
  ) {
    this.level = limit;
  }

  refill(now: number): number {
    this.level = Math.min(this.limit, this.level + ((now - this.updated) * this.limit) / this.windowMs);
    this.updated = now;
    return this.level;
  }

  waitFor(amount: number, now: number): number {
    if (amount > this.limit) return Number.POSITIVE_INFINITY;
    this.refill(now);
    return amount <= this.level ? 0 : ((amount - this.level) * this.windowMs) / this.limit;
  }

  spend(amount: number, now: number): void {
    this.refill(now);
    this.level -= amount;
  }

  remaining(now: number): number {
    return Math.max(0, Math.floor(this.refill(now)));
  }

  reset(now: number): string {
    return formatDuration(((this.limit - this.refill(now)) * this.windowMs) / this.limit);
  }
}

/** A limit per minute as the sum of what was admitted during the last window. */
class Window implements Counter {
  private entries: { at: number; amount: number }[] = [];

  constructor(
    readonly limit: number,
    private readonly windowMs: number,
  ) {}

  private spent(now: number): number {
    while (this.entries.length > 0 && (this.entries[0]?.at as number) <= now - this.windowMs) {
      this.entries.shift();
    }
    return this.entries.reduce((sum, e) => sum + e.amount, 0);
  }

  waitFor(amount: number, now: number): number {
    if (amount > this.limit) return Number.POSITIVE_INFINITY;
    let excess = this.spent(now) + amount - this.limit;
    if (excess <= 0) return 0;
    for (const entry of this.entries) {
      excess -= entry.amount;
      if (excess <= 0) return entry.at + this.windowMs - now;
    }
    return this.windowMs;
  }

  spend(amount: number, now: number): void {
    this.entries.push({ at: now, amount });
  }

  remaining(now: number): number {
    return Math.max(0, this.limit - this.spent(now));
  }

  reset(now: number): string {
    const last = this.entries[this.entries.length - 1];
    this.spent(now);
    return formatDuration(last && this.entries.length > 0 ? last.at + this.windowMs - now : 0);
  }
}

export async function startEmbeddingsServer(
  options: EmbeddingsServerOptions = {},
): Promise<EmbeddingsServer> {
  const latencyMs = options.latencyMs ?? 0;
  const nativeDimensions = options.nativeDimensions ?? 1536;
  const maxInputs = options.maxInputs ?? 2048;
  const maxTokensPerRequest = options.maxTokensPerRequest ?? 300_000;
  const maxTokensPerInput = options.maxTokensPerInput ?? 8192;
  const windowMs = options.windowMs ?? MINUTE_MS;
  const counter = (limit: number | undefined): Counter | undefined => {
    if (!limit) return undefined;
    return options.limiter === 'sliding' ? new Window(limit, windowMs) : new Bucket(limit, windowMs);
  };
  const tokenBucket = counter(options.tokensPerMinute);
  const requestBucket = counter(options.requestsPerMinute);
  const sendHeaders = options.rateLimitHeaders ?? true;
  const sendRetryAfter = options.retryAfterHeaders ?? true;
  const started = performance.now();
  const faults: Fault[] = [];
  const stats: ServerStats = {
    requests: 0,
    rateLimited: 0,
    tooLarge: 0,
    inFlight: 0,
    maxInFlight: 0,
    served: [],
    embedCounts: new Map(),
    authorizations: [],
    lastBody: undefined,
  };

  const limitHeaders = (now: number): Record<string, string> => {
    if (!sendHeaders) return {};
    const headers: Record<string, string> = {};
    for (const [kind, bucket] of [
      ['tokens', tokenBucket],
      ['requests', requestBucket],
    ] as const) {
      if (!bucket) continue;
      headers[`x-ratelimit-limit-${kind}`] = String(bucket.limit);
      headers[`x-ratelimit-remaining-${kind}`] = String(bucket.remaining(now));
      headers[`x-ratelimit-reset-${kind}`] = bucket.reset(now);
    }
    return headers;
  };

  /** Answers one request; a refusal (4xx, 5xx) is thrown as a Refusal and sent by the caller. */
  const handle = (req: IncomingMessage, res: ServerResponse, text: string): void => {
    const fault = faults.shift();
    if (fault === 'hang') return;
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (typeof fault === 'object') {
      const delay = fault.retryAfterMs ?? (fault.status === 429 ? 20 : undefined);
      const headers: Record<string, string> =
        delay === undefined
          ? {}
          : { 'retry-after-ms': String(delay), 'retry-after': String(Math.ceil(delay / 1000)) };
      throw new Refusal(
        fault.status,
        { error: { message: `injected ${fault.status}`, type: 'server_error' } },
        headers,
      );
    }
    const given = req.headers.authorization;
    if (options.apiKey !== undefined && given !== `Bearer ${options.apiKey}`) {
      const key = given?.replace(/^Bearer /, '') ?? '';
      throw new Refusal(401, {
        error: {
          message: `Incorrect API key provided: ${key}.`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw badRequest('the body is not JSON');
    }
    stats.lastBody = body;
    const input = typeof body.input === 'string' ? [body.input] : body.input;
    if (!Array.isArray(input) || input.length === 0 || !input.every((t) => typeof t === 'string')) {
      throw badRequest("'input' must be a string or a non-empty array of strings");
    }
    const texts = input as string[];
    if (texts.length > maxInputs) throw badRequest(`at most ${maxInputs} inputs, got ${texts.length}`);
    if (texts.some((t) => t === '')) throw badRequest("'$.input' is invalid: empty string");
    const counts = texts.map(options.countTokens ?? countTokens);
    const tokens = counts.reduce((sum, n) => sum + n, 0);
    const longest = Math.max(...counts);
    if (longest > maxTokensPerInput) {
      throw badRequest(`maximum input length is ${maxTokensPerInput} tokens, got ${longest}`);
    }
    if (tokens > maxTokensPerRequest) {
      throw badRequest(`maximum request size is ${maxTokensPerRequest} tokens, got ${tokens}`);
    }
    const dimensions = body.dimensions ?? nativeDimensions;
    if (
      !(
        Number.isInteger(dimensions) &&
        (dimensions as number) >= 1 &&
        (dimensions as number) <= nativeDimensions
      )
    ) {
      throw badRequest(`dimensions must be an integer from 1 to ${nativeDimensions}`);
    }
    const now = performance.now();
    const wait = Math.max(tokenBucket?.waitFor(tokens, now) ?? 0, requestBucket?.waitFor(1, now) ?? 0);
    if (wait > 0) {
      stats.rateLimited++;
      const tooLarge = wait === Number.POSITIVE_INFINITY;
      if (tooLarge) stats.tooLarge++;
      // A request over the whole limit is told to come back in a window, as OpenAI tells it nothing better.
      const delay = Math.ceil(tooLarge ? windowMs : wait);
      throw new Refusal(
        429,
        {
          error: {
            message: tooLarge
              ? `Request too large: limit ${tokenBucket?.limit} tokens per min, requested ${tokens}`
              : 'Rate limit reached',
            type: tooLarge ? 'tokens' : 'requests',
            code: 'rate_limit_exceeded',
          },
        },
        {
          ...limitHeaders(now),
          ...(sendRetryAfter
            ? { 'retry-after-ms': String(delay), 'retry-after': String(Math.ceil(delay / 1000)) }
            : {}),
        },
      );
    }
    tokenBucket?.spend(tokens, now);
    requestBucket?.spend(1, now);
    // Headers describe the budget when the request was admitted, as a gateway's limiter sees it.
    const headers = limitHeaders(now);
    stats.served.push({ at: now - started, inputs: texts.length, tokens });
    for (const t of texts) stats.embedCounts.set(t, (stats.embedCounts.get(t) ?? 0) + 1);
    const base64 = body.encoding_format === 'base64';
    const data = texts.map((t, index) => {
      const vector = expectedVector(t, dimensions as number);
      const embedding = base64 ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector);
      return { object: 'embedding', index, embedding };
    });
    if (fault === 'wrong-count') data.pop();
    const first = data[0] as { embedding: number[] | string };
    const spoilt = (values: number[]): number[] | string =>
      base64 ? Buffer.from(Float32Array.from(values).buffer).toString('base64') : values;
    const firstValues = Array.from(expectedVector(texts[0] as string, dimensions as number));
    if (fault === 'zero-vector') first.embedding = spoilt(firstValues.map(() => 0));
    if (fault === 'nan') first.embedding = spoilt(firstValues.map((v, j) => (j === 0 ? Number.NaN : v)));
    if (fault === 'wrong-length') first.embedding = spoilt(firstValues.slice(1));
    if (fault === 'wrong-dimensions') {
      for (const [i, item] of data.entries()) {
        item.embedding = spoilt([...expectedVector(texts[i] as string, (dimensions as number) + 8)]);
      }
    }
    const answer = {
      object: 'list',
      data,
      model: body.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
    setTimeout(() => {
      if (fault === 'malformed') {
        res.writeHead(200, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(answer).slice(0, 40));
        return;
      }
      if (fault === 'nan' && !base64) {
        // JSON has no NaN: written bare, as Python's json.dumps does by default.
        res.writeHead(200, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(answer).replace('null', 'NaN'));
        return;
      }
      reply(res, 200, answer, headers);
    }, latencyMs);
  };

  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.startsWith('/v1/embeddings')) {
        return reply(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
      }
      stats.requests++;
      stats.authorizations.push(req.headers.authorization);
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      res.on('close', () => {
        stats.inFlight--;
      });
      try {
        handle(req, res, text);
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        reply(res, error.status, error.body, error.headers);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    stats,
    inject(fault: Fault, times = 1) {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

class Refusal {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

function badRequest(message: string): Refusal {
  return new Refusal(400, { error: { message, type: 'invalid_request_error' } });
}

/** "20ms" under a second, else minutes and seconds like Go prints them: "1.5s", "6m0s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const minutes = Math.floor(ms / MINUTE_MS);
  const seconds = Number(((ms - minutes * MINUTE_MS) / 1000).toFixed(3));
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}
