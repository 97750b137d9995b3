import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { positiveHeader, serverRemaining } from './rate-limit-headers.js';
import { TokenBucket } from './token-bucket.js';

/**
 * Paces requests to one upstream (a base URL and key) so its per-minute limits are approached but not hit,
 * and bounds the requests in flight. Every model calling that upstream shares one limiter (`limiterFor`),
 * because providers count an account's requests together.
 *
 * The model is the one providers describe: a token bucket per limit (tokens, requests) that holds a minute's
 * worth and refills continuously. A request reserves its estimated tokens before it is sent (waiting, in
 * arrival order, until the bucket holds them) and is reconciled with the billed count afterwards. Budgets
 * run at HEADROOM of the limit so that differences in counting or clocks do not cost a 429. Until the
 * upstream has answered once, requests go one at a time: the first answer's headers set the budget before
 * any burst.
 *
 * Responses refine the budget: `x-ratelimit-limit-*` lowers a limit that is below the configured one (or
 * supplies one that was not configured), and `x-ratelimit-remaining-*` / `x-ratelimit-reset-*` lower the
 * bucket to the server's view when another client is spending the same account. A 429 stops everyone for
 * the server's retry-after and slows the budget (multiplicative decrease, recovered a little per success).
 */

export interface RateLimits {
  tokensPerMinute?: number;
  requestsPerMinute?: number;
  /** Requests in flight at once. */
  concurrency: number;
}

/** What a granted request holds: released exactly once with `release`. */
export interface Permit {
  readonly tokens: number;
}

/** How a request ended, for reconciliation. */
export interface Outcome {
  /** The response's headers, when there was a response (any status). */
  headers?: Headers;
  /** Tokens the provider billed, when it said (a success). */
  usedTokens?: number;
}

export interface LimiterState {
  /** Limits in force (configured, or lowered or learnt from headers), before headroom. */
  tokensPerMinute?: number;
  requestsPerMinute?: number;
  concurrency: number;
  inFlight: number;
  maxInFlight: number;
  /** 429s reported to this limiter. */
  rateLimited: number;
  /** Multiplier (≤ 1) on the budgets after 429s. */
  slowdown: number;
}

/** Share of each limit that is spent: the margin covers counting differences and clock skew. */
export const HEADROOM = 0.97;
/** Pause for everyone after a 429 that says nothing about when to come back. */
const DEFAULT_PAUSE_MS = 1_000;
const SLOWDOWN_FACTOR = 0.75;
const SLOWDOWN_FLOOR = 0.25;
const RECOVERY_STEP = 0.01;

interface Waiter {
  tokens: number;
  resolve: (permit: Permit) => void;
}

