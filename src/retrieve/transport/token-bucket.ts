/** Milliseconds in the minute that rate limits are counted over. */
export const MINUTE_MS = 60_000;

/**
 * A budget that refills continuously at `perWindow` per window and holds at most `capacity`: what smooths
 * requests out over the minute instead of spending it in one burst.
 */
export class TokenBucket {
  private level: number;
  private updated: number;

  constructor(
    private perWindow: number,
    private cap: number,
    private readonly windowMs: number,
    now: number,
    /** What it holds at first (default full). */
    initial = cap,
  ) {
    this.level = Math.min(cap, initial);
    this.updated = now;
  }

  get capacity(): number {
    return this.cap;
  }

  /** Units per millisecond. */
  get rate(): number {
    return this.perWindow / this.windowMs;
  }

  available(now: number): number {
    this.level = Math.min(this.cap, this.level + Math.max(0, now - this.updated) * this.rate);
    this.updated = now;
    return this.level;
  }

  /** Milliseconds until `amount` is available (a request larger than the bucket waits for a full one). */
  waitFor(amount: number, now: number): number {
    const missing = Math.min(amount, this.cap) - this.available(now);
    return missing <= 0 ? 0 : missing / this.rate;
  }

  take(amount: number, now: number): void {
    this.available(now);
    this.level -= amount;
  }

  giveBack(amount: number, now: number): void {
    this.available(now);
    this.level = Math.min(this.cap, this.level + amount);
  }

  /** A new rate and capacity; what it holds stays (never above the new capacity). */
  rescale(perWindow: number, capacity: number, now: number): void {
    this.available(now);
    this.perWindow = perWindow;
    this.cap = capacity;
    this.level = Math.min(this.level, this.cap);
  }
}
