import type { Embedder, EmbeddingBatch, EmbeddingPurpose } from '../../types.js';

export interface HashingEmbedderOptions {
  /** Output size, 1–65,536 (default 256); more dimensions, fewer collisions. */
  dimensions?: number;
  /** Texts per `embed` call (default 256). */
  batchSize?: number;
}

/**
 * How much each kind of feature weighs, after each kind is L2-normalised on its own (so the balance holds
 * whatever the text's length: a text has several times more character n-grams than words). Character
 * n-grams weigh most: they match inflections and typos ("brakes" meets "brake") and carry most of the
 * quality; words add exact matches, bigrams a little word order. On the example dataset (bike-repair, 73
 * queries) these weights give nDCG@10 0.46 / 0.60 / 0.64 at 256 / 1,024 / 4,096 dimensions, where BM25
 * gives 0.65; words alone give 0.37 / 0.51 / 0.55.
 */
const WEIGHTS = { word: 1, bigram: 0.5, chars: 1.5 } as const;
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * A dense embedding with no model: feature hashing (Weinberger et al., 2009) of
 *
 * - word unigrams and bigrams, words being runs of letters and digits of the lowercased NFKC text, and
 * - character 3-, 4- and 5-grams of each word framed as "<word>" (fastText's subwords),
 *
 * each feature hashed (FNV-1a over UTF-16 code units, finished with murmur3's fmix32) to a signed ±1 in one
 * of `dimensions` buckets, weighted 1 + ln(count) (sublinear tf), each kind normalised and weighted as in
 * WEIGHTS, the sum L2-normalised. The sign keeps colliding features from adding up in expectation, so inner
 * products estimate those of the sparse feature vectors.
 *
 * Deterministic and offline: the default embedding of this tool, and a baseline that any real model should
 * beat. Hashes grow incrementally over the characters, so no n-gram is ever built as a string.
 * `tokens` counts words. Bump `version` whenever a vector changes.
 */
export class HashingEmbedder implements Embedder {
  readonly id = 'hashing/word-char-ngrams';
  readonly version = '1';
  readonly dimensions: number;
  readonly maxBatchSize: number;

  private readonly features = new FeatureCounts();
  /** Per kind of feature: its weighted sum, reused for every text. */
  private readonly sums: Float64Array[];
  private wordStarts = new Int32Array(64);
  private wordEnds = new Int32Array(64);

  constructor(options: HashingEmbedderOptions = {}) {
    const { dimensions = 256, batchSize = 256 } = options;
    if (!(Number.isInteger(dimensions) && dimensions >= 1 && dimensions <= 65536)) {
      throw new RangeError(`hashing dimensions must be an integer from 1 to 65536, got ${dimensions}`);
    }
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
      throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
    }
    this.dimensions = dimensions;
    this.maxBatchSize = batchSize;
    this.sums = [0, 1, 2].map(() => new Float64Array(dimensions));
  }

  async embed(texts: string[], _purpose: EmbeddingPurpose): Promise<EmbeddingBatch> {
    const vectors = new Float32Array(texts.length * this.dimensions);
    let tokens = 0;
    texts.forEach((text, i) => {
      tokens += this.embedInto(text, vectors, i * this.dimensions);
    });
    return { vectors, tokens };
  }

  /** Writes the text's vector into `out` at `offset`; returns its number of words. */
  embedInto(text: string, out: Float32Array, offset: number): number {
    const normalised = text.normalize('NFKC').toLowerCase();
    const words = this.findWords(normalised);
    const features = this.features;
    features.clear();
    let previous = 0;
    for (let w = 0; w < words; w++) {
      const start = this.wordStarts[w] as number;
      const end = this.wordEnds[w] as number;
      let word = SEEDS[KIND.word];
      for (let i = start; i < end; i++) word = fnvStep(word, normalised.charCodeAt(i));
      features.add(fmix32(word), KIND.word);
      if (w > 0) {
        // The previous word, a space, this word: continued from the previous word's running hash.
        let bigram = fnvStep(previous, 0x20);
        for (let i = start; i < end; i++) bigram = fnvStep(bigram, normalised.charCodeAt(i));
        features.add(fmix32(bigram ^ SEEDS[KIND.bigram]), KIND.bigram);
      }
      previous = word;
      this.addCharacterGrams(normalised, start, end);
    }
    this.writeVector(out, offset);
    return words;
  }

  /** Character 3- to 5-grams of "<word>"; a one-letter word gives just "<a>". */
  private addCharacterGrams(text: string, start: number, end: number): void {
    const framed = end - start + 2;
    const charAt = (p: number) => (p === 0 ? 0x3c : p === framed - 1 ? 0x3e : text.charCodeAt(start + p - 1));
    for (let from = 0; from + 3 <= framed; from++) {
      let hash = SEEDS[KIND.chars];
      hash = fnvStep(hash, charAt(from));
      hash = fnvStep(hash, charAt(from + 1));
      const last = Math.min(from + 5, framed);
      for (let p = from + 2; p < last; p++) {
        hash = fnvStep(hash, charAt(p));
        this.features.add(fmix32(hash), KIND.chars);
      }
    }
  }

  /** Fills wordStarts/wordEnds; returns the number of words. */
  private findWords(text: string): number {
    let count = 0;
    WORD.lastIndex = 0;
    for (let match = WORD.exec(text); match !== null; match = WORD.exec(text)) {
      if (count === this.wordStarts.length) {
        this.wordStarts = grow(this.wordStarts);
        this.wordEnds = grow(this.wordEnds);
      }
      this.wordStarts[count] = match.index;
      this.wordEnds[count] = match.index + match[0].length;
      count++;
    }
    return count;
  }

  private writeVector(out: Float32Array, offset: number): void {
    const { dimensions, sums, features } = this;
    for (const sum of sums) sum.fill(0);
    for (let i = 0; i < features.size; i++) {
      const key = features.keyAt(i);
      const sum = sums[features.kindAt(i)] as Float64Array;
      const bucket = (key & 0x7fffffff) % dimensions;
      const weight = 1 + Math.log(features.countAt(i));
      sum[bucket] = (sum[bucket] as number) + (key < 0 ? -weight : weight);
    }
    const scales = sums.map((sum, kind) => {
      const norm = Math.sqrt(dot(sum, sum));
      return norm > 0 ? (KIND_WEIGHTS[kind] as number) / norm : 0;
    });
    const [word, bigram, chars] = sums as [Float64Array, Float64Array, Float64Array];
    const [ws, bs, cs] = scales as [number, number, number];
    let total = 0;
    for (let j = 0; j < dimensions; j++) {
      const value = ws * (word[j] as number) + bs * (bigram[j] as number) + cs * (chars[j] as number);
      word[j] = value;
      total += value * value;
    }
    const scale = total > 0 ? 1 / Math.sqrt(total) : 0;
    for (let j = 0; j < dimensions; j++) out[offset + j] = (word[j] as number) * scale;
  }
}

const KIND = { word: 0, bigram: 1, chars: 2 } as const;
const KIND_WEIGHTS = [WEIGHTS.word, WEIGHTS.bigram, WEIGHTS.chars];
/** FNV-1a's offset basis with the kind's tag hashed in, so equal strings of different kinds differ. */
const SEEDS = [0x77, 0x62, 0x63].map((tag) => fnvStep(0x811c9dc5 | 0, tag)) as [number, number, number];

/** One FNV-1a step over a UTF-16 code unit (both bytes at once; fmix32 spreads them afterwards). */
export function fnvStep(hash: number, unit: number): number {
  return Math.imul(hash ^ unit, 0x01000193);
}

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
export function fmix32(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

function grow(array: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

/**
 * Counts per distinct feature hash of one text: open addressing over typed arrays, cleared in O(1) by
 * bumping a generation stamp, grown (never shrunk) as texts get longer.
 */
class FeatureCounts {
  size = 0;
  private capacity = 1024;
  private generation = 1;
  private stamps = new Int32Array(this.capacity);
  private slotKeys = new Int32Array(this.capacity);
  private slotCounts = new Int32Array(this.capacity);
  private slotKinds = new Uint8Array(this.capacity);
  /** Slots in use, in insertion order (so vectors sum in a fixed order). */
  private used = new Int32Array(this.capacity >> 1);

  clear(): void {
    this.size = 0;
    this.generation++;
    if (this.generation === 0x7fffffff) {
      this.stamps.fill(0);
      this.generation = 1;
    }
  }

  add(key: number, kind: number): void {
    const mask = this.capacity - 1;
    for (let slot = key & mask; ; slot = (slot + 1) & mask) {
      if (this.stamps[slot] !== this.generation) {
        this.stamps[slot] = this.generation;
        this.slotKeys[slot] = key;
        this.slotCounts[slot] = 1;
        this.slotKinds[slot] = kind;
        this.used[this.size++] = slot;
        if (this.size === this.used.length) this.rehash();
        return;
      }
      if (this.slotKeys[slot] === key && this.slotKinds[slot] === kind) {
        this.slotCounts[slot] = (this.slotCounts[slot] as number) + 1;
        return;
      }
    }
  }

  keyAt(i: number): number {
    return this.slotKeys[this.used[i] as number] as number;
  }

  kindAt(i: number): number {
    return this.slotKinds[this.used[i] as number] as number;
  }

  countAt(i: number): number {
    return this.slotCounts[this.used[i] as number] as number;
  }

  /** Doubles the table (kept at most half full), re-inserting the current entries in insertion order. */
  private rehash(): void {
    const entries = Array.from({ length: this.size }, (_, i) => [
      this.keyAt(i),
      this.kindAt(i),
      this.countAt(i),
    ]);
    this.capacity *= 2;
    this.stamps = new Int32Array(this.capacity);
    this.slotKeys = new Int32Array(this.capacity);
    this.slotCounts = new Int32Array(this.capacity);
    this.slotKinds = new Uint8Array(this.capacity);
    this.used = new Int32Array(this.capacity >> 1);
    this.generation = 1;
    this.size = 0;
    const mask = this.capacity - 1;
    for (const [key, kind, count] of entries as [number, number, number][]) {
      let slot = key & mask;
      while (this.stamps[slot] === this.generation) slot = (slot + 1) & mask;
      this.stamps[slot] = this.generation;
      this.slotKeys[slot] = key;
      this.slotKinds[slot] = kind;
      this.slotCounts[slot] = count;
      this.used[this.size++] = slot;
    }
  }
}