export class UpstreamLimiter {
  private tokens?: TokenBucket;
  private requests?: TokenBucket;
  private concurrency: number;
  private readonly configured: RateLimits;
  private inFlight = 0;
  private maxInFlight = 0;
  private rateLimitedCount = 0;
  private slowdown = 1;
  private blockedUntil = 0;
  /** Until the upstream has answered once, one request at a time: its headers say where the budget stands. */
  private answered = false;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    limits: RateLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.configured = { ...limits };
    this.concurrency = Math.max(1, limits.concurrency);
    const at = this.now();
    if (limits.tokensPerMinute) this.tokens = new TokenBucket(limits.tokensPerMinute, HEADROOM, at);
    if (limits.requestsPerMinute) this.requests = new TokenBucket(limits.requestsPerMinute, HEADROOM, at);
  }

  /** Waits (in arrival order) for a slot and for `tokens` of budget, and reserves them. */
  acquire(tokens: number): Promise<Permit> {
    return new Promise((resolve) => {
      this.queue.push({ tokens: Math.max(0, tokens), resolve });
      this.pump();
    });
  }

  /** Frees the permit's slot and reconciles its reservation with what the response said. */
  release(permit: Permit, outcome: Outcome = {}): void {
    this.inFlight--;
    const at = this.now();
    if (outcome.usedTokens !== undefined && this.tokens) {
      const refund = permit.tokens - outcome.usedTokens;
      if (refund > 0) this.tokens.giveBack(refund, at);
      else this.tokens.take(-refund, at);
    }
    if (outcome.headers) {
      this.answered = true;
      this.observe(outcome.headers, at);
    }
    if (outcome.usedTokens !== undefined) this.slowdown = Math.min(1, this.slowdown + RECOVERY_STEP);
    this.rescale(at);
    this.pump();
  }

  /** A 429: everyone waits for the server's delay, and the budgets shrink until successes restore them. */
  rateLimited(delayMs?: number): void {
    const at = this.now();
    this.rateLimitedCount++;
    this.slowdown = Math.max(SLOWDOWN_FLOOR, this.slowdown * SLOWDOWN_FACTOR);
    this.blockedUntil = Math.max(this.blockedUntil, at + (delayMs ?? DEFAULT_PAUSE_MS));
    this.rescale(at);
    this.pump();
  }

  /** A second model on the same upstream: the stricter of the two configurations holds. */
  tighten(limits: RateLimits): void {
    const at = this.now();
    this.concurrency = Math.min(this.concurrency, Math.max(1, limits.concurrency));
    this.configured.concurrency = this.concurrency;
    this.configured.tokensPerMinute = minDefined(this.configured.tokensPerMinute, limits.tokensPerMinute);
    this.configured.requestsPerMinute = minDefined(
      this.configured.requestsPerMinute,
      limits.requestsPerMinute,
    );
    this.tokens = this.setLimit(this.tokens, minDefined(this.tokens?.limit, limits.tokensPerMinute), at);
    this.requests = this.setLimit(
      this.requests,
      minDefined(this.requests?.limit, limits.requestsPerMinute),
      at,
    );
  }

  state(): LimiterState {
    return {
      ...(this.tokens ? { tokensPerMinute: this.tokens.limit } : {}),
      ...(this.requests ? { requestsPerMinute: this.requests.limit } : {}),
      concurrency: this.concurrency,
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      rateLimited: this.rateLimitedCount,
      slowdown: this.slowdown,
    };
  }

  /**
   * A response's headers. The server's `remaining` is what it had left when it admitted that request: an
   * upper bound on what is left now (requests sent since may not be in it yet), exact when nothing was sent
   * since. So the bucket only ever comes down to it, which catches another client spending the account.
   * (Subtracting the requests sent since would double-count those the server admitted out of order.)
   */
  private observe(headers: Headers, at: number): void {
    const limitTokens = positiveHeader(headers.get('x-ratelimit-limit-tokens'));
    const limitRequests = positiveHeader(headers.get('x-ratelimit-limit-requests'));
    if (limitTokens !== undefined) {
      this.tokens = this.setLimit(this.tokens, minDefined(this.configured.tokensPerMinute, limitTokens), at);
    }
    if (limitRequests !== undefined) {
      this.requests = this.setLimit(
        this.requests,
        minDefined(this.configured.requestsPerMinute, limitRequests),
        at,
      );
    }
    const tokensLeft = serverRemaining(headers, 'tokens', limitTokens);
    if (tokensLeft !== undefined) this.tokens?.lowerTo(tokensLeft, at);
    const requestsLeft = serverRemaining(headers, 'requests', limitRequests);
    if (requestsLeft !== undefined) this.requests?.lowerTo(requestsLeft, at);
  }

  private setLimit(
    bucket: TokenBucket | undefined,
    limit: number | undefined,
    at: number,
  ): TokenBucket | undefined {
    if (limit === undefined) return bucket;
    if (bucket === undefined) return new TokenBucket(limit, HEADROOM * this.slowdown, at);
    bucket.rescale(limit, HEADROOM * this.slowdown, at);
    return bucket;
  }

  private rescale(at: number): void {
    this.tokens?.rescale(this.tokens.limit, HEADROOM * this.slowdown, at);
    this.requests?.rescale(this.requests.limit, HEADROOM * this.slowdown, at);
  }

  /** Admits waiters in order while they fit; otherwise sleeps until the head can go or a release wakes it. */
  private pump(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (let head = this.queue[0]; head !== undefined; head = this.queue[0]) {
      if (this.inFlight >= this.concurrency || (!this.answered && this.inFlight > 0)) return;
      const at = this.now();
      const wait = Math.max(
        this.blockedUntil - at,
        this.tokens?.waitFor(head.tokens, at) ?? 0,
        this.requests?.waitFor(1, at) ?? 0,
      );
      if (wait > 0) {
        this.timer = setTimeout(() => this.pump(), Math.ceil(wait));
        return;
      }
      this.queue.shift();
      this.tokens?.take(head.tokens, at);
      this.requests?.take(1, at);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      head.resolve({ tokens: head.tokens });
    }
  }
}

const registry = new Map<string, UpstreamLimiter>();

/**
 * The limiter shared by every client of one upstream: the base URL (trailing slashes aside) and a short
 * hash of the key (never the key itself), since providers limit per account.
 */
export function limiterFor(baseURL: string, apiKey: string | undefined, limits: RateLimits): UpstreamLimiter {
  const account = createHash('sha256')
    .update(apiKey ?? '')
    .digest('hex')
    .slice(0, 12);
  const key = `${baseURL.replace(/\/+$/, '')}#${account}`;
  const existing = registry.get(key);
  if (existing) {
    existing.tighten(limits);
    return existing;
  }
  const limiter = new UpstreamLimiter(limits);
  registry.set(key, limiter);
  return limiter;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
