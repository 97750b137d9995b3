import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { positiveHeader, serverRemaining } from './rate-limit-headers.js';
import { SlidingWindow, type Spend } from './sliding-window.js';
import { MINUTE_MS, TokenBucket } from './token-bucket.js';

/**
 * Paces requests to one upstream (a base URL and key) so its per-minute limits are approached but not hit,
 * and bounds the requests in flight. Every model calling that upstream shares one limiter (`limiterFor`),
 * because providers count an account's requests together.
 *
 * Each limit (tokens, requests) is paced two ways at once. A sliding window holds what was spent during the
 * last minute and admits a request only if the minute then stays within the budget: that is the strictest
 * way a server counts (a token bucket that refills continuously admits whatever a sliding window does), so
 * the first minute never bursts past the limit. A token bucket refilling at the budget's rate, holding a
 * sixth of it (BURST_SHARE), spreads the minute's requests out. The budget is HEADROOM of the limit (counting differences
 * and clocks), times a slowdown that 429s lower and time restores.
 *
 * The limit comes from the config, from the answers' `x-ratelimit-limit-*` headers (the lower of the two),
 * or, when neither says, from 429s: the window's spend when the server refused again (a second refusal
 * within the minute; one alone may be a hiccup, and the window may hold little) is the estimate, and it
 * grows back while no 429 comes (additive increase; the refusal is the multiplicative decrease). Until the
 * upstream has answered once, requests go one at a time, and without a configured limit the first one is
 * a small probe: its headers set the budget before anything large is sent. `x-ratelimit-remaining-*` (or
 * `-reset-*`) lower the window to the server's view when another client spends the same account.
 *
 * A request never holds more than a fortieth of the minute's token budget (`requestTokenCap`; more when the
 * requests-per-minute limit needs fuller requests to reach the token limit), so it always fits and the
 * pacing stays smooth. A 429 stops everyone for the server's retry-after, never longer than `maxWaitMs`.
 */

export interface RateLimits {
  tokensPerMinute?: number;
  requestsPerMinute?: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** The longest pause a 429 imposes on everyone (default 2 minutes). */
  maxWaitMs?: number;
  /** What "per minute" means, in milliseconds: a minute, shorter in tests and the short bench. */
  windowMs?: number;
}

/** What a granted request holds: released exactly once with `release`. */
export interface Permit {
  readonly tokens: number;
}

interface HeldPermit extends Permit {
  tokenSpend: Spend;
  requestSpend: Spend;
}

/** How a request ended, for reconciliation. */
export interface Outcome {
  /** The response's headers, when there was a response (any status). */
  headers?: Headers;
  /** Tokens the provider billed, when it said (a success). */
  usedTokens?: number;
  /** The answer was a 429; the server's delay, if it gave one. */
  rateLimited?: { delayMs?: number };
}

/** Where a limit in force comes from. */
export type LimitSource = 'configured' | 'headers' | 'estimated';

export interface LimiterState {
  /** Limits in force (configured, lowered or learnt from headers, or estimated from 429s), before headroom. */
  tokensPerMinute?: number;
  requestsPerMinute?: number;
  tokensFrom?: LimitSource;
  requestsFrom?: LimitSource;
  concurrency: number;
  inFlight: number;
  maxInFlight: number;
  /** 429s reported to this limiter. */
  rateLimited: number;
  /** Multiplier (≤ 1) on the budgets after 429s; it climbs back to 1 within half a minute. */
  slowdown: number;
  /** How long everyone still waits after a 429 (never more than maxWaitMs). */
  pausedMs: number;
}

/** Share of each limit that is spent: the margin covers counting differences and clock skew. */
export const HEADROOM = 0.97;
/**
 * Share of each limit the sliding window lets through: a little above the pace, so that a request admitted
 * late (a busy event loop, a slow answer) can catch up within the minute instead of pushing every later
 * one back by as much (a window that is always full turns each delay into lost throughput).
 */
