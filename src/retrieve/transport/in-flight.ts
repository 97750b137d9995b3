/**
 * At most `limit` calls of `run` at once; the rest wait in arrival order. The index holds one for its
 * upstream, so the bound holds whoever drives it (the runner's look-ahead, a compatibility check, a test).
 */
export class InFlightLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!(Number.isInteger(limit) && limit >= 1))
      throw new Error(`in-flight limit must be ≥ 1, got ${limit}`);
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await call();
    } finally {
      // The slot passes straight to the next waiter, so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
