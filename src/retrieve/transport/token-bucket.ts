/** Milliseconds in the minute that rate limits are counted over. */
export const MINUTE_MS = 60_000;

/** A continuously refilling budget of one minute's worth of a limit. */
export class TokenBucket {
  private level: number;
  private updated: number;

  constructor(
    /** The limit per minute, before headroom and slowdown. */
    public limit: number,
    private scale: number,
    now: number,
  ) {
    this.level = this.capacity;
    this.updated = now;
  }

  get capacity(): number {
    return this.limit * this.scale;
  }

  /** Units per millisecond. */
  get rate(): number {
    return this.capacity / MINUTE_MS;
  }

  available(now: number): number {
    this.level = Math.min(this.capacity, this.level + (now - this.updated) * this.rate);
    this.updated = now;
    return this.level;
  }

  /** Milliseconds until `amount` is available (a request larger than the bucket waits for a full one). */
  waitFor(amount: number, now: number): number {
    const missing = Math.min(amount, this.capacity) - this.available(now);
    return missing <= 0 ? 0 : missing / this.rate;
  }

  take(amount: number, now: number): void {
    this.available(now);
    this.level -= amount;
  }

  giveBack(amount: number, now: number): void {
    this.available(now);
    this.level = Math.min(this.capacity, this.level + amount);
  }

  /** Never more than the server says is left. */
  lowerTo(level: number, now: number): void {
    this.available(now);
    this.level = Math.min(this.level, level);
  }

  rescale(limit: number, scale: number, now: number): void {
    this.available(now);
    this.limit = limit;
    this.scale = scale;
    this.level = Math.min(this.level, this.capacity);
  }
}