export const WINDOW_HEADROOM = 0.99;
/** Pause for everyone after a 429 that says nothing about when to come back, as a share of the window (1 s a minute). */
const DEFAULT_PAUSE_SHARE = 1 / 60;
export const DEFAULT_MAX_WAIT_MS = 120_000;
/** Multiplicative decrease per 429 (at most one per DECREASE_GUARD of the window), and its floor. */
const SLOWDOWN_FACTOR = 0.8;
const SLOWDOWN_FLOOR = 0.5;
const DECREASE_GUARD = 1 / 30;
/** Additive increase of the slowdown, per window: from the floor back to 1 in half a minute. */
const RECOVERY_PER_WINDOW = 1;
/** Growth of an estimated limit per window without a 429, as a share of the estimate. */
const ESTIMATE_GROWTH_PER_WINDOW = 0.25;
/** The smoothing bucket holds this share of the budget: one request (a larger burst echoes, a minute later, in the window). */
const BURST_SHARE = 1 / 6;
/**
 * Requests a minute's token budget is split into, at least. A sliding window admits a whole number of
 * requests: requests of up to a fortieth of the budget fill at least 40/41 of it (96.6 % of the limit) whatever
 * their size, where a twentieth could leave 95 % (20 requests of 4.75 % each, the 21st over the window).
 */
export const REQUESTS_PER_WINDOW = 40;
/** The first request's tokens when nothing says what the account allows. */
export const PROBE_TOKENS = 2_000;

interface Waiter {
  tokens: number;
  resolve: (permit: Permit) => void;
}

/** One limit: what was spent, the smoothing bucket, and the limit in force. */
class Pace {
  readonly window: SlidingWindow;
  limit: number | undefined;
  source: LimitSource | undefined;
  private bucket: TokenBucket | undefined;
  /** For estimated limits: the estimate and when it was made (it grows from there). */
  private estimatedAt = 0;

  constructor(
    private readonly windowMs: number,
    configured: number | undefined,
  ) {
    this.window = new SlidingWindow(windowMs);
    if (configured !== undefined) this.set(configured, 'configured', 0);
  }

  set(limit: number, source: LimitSource, at: number): void {
    this.limit = limit;
    this.source = source;
    this.estimatedAt = at;
  }

  /** The limit at `at`: an estimate grows while no 429 lowers it. */
  current(at: number): number | undefined {
    if (this.limit === undefined || this.source !== 'estimated') return this.limit;
    return this.limit * (1 + (ESTIMATE_GROWTH_PER_WINDOW * (at - this.estimatedAt)) / this.windowMs);
  }

  waitFor(amount: number, at: number, slowdown: number): number {
    const limit = this.current(at);
    if (limit === undefined) return 0;
    const bucket = this.smoothing(limit * HEADROOM * slowdown, at);
    const window = this.window.waitFor(amount, limit * WINDOW_HEADROOM * slowdown, at);
    return Math.max(window, bucket.waitFor(amount, at));
  }

  take(amount: number, at: number): Spend {
    this.bucket?.take(amount, at);
    return this.window.add(amount, at);
  }

  /** The answer came: the spend counts from now, at what was billed. */
  settle(spend: Spend, amount: number, at: number): void {
    const difference = amount - spend.amount;
    if (difference > 0) this.bucket?.take(difference, at);
    else if (difference < 0) this.bucket?.giveBack(-difference, at);
    this.window.settle(spend, amount, at);
  }

  private smoothing(budget: number, at: number): TokenBucket {
    // It starts empty: a burst at the start would come back a minute later, when the window lets it go.
    if (this.bucket === undefined)
      this.bucket = new TokenBucket(budget, budget * BURST_SHARE, this.windowMs, at, 0);
    else this.bucket.rescale(budget, budget * BURST_SHARE, at);
    return this.bucket;
  }
}

