/**
 * A small seeded PRNG (mulberry32): every resampling takes a seed so that the same inputs give the same
 * confidence intervals, byte for byte.
 */
export function seededRandom(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

/**
 * mulberry32 with its state kept as a signed 32-bit integer (the same bits as the unsigned original, but
 * a value V8 keeps in a register rather than as a heap double).
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed | 0;
  }

  /**
   * The generator `seed` gives once `draws` numbers have been drawn from it: each draw adds 0x6D2B79F5 to
   * the state (mod 2³²), so the state then is seed + draws × 0x6D2B79F5, found without drawing (Math.imul
   * takes `draws` mod 2³², exactly, for any integer up to 2⁵³).
   */
  static after(seed: number, draws: number): SeededRandom {
    return new SeededRandom(((seed | 0) + Math.imul(draws, 0x6d2b79f5)) | 0);
  }

  /** The next number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * `draws` indices drawn uniformly below counts.length (as Math.floor(next() * length) would draw them),
   * each adding one to counts[index]. next() is spelt out here: a call per draw makes a bootstrap over
   * 100,000 queries three times slower.
   */
  countDraws(counts: Int32Array, draws: number): void {
    const size = counts.length;
    let state = this.state;
    for (let i = 0; i < draws; i++) {
      state = (state + 0x6d2b79f5) | 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      // (x / 2³²) × size and (x × size) × 2⁻³² round alike (scaling by a power of two is exact), and
      // truncation is floor below 2³¹: the same index, 8 % sooner.
      const index = (((t ^ (t >>> 14)) >>> 0) * size * 2.3283064365386963e-10) | 0;
      counts[index] = (counts[index] as number) + 1;
    }
    this.state = state;
  }
}
