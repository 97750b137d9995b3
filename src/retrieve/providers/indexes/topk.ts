import { compareCodePoints } from '../../../metrics/order.js';

/**
 * A bounded selection of the k best (score, document) pairs. Better means a higher score and, among equal
 * scores, a higher id rank: the document whose id comes later in byte order, as trec_eval breaks ties, so a
 * run file evaluates in the order it was ranked. `idRanks` holds each document's position in byte order
 * (see `idRanksOf`), so ties compare integers, not strings.
 *
 * A min-heap whose root is the worst pair kept: once full, a candidate costs one comparison with
 * `threshold` unless it can enter. Typed arrays, no allocation per offer.
 */
export class TopK {
  readonly capacity: number;
  private readonly idRanks: Int32Array;
  private readonly scores: Float64Array;
  private readonly docs: Int32Array;
  private size = 0;

  constructor(capacity: number, idRanks: Int32Array) {
    if (!(Number.isInteger(capacity) && capacity > 0)) {
      throw new RangeError(`top-k capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.idRanks = idRanks;
    this.scores = new Float64Array(capacity);
    this.docs = new Int32Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  /**
   * The lowest score that may still enter: −∞ until full, then the worst kept score (a candidate equal to
   * it enters only if its id ranks higher, which `offer` decides). NaN never passes `score >= threshold`.
   */
  get threshold(): number {
    return this.size < this.capacity ? Number.NEGATIVE_INFINITY : (this.scores[0] as number);
  }

  offer(score: number, doc: number): void {
    if (this.size < this.capacity) {
      this.siftUp(this.size++, score, doc);
    } else if (this.isWorse(this.scores[0] as number, this.docs[0] as number, score, doc)) {
      this.siftDown(score, doc);
    }
  }

  /** The kept pairs, best first; empties the selection. */
  drain(): { docs: Int32Array; scores: Float64Array } {
    const count = this.size;
    const docs = new Int32Array(count);
    const scores = new Float64Array(count);
    // Popping the root (the worst) repeatedly yields worst first: fill from the back.
    for (let i = count - 1; i >= 0; i--) {
      docs[i] = this.docs[0] as number;
      scores[i] = this.scores[0] as number;
      const last = --this.size;
      if (last > 0) this.siftDown(this.scores[last] as number, this.docs[last] as number);
    }
    return { docs, scores };
  }

  /** Whether (sa, a) ranks below (sb, b). */
  private isWorse(sa: number, a: number, sb: number, b: number): boolean {
    return sa < sb || (sa === sb && (this.idRanks[a] as number) < (this.idRanks[b] as number));
  }

  private siftUp(from: number, score: number, doc: number): void {
    let i = from;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const ps = this.scores[parent] as number;
      const pd = this.docs[parent] as number;
      if (!this.isWorse(score, doc, ps, pd)) break;
      this.scores[i] = ps;
      this.docs[i] = pd;
      i = parent;
    }
    this.scores[i] = score;
    this.docs[i] = doc;
  }

  /** Puts (score, doc) at the root and moves it down to its place. */
  private siftDown(score: number, doc: number): void {
    const size = this.size;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      let child = left;
      let cs = this.scores[left] as number;
      let cd = this.docs[left] as number;
      const right = left + 1;
      if (right < size) {
        const rs = this.scores[right] as number;
        const rd = this.docs[right] as number;
        if (this.isWorse(rs, rd, cs, cd)) {
          child = right;
          cs = rs;
          cd = rd;
        }
      }
      if (!this.isWorse(cs, cd, score, doc)) break;
      this.scores[i] = cs;
      this.docs[i] = cd;
      i = child;
    }
    this.scores[i] = score;
    this.docs[i] = doc;
  }
}

/** Each id's position in byte order (a repeated id: by position in `ids`). */
export function idRanksOf(ids: readonly string[]): Int32Array {
  const order = Array.from({ length: ids.length }, (_, i) => i);
  order.sort((x, y) => compareCodePoints(ids[x] as string, ids[y] as string) || x - y);
  const ranks = new Int32Array(ids.length);
  order.forEach((doc, rank) => {
    ranks[doc] = rank;
  });
  return ranks;
}