export class UpstreamLimiter {
  private readonly tokens: Pace;
  private readonly requests: Pace;
  private concurrency: number;
  private readonly configured: RateLimits;
  private readonly windowMs: number;
  private readonly maxWaitMs: number;
  private inFlight = 0;
  private maxInFlight = 0;
  private rateLimitedCount = 0;
  private slowdownLevel = 1;
  private slowdownAt = 0;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  private blockedUntil = 0;
  /** 429s in a row for requests that were alone in the window. */
  private refusedAlone = 0;
  /** With no limit known, when a refusal last came that no earlier one confirmed. */
  private unconfirmedRefusalAt = Number.NEGATIVE_INFINITY;
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
    this.windowMs = limits.windowMs ?? MINUTE_MS;
    this.maxWaitMs = limits.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.tokens = new Pace(this.windowMs, limits.tokensPerMinute);
    this.requests = new Pace(this.windowMs, limits.requestsPerMinute);
    this.slowdownAt = this.now();
  }

  /** Waits (in arrival order) for a slot and for `tokens` of budget, and reserves them. */
  acquire(tokens: number): Promise<Permit> {
    return new Promise((resolve) => {
      this.queue.push({ tokens: Math.max(0, tokens), resolve });
      this.pump();
    });
  }

  /**
   * The most tokens one request should hold now: a fortieth of the minute's budget (or what the
   * requests-per-minute limit needs to reach the token limit), within what the budget holds at its lowest.
   * Before the first answer, with no limit configured, a small probe for a request about to be sent (not
   * for batches planned ahead: they are split when sent); undefined when nothing limits it.
   */
  requestTokenCap(sending = true): number | undefined {
    const at = this.now();
    const limit = this.tokens.current(at);
    if (limit === undefined) return this.answered || !sending ? undefined : PROBE_TOKENS;
    const share = (limit * HEADROOM) / REQUESTS_PER_WINDOW;
    const requests = this.requests.current(at);
    const needed = requests === undefined ? 0 : (2 * limit) / requests;
    return Math.max(1, Math.floor(Math.min(limit * HEADROOM * SLOWDOWN_FLOOR, Math.max(share, needed))));
  }

  /** Frees the permit's slot and reconciles its reservation with what the response said. */
  release(permit: Permit, outcome: Outcome = {}): void {
    const held = permit as HeldPermit;
    this.inFlight--;
    const at = this.now();
    // Whatever the end (an answer, a failure), the spend counts from now: the server admitted it by then,
    // if at all. A success counts what was billed.
    this.tokens.settle(held.tokenSpend, outcome.usedTokens ?? held.tokenSpend.amount, at);
    this.requests.settle(held.requestSpend, held.requestSpend.amount, at);
    if (outcome.usedTokens !== undefined) this.refusedAlone = 0;
    if (outcome.headers) {
      this.answered = true;
      this.observe(outcome.headers, at);
    }
    if (outcome.rateLimited) this.refused(held, outcome.rateLimited.delayMs, at);
    this.pump();
  }

  /** A 429 reported without its permit (a caller that paces nothing but slots). */
  rateLimited(delayMs?: number): void {
    this.refused(undefined, delayMs, this.now());
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
    for (const [pace, limit] of [
      [this.tokens, limits.tokensPerMinute],
      [this.requests, limits.requestsPerMinute],
    ] as const) {
      if (limit === undefined) continue;
      if (pace.limit === undefined || pace.source === 'estimated' || limit < pace.limit) {
        pace.set(limit, 'configured', at);
      }
    }
  }

  state(): LimiterState {
    const at = this.now();
    const tokens = this.tokens.current(at);
    const requests = this.requests.current(at);
    return {
      ...(tokens === undefined ? {} : { tokensPerMinute: tokens }),
      ...(requests === undefined ? {} : { requestsPerMinute: requests }),
      ...(this.tokens.source === undefined ? {} : { tokensFrom: this.tokens.source }),
      ...(this.requests.source === undefined ? {} : { requestsFrom: this.requests.source }),
      concurrency: this.concurrency,
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      rateLimited: this.rateLimitedCount,
      slowdown: this.slowdown(at),
      pausedMs: Math.max(0, this.blockedUntil - at),
    };
  }

  /** The slowdown at `at`: it climbs back to 1 at RECOVERY_PER_WINDOW (additive increase). */
  private slowdown(at: number): number {
    this.slowdownLevel = Math.min(
      1,
      this.slowdownLevel + (RECOVERY_PER_WINDOW * Math.max(0, at - this.slowdownAt)) / this.windowMs,
    );
    this.slowdownAt = at;
    return this.slowdownLevel;
  }

  /**
   * A 429: everyone waits for the server's delay (at most maxWaitMs), the budget shrinks (once per burst
   * of refusals), and with no limit known the window's spend becomes the estimate. A request that can
   * never fit (larger than the limit, or refused alone) is taken off the window: the server did not count it.
   */
  private refused(permit: HeldPermit | undefined, delayMs: number | undefined, at: number): void {
    this.rateLimitedCount++;
    this.blockedUntil = Math.max(
      this.blockedUntil,
      at + Math.min(delayMs ?? this.windowMs * DEFAULT_PAUSE_SHARE, this.maxWaitMs),
    );
    const slowdown = this.slowdown(at);
    if (at - this.lastDecrease >= this.windowMs * DECREASE_GUARD) {
      this.slowdownLevel = Math.max(SLOWDOWN_FLOOR, slowdown * SLOWDOWN_FACTOR);
      this.lastDecrease = at;
    }
    if (permit === undefined) return;
    const others = this.tokens.window.spent(at) - permit.tokenSpend.amount;
    this.refusedAlone = others > 0 ? 0 : this.refusedAlone + 1;
    if (this.tokens.limit === undefined || this.tokens.source === 'estimated') {
      // Refused with nothing else spent: once may be a hiccup, twice in a row says the request is too large.
      if (others > 0 && this.confirmsLimit(at)) this.tokens.set(others, 'estimated', at);
      else if (this.refusedAlone >= 2) this.tokens.set(Math.max(1, permit.tokens / 2), 'estimated', at);
    }
    const limit = this.tokens.current(at);
    if (others <= 0 || (limit !== undefined && permit.tokens > limit * HEADROOM)) {
      this.tokens.window.remove(permit.tokenSpend);
    }
  }

  /**
   * Whether a refusal, with no limit known, says where the limit is: an estimate is lowered by any refusal,
   * but the first one is only believed when another follows within the window (not in the same burst: the
   * requests in flight are refused together). A lone 429 (an overloaded server, a spend from a quiet minute
   * in the window) would otherwise pace the whole run at a small fraction of what the account allows.
   */
  private confirmsLimit(at: number): boolean {
    if (this.tokens.source === 'estimated') return true;
    const since = at - this.unconfirmedRefusalAt;
    if (since > this.windowMs) {
      this.unconfirmedRefusalAt = at;
      return false;
    }
    return since >= this.windowMs * DECREASE_GUARD;
  }

  /**
   * A response's headers. `x-ratelimit-limit-*` sets the limit (the configured one if lower). The server's
   * `remaining` is what it had left when it admitted that request: when the server has spent more than
   * the window holds here, another client is spending the account, and the difference is added to the
   * window (never taken off it: requests sent since may not be in the server's figure yet).
   */
  private observe(headers: Headers, at: number): void {
    for (const [kind, pace, configured] of [
      ['tokens', this.tokens, this.configured.tokensPerMinute],
      ['requests', this.requests, this.configured.requestsPerMinute],
    ] as const) {
      const limit = positiveHeader(headers.get(`x-ratelimit-limit-${kind}`));
      if (limit === undefined) continue;
      const inForce = minDefined(configured, limit) as number;
      pace.set(inForce, inForce === configured ? 'configured' : 'headers', at);
      const left = serverRemaining(headers, kind, limit, this.windowMs);
      if (left === undefined) continue;
      const unseen = limit - left - pace.window.spent(at);
      if (unseen > 0) pace.window.add(unseen, at, false);
    }
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
      const slowdown = this.slowdown(at);
      const wait = Math.max(
        this.blockedUntil - at,
        this.tokens.waitFor(head.tokens, at, slowdown),
        this.requests.waitFor(1, at, slowdown),
      );
      if (wait > 0) {
        this.timer = setTimeout(() => this.pump(), Math.max(1, Math.ceil(wait)));
        return;
      }
      this.queue.shift();
      const permit: HeldPermit = {
        tokens: head.tokens,
        tokenSpend: this.tokens.take(head.tokens, at),
        requestSpend: this.requests.take(1, at),
      };
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      head.resolve(permit);
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
