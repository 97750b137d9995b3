import type { Embedder, EmbeddingBatch, EmbeddingPurpose } from '../../types.js';

/**
 * Matryoshka-style truncation: the first `dimensions` components of each of the base embedder's vectors,
 * L2-normalised again (a vector whose first components are all zero stays zero). Models trained for it
 * (OpenAI's text-embedding-3, nomic, …) keep most of their quality this way; for others it is the
 * experiment that shows they do not.
 *
 * The id names the truncation, and `dimensions` is the wrapper's, so cache keys and traces never mix
 * truncated vectors with full ones.
 */
export class TruncatedEmbedder implements Embedder {
  readonly id: string;
  readonly version: string;
  readonly dimensions: number;
  readonly maxBatchSize: number;
  readonly base: Embedder;

  constructor(base: Embedder, dimensions: number) {
    if (!(Number.isInteger(dimensions) && dimensions >= 1 && dimensions <= base.dimensions)) {
      throw new RangeError(
        `'${base.id}' can be truncated to 1–${base.dimensions} dimensions, not ${dimensions}`,
      );
    }
    this.base = base;
    this.id = `${base.id}/truncated-${dimensions}`;
    this.version = base.version;
    this.dimensions = dimensions;
    this.maxBatchSize = base.maxBatchSize;
  }

  async embed(texts: string[], purpose: EmbeddingPurpose): Promise<EmbeddingBatch> {
    const batch = await this.base.embed(texts, purpose);
    const from = this.base.dimensions;
    const to = this.dimensions;
    if (batch.vectors.length !== texts.length * from) {
      throw new Error(
        `embedder '${this.base.id}' returned ${batch.vectors.length} numbers for ${texts.length} texts × ${from} dimensions`,
      );
    }
    const vectors = new Float32Array(texts.length * to);
    for (let i = 0; i < texts.length; i++) {
      let sum = 0;
      for (let j = 0; j < to; j++) sum += (batch.vectors[i * from + j] as number) ** 2;
      const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
      for (let j = 0; j < to; j++) vectors[i * to + j] = (batch.vectors[i * from + j] as number) * scale;
    }
    return { vectors, tokens: batch.tokens };
  }
}

/** The base embedder truncated to its first `dimensions` components, renormalised. */
export function truncateEmbedder(base: Embedder, dimensions: number): Embedder {
  return new TruncatedEmbedder(base, dimensions);
}
